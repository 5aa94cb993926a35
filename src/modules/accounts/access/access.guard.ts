import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ACCESS_POLICY, AccessPolicy, Principal } from '../../../infra/http/access';
import { Forbidden, NotSignedIn } from '../../../infra/http/app-error';
import { isLocale, negotiateLocale } from '../../../infra/i18n/i18n';
import { AccountsError } from '../accounts.errors';
import { ApiTokensService } from '../api-tokens.service';
import { principalOf } from '../auth.service';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The global guard. Every request: find who is calling (API token or session), pick the
 * language, then apply the route's declared policy. A route with no policy is refused.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.identify(request);
    if (!policy) throw new Error(`route ${request.method} ${request.routeOptions.url} declares no access policy`);
    if (policy.kind === 'public') return true;
    const principal = request.principal;
    if (!principal) throw new NotSignedIn();
    if (policy.roles && !policy.roles.includes(principal.role)) throw new Forbidden();
    if (principal.via === 'session' && UNSAFE.has(request.method) && request.url.startsWith('/api/')) {
      // Cookie-authenticated API writes must be JSON: a cross-site form cannot send that, so
      // together with SameSite cookies this closes CSRF for the JSON API.
      const type = String(request.headers['content-type'] ?? '');
      if (type && !type.startsWith('application/json')) throw new AccountsError('SESSION_API_NEEDS_JSON');
    }
    return true;
  }

  async identify(request: FastifyRequest): Promise<Principal | null> {
    if (request.principal !== undefined && request.principal !== null) return request.principal;
    let principal: Principal | null = null;
    const header = request.headers.authorization;
    if (header && /^Bearer\s+/i.test(header)) {
      const user = await this.tokens.resolve(header.replace(/^Bearer\s+/i, '').trim());
      if (!user) throw new NotSignedIn();
      principal = principalOf(user, 'token');
    } else {
      const session = (request as Partial<FastifyRequest>).session;
      const auth = session && typeof session.get === 'function' ? session.get('auth') : undefined;
      if (auth?.principal) principal = { ...auth.principal, via: 'session' };
    }
    request.principal = principal;
    const sessionLang = typeof request.session?.get === 'function' ? request.session.get('lang') : undefined;
    const cookieLang = request.cookies?.lang;
    request.locale = principal?.locale ?? (isLocale(sessionLang) ? sessionLang : isLocale(cookieLang) ? cookieLang : negotiateLocale(request.headers['accept-language']));
    return principal;
  }
}
