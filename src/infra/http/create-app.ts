/**
 * Builds the Nest application on Fastify with everything the web and JSON faces share:
 * cookies, server-side sessions in Postgres, CSRF on forms, security headers, form and multipart
 * bodies, static files, validation, the OpenAPI document. Used by main.ts, the tests and benches.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppModule } from '../../app.module';
import { AppConfig } from '../config/config';
import { DEFAULT_LOCALE } from '../i18n/i18n';
import { projectPath } from '../paths';
import { ProcessRoles } from '../queue/process-roles';
import { AllExceptionsFilter, isApiRequest } from './exception.filter';
import { isLeanRoute, LeanRoutes } from './lean-routes';
import { registerForRoutes } from './route-scoped-plugin';
import { PostgresSessionStore } from './session-store';
import { createValidationPipe } from './validation';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const SESSION_COOKIE = 'pa_session';

export async function createApp(config: AppConfig, roles: ProcessRoles = { web: true, worker: false }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: config.trustProxy,
    bodyLimit: 25 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
      (req as { id?: string }).id = id;
      return id;
    },
    logger: false,
    // Only lean routes use Fastify's schemas; make them as strict as the ValidationPipe: unknown
    // fields are an error (not silently dropped) and "3" is not an integer.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, roles), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  const dataSource = app.get(DataSource);
  const maxAgeMs = config.sessionMaxAgeHours * 3600_000;

  await app.register(fastifyCookie as never);
  const leanRoutes = app.get(LeanRoutes);
  // Session hooks run on every route but the lean ones (see route-scoped-plugin.ts).
  await registerForRoutes(fastify, fastifySession as never, {
    secret: config.sessionSecret,
    cookieName: SESSION_COOKIE,
    saveUninitialized: false,
    rolling: false,
    store: new PostgresSessionStore(dataSource, maxAgeMs),
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, maxAge: maxAgeMs },
  } as never, isLeanRoute);
  await app.register(fastifyCsrf as never, {
    sessionPlugin: '@fastify/session',
    getToken: (req: FastifyRequest) =>
      (req.headers['x-csrf-token'] as string | undefined) ??
      ((req.body as Record<string, unknown> | undefined)?._csrf as string | undefined) ??
      ((req.query as Record<string, unknown> | undefined)?._csrf as string | undefined),
  });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: config.cookieSecure === true,
  });
  await app.register(fastifyMultipart, { limits: { fileSize: 50 * 1024 * 1024, files: 1 } });
  await app.register(fastifyStatic, { root: projectPath('public'), prefix: '/static/', maxAge: config.env === 'production' ? '1d' : 0 });

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    request.locale = DEFAULT_LOCALE;
    void reply.header('x-request-id', request.id);
  });
  // CSRF on every web form; the JSON API is protected by token auth or JSON-only + SameSite cookies.
  fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (SAFE_METHODS.has(request.method) || isApiRequest(request)) return done();
    fastify.csrfProtection(request, reply, done);
  });

  // The lean routes (lean-routes.ts) authenticate and answer by themselves: no session object, no helmet headers.
  const exceptions = app.get(AllExceptionsFilter);
  leanRoutes.mount(fastify, { sessionSecret: config.sessionSecret, cookieName: SESSION_COOKIE, respond: (error, request, reply) => exceptions.respond(error, request, reply) });

  app.useGlobalPipes(createValidationPipe());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Planner Academy API')
      .setDescription('Training, exams and certification for TMIC new-product planners. Authenticate with a session cookie (POST /api/v1/auth/login) or a personal API token (Authorization: Bearer pa_…).')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  document.paths = { ...document.paths, ...(leanRoutes.openApiPaths() as typeof document.paths) };
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  await app.init();
  return app;
}
