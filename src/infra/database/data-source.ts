import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations';

/** Options shared by the app, the migration runner and the typeorm CLI. `synchronize` is never on. */
export function dataSourceOptions(databaseUrl: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migrations',
    extra: { max: Number(process.env.DATABASE_POOL_SIZE || 20), connectionTimeoutMillis: 5000 },
    ...extra,
  } as DataSourceOptions;
}

const MIGRATION_LOCK = 727_274_001;

/**
 * Applies pending migrations under an advisory lock, so a web server and a worker starting
 * together do not race. Returns the names of the migrations applied.
 */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, { extra: { max: 1 } }));
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await dataSource.destroy();
  }
}

/** For the typeorm CLI: `npx typeorm-ts-node-commonjs migration:generate -d src/infra/database/data-source.ts`. */
export default new DataSource(
  dataSourceOptions(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/planner_academy', {
    entities: ['src/modules/**/entities/*.entity.ts'],
  }),
);
