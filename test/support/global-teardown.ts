import { adminQuery, dropDatabase } from './db';

export default async function globalTeardown(): Promise<void> {
  const run = process.env.PA_TEST_RUN;
  if (!run) return;
  const { rows } = await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${run}%`]);
  for (const row of rows) await dropDatabase(String(row.datname));
}
