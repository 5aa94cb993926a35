import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

/**
 * The production start: web + workers with the shipped content imported at start. Other tests
 * switch the import off for speed, which once hid a start-up deadlock between the content loaders.
 */
describe('starting the whole app as `npm start` does', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true }, env: { IMPORT_CONTENT_AT_START: 'true' } });
  }, 120_000);
  afterAll(async () => t.close());

  it('imports the shipped banks, courses and exams, and is ready', async () => {
    expect((await request(t.url).get('/health/ready')).status).toBe(200);
    const exams = await t.db.query<{ key: string; status: string }[]>(`SELECT key, status FROM exams WHERE key IS NOT NULL ORDER BY key`);
    expect(exams.length).toBeGreaterThanOrEqual(3);
    expect(exams.every((e) => e.status === 'published')).toBe(true);
    const [{ n }] = await t.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM questions`);
    expect(n).toBeGreaterThan(200);
  });
});
