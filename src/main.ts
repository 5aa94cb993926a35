/**
 * Process entry. `npm start` runs web and workers together (the default on one machine);
 * `--web` / `--worker` run one of them, so workers scale out on the same Redis and web servers
 * behind a load balancer share nothing but Postgres and Redis. `--demo` loads demo data first.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './infra/config/config';
import { preflight, PreflightError } from './infra/boot/preflight';
import { runMigrations } from './infra/database/data-source';
import { createApp } from './infra/http/create-app';
import { ProcessRoles } from './infra/queue/process-roles';

async function bootstrap(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const roles: ProcessRoles = args.has('--web') ? { web: true, worker: false } : args.has('--worker') ? { web: false, worker: true } : { web: true, worker: true };
  const config = loadConfig();
  await preflight(config);
  const applied = await runMigrations(config.databaseUrl);
  if (applied.length) console.log(`applied ${applied.length} migration(s): ${applied.join(', ')}`);

  if (args.has('--demo')) {
    const { loadDemoData } = await import('./modules/demo/demo-data');
    await loadDemoData(config);
  }

  if (roles.web) {
    const app = await createApp(config, roles);
    await app.listen(config.port, config.host);
    app.get(Logger).log(`Planner Academy ${roles.worker ? 'web + workers' : 'web'} on http://localhost:${config.port}`);
  } else {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, roles), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    app.get(Logger).log('Planner Academy workers running');
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof PreflightError || error instanceof ConfigError) {
    console.error(`cannot start: ${error.message}`);
  } else {
    console.error(`cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  process.exit(1);
});
