/**
 * The one mechanism that guards every project route. `ProjectGate` runs after the global
 * AccessGuard (which identifies the caller and applies the route's role policy): on any route
 * with a `:projectId` parameter it admits the caller through ProjectAccessService — staff, or a
 * person whose grant on that project is active and whose certificate is valid right now — and
 * leaves what it found on the request. `ProjectGateCheck` refuses to boot when any controller, in
 * any module, declares a `:projectId` route without the gate, so no route can forget it.
 */
import { CanActivate, createParamDecorator, ExecutionContext, Injectable, OnApplicationBootstrap, RequestMethod, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { NotSignedIn } from '../../infra/http/app-error';
import { ProjectAccess, ProjectAccessService } from './project-access.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ProjectGate on routes with a :projectId. */
    projectAccess?: ProjectAccess;
  }
}

@Injectable()
export class ProjectGate implements CanActivate {
  constructor(private readonly access: ProjectAccessService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const projectId = (request.params as Record<string, string | undefined> | undefined)?.projectId;
    if (projectId === undefined) return true;
    if (!request.principal) throw new NotSignedIn();
    request.projectAccess = await this.access.admit(request.principal, projectId);
    return true;
  }
}

/** Put on every controller that serves project routes. */
export const ProjectGated = (): ClassDecorator & MethodDecorator => UseGuards(ProjectGate);

/** The access the gate granted on this request (only on :projectId routes). */
export const CurrentProjectAccess = createParamDecorator((_data: unknown, ctx: ExecutionContext): ProjectAccess => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (!request.projectAccess) throw new Error('CurrentProjectAccess used on a route the ProjectGate did not admit (no :projectId, or no @ProjectGated())');
  return request.projectAccess;
});

/** A route that must be gated: its method and full path. */
export interface GatedRoute {
  method: string;
  path: string;
  controller: string;
  handler: string;
}

const joinPath = (...parts: (string | string[] | undefined)[]) =>
  '/' +
  parts
    .map((p) => (Array.isArray(p) ? p[0] : p) ?? '')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');

@Injectable()
export class ProjectGateCheck implements OnApplicationBootstrap {
  /** Every :projectId route in the app (tests walk them to prove each is gated). */
  readonly routes: GatedRoute[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const ungated: string[] = [];
    this.routes.length = 0;
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const controller = wrapper.metatype as (...args: unknown[]) => unknown;
      const controllerName = String(wrapper.name);
      const prototype = Object.getPrototypeOf(instance) as object;
      const prefix = this.reflector.get<string | string[] | undefined>(PATH_METADATA, controller);
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
        const path = this.reflector.get<string | string[] | undefined>(PATH_METADATA, handler);
        if (path === undefined) continue;
        const full = joinPath(prefix, path);
        if (!/(^|\/):projectId(\/|$)/.test(full)) continue;
        const method = (RequestMethod[this.reflector.get<RequestMethod>(METHOD_METADATA, handler)] as string | undefined) ?? '?';
        const guards = [...(this.reflector.get<unknown[] | undefined>(GUARDS_METADATA, controller) ?? []), ...(this.reflector.get<unknown[] | undefined>(GUARDS_METADATA, handler) ?? [])];
        if (!guards.includes(ProjectGate)) ungated.push(`${controllerName}.${name} (${method} ${full})`);
        this.routes.push({ method, path: full, controller: controllerName, handler: name });
      }
    }
    if (ungated.length) throw new Error(`project routes without the ProjectGate (@ProjectGated()): ${ungated.join(', ')}`);
  }
}
