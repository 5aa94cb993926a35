/**
 * One typed configuration, read from the environment once and validated at boot.
 * Anything wrong stops the process with one line that says which variable and what to do.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parsePublicKeyMultibase, parseSecretKeyMultibase } from '../../modules/credentials/domain/key-material';

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
  certificates: CertificatesConfig;
  credentials: CredentialsConfig;
  mail: MailConfig;
}

/** Outgoing email for notifications (notifications module). */
export interface MailConfig {
  /** SMTP_URL, e.g. smtp://user:pass@host:587 or smtps://…:465; null: notifications stay in-app only. Holds a secret: never log it. */
  smtpUrl: string | null;
  /** MAIL_FROM, the sender address, e.g. "Planner Academy <no-reply@planner-academy.local>". */
  from: string;
}

/** The Open Badges issuer key (see README, "Verifiable credentials"). */
export interface CredentialsConfig {
  /**
   * Seed of the issuer's Ed25519 key, from CREDENTIAL_SIGNING_KEY (a secret Multikey, `z3u2…`).
   * Null only outside production when unset: an ephemeral key is then made at boot.
   */
  signingKeySeed: Uint8Array | null;
  /** Fragment of the key's id in the issuer's DID document; default: its public Multikey. */
  keyId: string | null;
  /** Earlier public keys still published so that credentials signed with them keep verifying. */
  retiredPublicKeys: { keyId: string; publicKeyMultibase: string }[];
}

/** Certificate lifecycle settings (certificates module). */
export interface CertificatesConfig {
  /** Days before expiry from which the holder may take the renewal exam (CERTIFICATE_RENEWAL_WINDOW_DAYS). */
  renewalWindowDays: number;
  /** Validity of a certificate whose exam sets none (CERTIFICATE_DEFAULT_VALIDITY_MONTHS). */
  defaultValidityMonths: number;
  /** A TrueType/OpenType font with Chinese glyphs for PDFs (CERTIFICATE_PDF_FONT); null: the bundled Noto Sans SC. */
  pdfFontPath: string | null;
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

const KEY_ID = /^[A-Za-z0-9._~-]{1,100}$/;

function credentialsVars(env: NodeJS.ProcessEnv, nodeEnv: AppConfig['env']): CredentialsConfig {
  const raw = env.CREDENTIAL_SIGNING_KEY?.trim() || '';
  let signingKeySeed: Uint8Array | null = null;
  if (raw) {
    try {
      signingKeySeed = parseSecretKeyMultibase(raw);
    } catch (error) {
      // The message names what is wrong, never the key itself.
      throw new ConfigError(
        `CREDENTIAL_SIGNING_KEY is not valid: ${error instanceof Error ? error.message : String(error)} Set the z3u2… value printed by \`npm run cli -- credentials:keygen\`.`,
      );
    }
  } else if (nodeEnv === 'production') {
    throw new ConfigError('CREDENTIAL_SIGNING_KEY is required in production: generate one with `npm run cli -- credentials:keygen` and keep it in your secrets store.');
  }
  const keyId = env.CREDENTIAL_KEY_ID?.trim() || null;
  if (keyId && !KEY_ID.test(keyId)) throw new ConfigError(`CREDENTIAL_KEY_ID="${keyId}" is not valid: use 1 to 100 letters, digits, ".", "_", "~" or "-".`);
  const retiredPublicKeys = (env.CREDENTIAL_RETIRED_PUBLIC_KEYS || '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [first, second] = entry.split('=', 2);
      const [id, key] = second === undefined ? [first, first] : [first.trim(), second.trim()];
      if (!KEY_ID.test(id)) throw new ConfigError(`CREDENTIAL_RETIRED_PUBLIC_KEYS: key id "${id}" is not valid: use letters, digits, ".", "_", "~" or "-".`);
      try {
        parsePublicKeyMultibase(key);
      } catch (error) {
        throw new ConfigError(`CREDENTIAL_RETIRED_PUBLIC_KEYS: "${entry}" is not valid: ${error instanceof Error ? error.message : String(error)} Use z6Mk… or keyId=z6Mk…, comma-separated.`);
      }
      return { keyId: id, publicKeyMultibase: key };
    });
  return { signingKeySeed, keyId, retiredPublicKeys };
}

function fontPathVar(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  if (!/\.(ttf|otf)$/i.test(raw)) throw new ConfigError(`${name}="${raw}" is not a single font file: give the path of a .ttf or .otf font with Chinese glyphs (collections, .ttc, are not supported).`);
  if (!existsSync(raw)) throw new ConfigError(`${name}="${raw}" does not exist: install the font or unset ${name} to use the bundled Noto Sans SC.`);
  return raw;
}

/** SMTP_URL: optional; the error never repeats the password. */
function smtpUrlVar(env: NodeJS.ProcessEnv): string | null {
  const raw = env.SMTP_URL?.trim() || '';
  if (!raw) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('SMTP_URL is not a URL: use the form smtp://user:password@host:587 (or smtps://… for TLS on connect), or unset it to keep notifications in-app only.');
  }
  const shown = parsed.password ? raw.replace(`:${parsed.password}@`, ':***@') : raw;
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new ConfigError(`SMTP_URL="${shown}" must start with smtp:// or smtps://.`);
  }
  if (!parsed.hostname) throw new ConfigError(`SMTP_URL="${shown}" has no host: use the form smtp://user:password@host:587.`);
  return raw;
}

const MAIL_FROM_DEFAULT = 'Planner Academy <no-reply@planner-academy.local>';

function mailFromVar(env: NodeJS.ProcessEnv): string {
  const raw = env.MAIL_FROM?.trim() || MAIL_FROM_DEFAULT;
  // "address" or "Display Name <address>"; no line breaks (header injection).
  if (!/^(?:[^<>\r\n]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/.test(raw)) {
    throw new ConfigError(`MAIL_FROM="${raw}" is not a sender address: use the form ${MAIL_FROM_DEFAULT} or no-reply@example.com.`);
  }
  return raw;
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
    certificates: {
      renewalWindowDays: intVar(env, 'CERTIFICATE_RENEWAL_WINDOW_DAYS', 90, 1, 365),
      defaultValidityMonths: intVar(env, 'CERTIFICATE_DEFAULT_VALIDITY_MONTHS', 24, 1, 120),
      pdfFontPath: fontPathVar(env, 'CERTIFICATE_PDF_FONT'),
    },
    credentials: credentialsVars(env, nodeEnv),
    mail: { smtpUrl: smtpUrlVar(env), from: mailFromVar(env) },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
