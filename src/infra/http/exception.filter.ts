import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_LOCALE, isLocale, translate } from '../i18n/i18n';
import { ViewRenderer } from '../views/view-renderer';
import { AppError, FieldErrors } from './app-error';
import { WebContext } from './web-context';

interface Normalised {
  status: number;
  code: string;
  message: string;
  fields?: FieldErrors;
  data?: Record<string, unknown>;
}

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'NOT_SIGNED_IN',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
};

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url.startsWith('/health');
}

/**
 * One place that turns any error into a response: AppErrors keep their status and say what to
 * do in the caller's language; framework errors (bad JSON, 404, CSRF) get the same shape;
 * anything else is a 500 with a correlation id, logged with its stack.
 */
@Catch()
@Injectable()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  constructor(
    private readonly views: ViewRenderer,
    private readonly web: WebContext,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    this.respond(exception, request, reply);
  }

  respond(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    if (!isLocale(request.locale)) request.locale = DEFAULT_LOCALE;
    if (request.principal === undefined) request.principal = null;
    // Readiness failures (terminus) keep their body: which service is down, and why.
    if (exception instanceof HttpException && exception.getStatus() === 503) {
      const body = exception.getResponse();
      if (body && typeof body === 'object' && 'details' in body) {
        void reply.status(503).send(body);
        return;
      }
    }
    const error = this.normalise(exception, request);
    if (error.status >= 500) {
      this.logger.error({ err: exception, requestId: request.id }, `unhandled error on ${request.method} ${request.url.split('?')[0]}`);
    }
    if (reply.sent) return;
    if (isApiRequest(request)) {
      void reply.status(error.status).send({
        statusCode: error.status,
        code: error.code,
        message: error.message,
        ...(error.fields ? { fields: error.fields } : {}),
        ...(error.data ?? {}),
        requestId: request.id,
      });
      return;
    }
    if (error.status === 401) {
      void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    let html: string;
    try {
      html = this.views.render('errors/error', {
        ...this.web.base(request, reply),
        title: translate(request.locale, `errors.title${error.status}`) || String(error.status),
        status: error.status,
        message: error.message,
        fields: error.fields ? Object.entries(error.fields).map(([field, messages]) => ({ field, messages })) : [],
      });
    } catch (renderError) {
      this.logger.error({ err: renderError, requestId: request.id }, 'error page failed to render');
      html = `<!doctype html><title>${error.status}</title><p>${error.status} — request ${request.id}</p>`;
    }
    void reply.status(error.status).type('text/html; charset=utf-8').send(html);
  }

  private normalise(exception: unknown, request: FastifyRequest): Normalised {
    const locale = request.locale;
    if (exception instanceof AppError) {
      return {
        status: exception.status,
        code: exception.code,
        message: translate(locale, exception.messageKey, exception.params),
        fields: exception.fields
          ? Object.fromEntries(Object.entries(exception.fields).map(([f, ms]) => [f, ms.map((m) => translate(locale, m))]))
          : undefined,
        data: exception.data,
      };
    }
    if (exception instanceof HttpException) {
      // Nest wraps Fastify's own errors (bad JSON, CSRF, body too large) in an HttpException
      // that keeps Fastify's message; name the common ones precisely.
      const status = exception.getStatus();
      if (status === 403 && /csrf/i.test(exception.message)) return { status, code: 'CSRF_INVALID', message: translate(locale, 'errors.csrf') };
      if (status === 400 && /json/i.test(exception.message)) {
        return { status, code: 'INVALID_JSON', message: translate(locale, 'errors.invalidJson', { detail: exception.message }) };
      }
      const key = `errors.http${status}`;
      const translated = translate(locale, key);
      return { status, code: HTTP_CODES[status] ?? `HTTP_${status}`, message: translated === key ? exception.message : translated };
    }
    // Fastify's own errors (bad JSON, body too large, CSRF, wrong content type) carry a statusCode.
    const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500) {
      const status = fastifyError.statusCode;
      if (fastifyError.code === 'FST_CSRF_INVALID_TOKEN' || fastifyError.code === 'FST_CSRF_MISSING_SECRET') {
        return { status: 403, code: 'CSRF_INVALID', message: translate(locale, 'errors.csrf') };
      }
      if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        return { status: 400, code: 'INVALID_JSON', message: translate(locale, 'errors.invalidJson', { detail: fastifyError.message ?? '' }) };
      }
      return { status, code: fastifyError.code ?? HTTP_CODES[status] ?? `HTTP_${status}`, message: fastifyError.message ?? String(status) };
    }
    return { status: 500, code: 'INTERNAL', message: translate(locale, 'errors.internal', { requestId: request.id }) };
  }
}
