/**
 * Before Nest boots: make sure Postgres and Redis answer, create the database if it does not
 * exist. A failure here is one clear line naming the service and how to start it — no stack trace.
 */
import { Client } from 'pg';
import Redis from 'ioredis';
import { AppConfig } from '../config/config';

export class PreflightError extends Error {}

const PG_HINT = 'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set DATABASE_URL)';
const REDIS_HINT =
  'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no (or set REDIS_URL)';

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: string; message?: string };
    return e.code ? `${e.code}${e.message && !e.message.includes(e.code) ? ': ' + e.message : ''}` : (e.message ?? 'unknown error');
  }
  return String(error);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new PreflightError(`PostgreSQL is not reachable at ${target.host} (${describe(error)}); ${PG_HINT}`);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        // Two processes starting together may race to create it; the loser finds it there.
        if (error.code !== '42P04') throw error;
      });
    }
  } catch (error) {
    throw new PreflightError(`PostgreSQL at ${redact(databaseUrl)} refused to create database "${dbName}" (${describe(error)}).`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(redisUrl: string): Promise<void> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new PreflightError(`Redis is not reachable at ${redact(redisUrl)} (${describe(error)}); ${REDIS_HINT}`);
  } finally {
    client.disconnect();
  }
}

export async function preflight(config: AppConfig): Promise<void> {
  await ensureDatabase(config.databaseUrl);
  await checkRedis(config.redisUrl);
}
