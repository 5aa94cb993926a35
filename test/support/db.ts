/**
 * Test databases: the global setup migrates one template database per run; every test file
 * then gets its own fresh database cloned from it (CREATE DATABASE … TEMPLATE, ~100 ms), so
 * files run in parallel without seeing each other's rows.
 */
import { Client } from 'pg';

export const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(sql: string, params: unknown[] = []): Promise<{ rows: Record<string, unknown>[] }> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

let counter = 0;
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  const template = process.env.PA_TEST_TEMPLATE_DB;
  if (!template) throw new Error('PA_TEST_TEMPLATE_DB is not set: run tests through jest (globalSetup)');
  const name = `${template.replace(/_tmpl$/, '')}_${process.env.JEST_WORKER_ID ?? '0'}_${process.pid}_${++counter}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return { name, url: databaseUrl(name) };
}
