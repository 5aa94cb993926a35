import { runMigrations } from '../../src/infra/database/data-source';
import { adminQuery, databaseUrl } from './db';

export default async function globalSetup(): Promise<void> {
  const run = `pa_test_${Date.now().toString(36)}_${process.pid}`;
  const template = `${run}_tmpl`;
  await adminQuery(`CREATE DATABASE "${template}"`);
  await runMigrations(databaseUrl(template));
  process.env.PA_TEST_TEMPLATE_DB = template;
  process.env.PA_TEST_RUN = run;
}
