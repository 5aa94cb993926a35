import { ChildProcess, spawn } from 'node:child_process';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

const PORT = 16000 + (process.pid % 1000);

function startRedis(): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve(child);
    });
    child.on('error', reject);
  });
}

async function readyStatus(url: string): Promise<number> {
  return (await request(url).get('/health/ready')).status;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('condition not met in time');
}

describe('health', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('reports Postgres and Redis up', async () => {
    t = await startTestApp();
    expect((await request(t.url).get('/health')).body).toEqual({ status: 'ok' });
    const ready = await request(t.url).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
  });

  it('answers 503 naming Redis while Redis is stopped, keeps serving pages, and recovers without a restart', async () => {
    let redis = await startRedis();
    try {
      t = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${PORT}` } });
      expect(await readyStatus(t.url)).toBe(200);
      redis.kill('SIGKILL');
      await eventually(async () => (await readyStatus(t.url)) === 503);
      const ready = await request(t.url).get('/health/ready');
      expect(ready.body.error.redis.status).toBe('down');
      expect(ready.body.info.postgres.status).toBe('up');
      expect((await request(t.url).get('/login')).status).toBe(200);
      redis = await startRedis();
      await eventually(async () => (await readyStatus(t.url)) === 200);
    } finally {
      redis.kill('SIGKILL');
    }
  });
});
