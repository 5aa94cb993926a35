import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { AppConfig, loadConfig } from '../config/config';
import { runMigrations } from '../database/data-source';
import { preflight } from './preflight';

/**
 * An application context without HTTP or workers, for CLI commands and the demo loader: the
 * same services, the same rules, the same transactions as the web app.
 */
export async function withAppContext<T>(work: (app: INestApplicationContext, config: AppConfig) => Promise<T>, config = loadConfig()): Promise<T> {
  await preflight(config);
  await runMigrations(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { web: false, worker: false }), { logger: ['error'] });
  try {
    return await work(app, config);
  } finally {
    await app.close();
  }
}
