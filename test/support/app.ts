/**
 * Starts the real application for a test file: its own database (cloned from the migrated
 * template), its own queue prefix on the real Redis, a real HTTP listener on a free port.
 */
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '../../src/infra/config/config';
import { createApp } from '../../src/infra/http/create-app';
import { ProcessRoles } from '../../src/infra/queue/process-roles';
import { createTestDatabase, dropDatabase } from './db';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  db: DataSource;
  databaseName: string;
  /** Stops the app; the database is dropped unless kept (to start another app on it, e.g. after a crash). */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

export async function startTestApp(options: { roles?: ProcessRoles; env?: Record<string, string>; database?: { name: string; url: string } } = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `${database.name}`,
    SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'error',
    IMPORT_CONTENT_AT_START: 'false',
    ...options.env,
  });
  const app = await createApp(config, options.roles ?? { web: true, worker: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    config,
    db: app.get(DataSource),
    databaseName: database.name,
    async close(closeOptions: { keepDatabase?: boolean } = {}) {
      await app.close();
      if (!closeOptions.keepDatabase) await dropDatabase(database.name);
    },
  };
}
