/**
 * One typed configuration, read from the environment once and validated at boot.
 * Anything wrong stops the process with one line that says which variable and what to do.
 */
import { randomBytes } from 'node:crypto';

export type ProcessRole = 'web' | 'worker';

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  /** Key prefix for BullMQ queues, so several test runs can share one Redis. */
  queuePrefix: string;
  sessionSecret: string;
  sessionMaxAgeHours: number;
  cookieSecure: boolean | 'auto';
  trustProxy: boolean;
  adminEmail: string | null;
  adminPassword: string | null;
  logLevel: string;
  loginThrottle: { accountFailures: number; ipFailures: number; windowMinutes: number };
  publicBaseUrl: string;
  importBanksAtStart: boolean;
}

export class ConfigError extends Error {}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}="${raw}" is not valid: give a whole number from ${min} to ${max}.`);
  }
  return value;
}

function urlVar(env: NodeJS.ProcessEnv, name: string, fallback: string, protocols: string[]): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name}="${raw}" is not a URL: use the form ${fallback}.`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => p + '//').join(' or ')} (got "${parsed.protocol}//").`);
  }
  return raw;
}

function boolVar(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name}="${raw}" is not valid: use true or false.`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV === 'production' || env.NODE_ENV === 'test' ? env.NODE_ENV : 'development';
  const sessionSecret = env.SESSION_SECRET || '';
  if (sessionSecret && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters long (e.g. `openssl rand -hex 32`).');
  }
  if (!sessionSecret && nodeEnv === 'production') {
    throw new ConfigError('SESSION_SECRET is required in production: set it to 32 or more random characters.');
  }
  const adminEmail = env.ADMIN_EMAIL?.trim() || null;
  if (adminEmail && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    throw new ConfigError(`ADMIN_EMAIL="${adminEmail}" is not an email address.`);
  }
  const adminPassword = env.ADMIN_PASSWORD || null;
  if (adminPassword && adminPassword.length < 10) {
    throw new ConfigError('ADMIN_PASSWORD must be at least 10 characters long.');
  }
  const cookieSecureRaw = env.COOKIE_SECURE ?? 'auto';
  const port = intVar(env, 'PORT', 3000, 0, 65535);
  return {
    env: nodeEnv,
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl: urlVar(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/planner_academy', ['postgres:', 'postgresql:']),
    redisUrl: urlVar(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    queuePrefix: env.QUEUE_PREFIX || 'pa',
    // Without a configured secret a random one is used: sessions then do not survive a restart and
    // web servers behind a load balancer must be given the same SESSION_SECRET.
    sessionSecret: sessionSecret || randomBytes(32).toString('hex'),
    sessionMaxAgeHours: intVar(env, 'SESSION_MAX_AGE_HOURS', 12, 1, 24 * 30),
    cookieSecure: cookieSecureRaw === 'auto' ? 'auto' : boolVar(env, 'COOKIE_SECURE', false),
    trustProxy: boolVar(env, 'TRUST_PROXY', false),
    adminEmail,
    adminPassword,
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'warn' : 'info'),
    loginThrottle: {
      accountFailures: intVar(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 10, 1, 1000),
      ipFailures: intVar(env, 'LOGIN_MAX_FAILURES_PER_IP', 30, 1, 100000),
      windowMinutes: intVar(env, 'LOGIN_THROTTLE_WINDOW_MINUTES', 15, 1, 24 * 60),
    },
    publicBaseUrl: (env.PUBLIC_BASE_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    importBanksAtStart: boolVar(env, 'IMPORT_CONTENT_AT_START', true),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
