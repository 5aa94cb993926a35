import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestDatabase, dropDatabase } from '../support/db';
import { startTestApp } from '../support/app';
import { seedDemo } from '../../src/modules/demo/demo-data';

const run = promisify(execFile);

/** The CLI as a person runs it: `npm run cli -- …`, printing JSON. */
describe('command line', () => {
  let db: { name: string; url: string };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => dropDatabase(db.name));

  const cli = (...args: string[]) =>
    run('npm', ['run', '--silent', 'cli', '--', ...args], { env: { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'test' }, timeout: 120_000 });

  it('creates an organisation and a person in it, printing each as JSON with its id', async () => {
    const org = JSON.parse((await cli('org:create', '--name', 'CLI 数据', '--type', 'isv')).stdout);
    expect(org).toMatchObject({ name: 'CLI 数据', type: 'isv' });
    expect(org.id).toMatch(/^[0-9a-f-]{36}$/);
    const user = JSON.parse(
      (await cli('user:create', '--email', 'cli@test.example', '--name', 'CLI 用户', '--role', 'isv_manager', '--password', 'a-long-password', '--org', org.id)).stdout,
    );
    expect(user).toMatchObject({ email: 'cli@test.example', role: 'isv_manager', organisationId: org.id });
    expect(user.passwordHash).toBeUndefined();
  }, 180_000);

  it('explains a bad call in one line and exits non-zero', async () => {
    await expect(cli('org:create', '--name', 'X', '--type', 'galaxy')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--type must be isv or brand') });
    await expect(cli('user:create', '--email', 'x@test.example')).rejects.toMatchObject({ stderr: expect.stringContaining('missing --name') });
    await expect(cli('user:create', '--email', 'cli@test.example', '--name', 'Again', '--role', 'candidate', '--password', 'a-long-password')).rejects.toMatchObject({
      stderr: expect.stringContaining('already in use'),
    });
  }, 180_000);
});

describe('demo data', () => {
  it('loads the demo organisations and people once, however often it runs', async () => {
    const t = await startTestApp();
    try {
      expect(await seedDemo(t.app)).toEqual({ organisations: 3, people: 8 });
      expect(await seedDemo(t.app)).toEqual({ organisations: 0, people: 0 });
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE '%@demo.example'`);
      expect(n).toBe(8);
    } finally {
      await t.close();
    }
  });
});
