/**
 * The one access mechanism for every route, web and API. Each handler (or its controller) must
 * declare who may call it — @Public(), @Authenticated() or @Roles(...). The global AccessGuard
 * (accounts module) enforces it, and the boot check refuses to start when a route declares
 * nothing, so no route can forget it. Data scope (an ISV manager sees their organisation only, a
 * candidate only themself) follows from `scopeOf(principal)`, which services pass to repositories.
 */
import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Locale } from '../i18n/i18n';

export const ROLES = ['candidate', 'isv_manager', 'proctor', 'platform_staff'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  id: string;
  email: string;
  name: string;
  role: Role;
  organisationId: string | null;
  locale: Locale;
  /** How the caller proved who they are: a browser session or a personal API token. */
  via: 'session' | 'token';
}

export type AccessPolicy = { kind: 'public' } | { kind: 'authenticated'; roles: readonly Role[] | null };

export const ACCESS_POLICY = 'planner-academy:access-policy';

/** Anyone, signed in or not (sign-in page, health, public verification). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_POLICY, { kind: 'public' } satisfies AccessPolicy);
/** Any signed-in person, whatever their role. */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_POLICY, { kind: 'authenticated', roles: null } satisfies AccessPolicy);
/** Signed-in people with one of these roles. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_POLICY, { kind: 'authenticated', roles } satisfies AccessPolicy);

/** The signed-in person; on a route that is not @Public() it is always present. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return request.principal;
});

export type DataScope =
  | { kind: 'all' }
  | { kind: 'organisation'; organisationId: string }
  | { kind: 'self'; userId: string };

/** What people-related data a principal may see. Repositories turn it into a WHERE clause. */
export function scopeOf(principal: Principal): DataScope {
  switch (principal.role) {
    case 'platform_staff':
      return { kind: 'all' };
    case 'isv_manager':
      return principal.organisationId
        ? { kind: 'organisation', organisationId: principal.organisationId }
        : { kind: 'self', userId: principal.id };
    case 'proctor':
    case 'candidate':
      return { kind: 'self', userId: principal.id };
  }
}
