import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { APP_CONFIG, AppConfig } from '../config/config';

/** Structured logs (pino): one line per request with its id; secrets and passwords redacted. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // The lean routes (infra/http/lean-routes.ts) write their own request line; keeping the
        // middleware off them also keeps its per-request AsyncLocalStorage scope off the hot path.
        exclude: [
          { method: RequestMethod.PUT, path: 'api/v1/attempts/:attemptId/answers/:itemId' },
          { method: RequestMethod.POST, path: 'api/v1/attempts/:attemptId/submission' },
        ],
        pinoHttp: {
          level: config.logLevel,
          // Fastify's genReqId already set the id on the raw request (see create-app).
          genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
          redact: {
            paths: [
              'req.headers.authorization',
              'req.headers.cookie',
              'res.headers["set-cookie"]',
              '*.password',
              '*.currentPassword',
              '*.newPassword',
              '*.token',
              'err.config',
            ],
            censor: '[redacted]',
          },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          customLogLevel: (_req: unknown, res: { statusCode: number }, error?: Error) =>
            error || (res.statusCode >= 500 && res.statusCode !== 503) ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          autoLogging: { ignore: (req: { url?: string }) => Boolean(req.url?.startsWith('/static/')) },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
