/**
 * Lean routes: the few JSON endpoints a browser calls again and again (the exam page's answer
 * autosave), served by Fastify directly instead of through Nest's router, guard chain,
 * ValidationPipe, session object and security-header hooks.
 *
 * Why: an autosave measured ~1.2 ms of app CPU through the full pipeline against ~0.3 ms for a
 * bare Node + pg server doing the same SQL (bench/exam-autosave). The work that matters — who is
 * calling, validating the body, one guarded UPDATE — is the same here; what goes is per-request
 * framework overhead: a second HMAC and two hashes of the session object, class-validator
 * metadata walks, helmet's eleven headers on a JSON answer, the middleware bridge.
 *
 * What is kept, on purpose:
 * - Every lean route declares its access policy (only `authenticated` exists) and is mounted
 *   with the same authenticator: a Bearer API token, or the signed `pa_session` cookie checked
 *   with the session secret and looked up in `http_sessions`. The principal is cached per
 *   session id for a few seconds, so a save usually runs one SQL statement — but the route's
 *   SQL re-checks the session row itself (sign-out and deactivation delete it), so the cache
 *   never lets an ended session write.
 * - Cookie-authenticated writes must be JSON (the body schema only accepts application/json),
 *   which, with SameSite cookies, closes CSRF as for the rest of the JSON API.
 * - Errors go through the one exception filter (same JSON shape, same messages, same language).
 * - One log line per request when info is enabled, with the request id.
 * - The OpenAPI document lists these routes like any other (see `openApiPaths`).
 *
 * The session plugin's hooks are attached route by route to every route but these
 * (route-scoped-plugin.ts), helmet is switched off per route, CSRF only guards forms, and the
 * request logger's middleware excludes them (logging.module.ts); the cookie parser still runs.
 */
import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Signer } from '@fastify/cookie';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Principal } from './access';
import { AppError, NotSignedIn } from './app-error';
import { DEFAULT_LOCALE } from '../i18n/i18n';

export interface LeanCaller {
  principal: Principal;
  /** The session id when the caller came with the session cookie; the route's SQL must re-check it. */
  sessionId: string | null;
}

export interface LeanRoute {
  method: 'PUT' | 'POST';
  /** Fastify path, e.g. /api/v1/attempts/:attemptId/answers/:itemId */
  url: string;
  policy: 'authenticated';
  /** JSON schema of the body (compiled once by Fastify); the handler turns `request.validationError` into its own messages. */
  body: Record<string, unknown>;
  params: Record<string, unknown>;
  /** OpenAPI operation (summary, tags, responses) for the API document. */
  openApi: Record<string, unknown>;
  handle(request: FastifyRequest, caller: LeanCaller): Promise<unknown>;
}

export interface LeanAuthenticator {
  /** Principal for a Bearer API token, or null when the token is unknown or revoked. */
  fromToken(token: string): Promise<Principal | null>;
  /** Principal stored in a session, or null when there is none or it expired. */
  fromSession(sessionId: string): Promise<Principal | null>;
}

/** Whether a Fastify route is a lean route (they carry `config.lean`). */
export function isLeanRoute(route: { config?: unknown }): boolean {
  return (route.config as { lean?: boolean } | undefined)?.lean === true;
}

export type ErrorResponder = (error: unknown, request: FastifyRequest, reply: FastifyReply) => void;

class NeedsJson extends AppError {
  constructor() {
    super('JSON_REQUIRED', 415, 'errors.jsonRequired');
  }
}

const SESSION_CACHE_MS = 10_000;
const SESSION_CACHE_MAX = 50_000;

@Injectable()
export class LeanRoutes {
  private readonly routes: LeanRoute[] = [];
  private authenticator: LeanAuthenticator | null = null;
  private readonly sessions = new Map<string, { principal: Principal; until: number }>();

  add(route: LeanRoute): void {
    if (route.policy !== 'authenticated')
      throw new Error(`lean route ${route.method} ${route.url} declares no access policy`);
    this.routes.push(route);
  }

  setAuthenticator(authenticator: LeanAuthenticator): void {
    this.authenticator = authenticator;
  }

  all(): readonly LeanRoute[] {
    return this.routes;
  }

  /** Mounts every lean route on the root instance, marked so the session hooks skip them and without helmet. */
  mount(
    instance: FastifyInstance,
    options: { sessionSecret: string; cookieName: string; respond: ErrorResponder },
  ): void {
    const signer = new Signer(options.sessionSecret, 'sha256');
    const cookiePattern = new RegExp(`(?:^|;\\s*)${options.cookieName}=([^;]+)`);
    for (const route of this.routes) {
      instance.route({
        method: route.method,
        url: route.url,
        schema: { body: route.body, params: route.params },
        attachValidation: true,
        config: { lean: true } as FastifyContextConfig,
        helmet: false,
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          const started = performance.now();
          request.locale = DEFAULT_LOCALE;
          request.principal = null;
          void reply
            .header('x-request-id', request.id)
            .header('x-content-type-options', 'nosniff')
            .header('cache-control', 'no-store');
          // A caller that already hung up (a client that timed out and retries on a new
          // connection) gets nothing: no lookup, no work, nobody to answer.
          if (request.raw.socket.destroyed) {
            reply.hijack();
            return;
          }
          try {
            const caller = await this.identify(request, signer, cookiePattern);
            // Writes must be JSON: a cross-site form cannot send that (with SameSite cookies, no CSRF).
            if (!String(request.headers['content-type'] ?? '').startsWith('application/json'))
              throw new NeedsJson();
            const result = await route.handle(request, caller);
            void reply.status(200).send(result);
          } catch (error) {
            if (error instanceof NotSignedIn) {
              const sid = this.sessionIdOf(request, signer, cookiePattern);
              if (sid) this.sessions.delete(sid);
            }
            options.respond(error, request, reply);
          }
          // One line per request, as pino-http writes for the other routes (its root logger; no per-request child).
          const log = PinoLogger.root;
          const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
          if (log?.isLevelEnabled(level)) {
            log[level](
              {
                req: { id: request.id, method: request.method, url: request.url },
                res: { statusCode: reply.statusCode },
                responseTime: Math.round(performance.now() - started),
              },
              'request completed',
            );
          }
          return reply;
        },
      });
    }
  }

  private sessionIdOf(request: FastifyRequest, signer: Signer, cookiePattern: RegExp): string | null {
    const header = request.headers.cookie;
    if (!header) return null;
    const match = cookiePattern.exec(header);
    if (!match) return null;
    let value: string;
    try {
      value = decodeURIComponent(match[1]);
    } catch {
      return null;
    }
    const unsigned = signer.unsign(value);
    return unsigned.valid && unsigned.value ? unsigned.value : null;
  }

  private async identify(
    request: FastifyRequest,
    signer: Signer,
    cookiePattern: RegExp,
  ): Promise<LeanCaller> {
    if (!this.authenticator) throw new Error('lean routes mounted without an authenticator');
    const header = request.headers.authorization;
    if (header && /^Bearer\s+/i.test(header)) {
      const principal = await this.authenticator.fromToken(header.replace(/^Bearer\s+/i, '').trim());
      if (!principal) throw new NotSignedIn();
      request.principal = principal;
      request.locale = principal.locale;
      return { principal, sessionId: null };
    }
    const sessionId = this.sessionIdOf(request, signer, cookiePattern);
    if (!sessionId) throw new NotSignedIn();
    const now = Date.now();
    let cached = this.sessions.get(sessionId);
    if (!cached || cached.until < now) {
      const principal = await this.authenticator.fromSession(sessionId);
      if (!principal) {
        this.sessions.delete(sessionId);
        throw new NotSignedIn();
      }
      cached = { principal, until: now + SESSION_CACHE_MS };
      if (this.sessions.size >= SESSION_CACHE_MAX) this.sessions.delete(this.sessions.keys().next().value!);
      this.sessions.set(sessionId, cached);
    }
    request.principal = cached.principal;
    request.locale = cached.principal.locale;
    return { principal: cached.principal, sessionId };
  }

  /** The routes as OpenAPI path items, merged into the generated document. */
  openApiPaths(): Record<string, Record<string, unknown>> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      const parameters = [...route.url.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      paths[path] = {
        ...(paths[path] ?? {}),
        [route.method.toLowerCase()]: {
          ...route.openApi,
          parameters,
          security: [{ bearer: [] }, {}],
          requestBody: { required: true, content: { 'application/json': { schema: route.body } } },
        },
      };
    }
    return paths;
  }
}
