// Shared plumbing for the exam benchmarks (bench/exam-autosave, bench/exam-deadline, bench/exam-crash):
// options, build, a scratch database, the app as child processes, candidates and sessions, attempts, valid answers,
// a lean HTTP/1.1 load client (open and closed loop), CPU accounting per process, tables, cleanup.
// Nothing here is measured by itself; see each benchmark's README.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const require = createRequire(import.meta.url);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 23)}]`, ...a);

// ---- options -------------------------------------------------------------------------------------------------------
export function options(argv = process.argv.slice(2)) {
  const get = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
  };
  return {
    str: (name, fallback) => get(name, fallback),
    num: (name, fallback) => Number(get(name, String(fallback))),
    flag: (name) => argv.includes(`--${name}`),
  };
}

// ---- build ---------------------------------------------------------------------------------------------------------
/** `node scripts/build-if-needed.mjs` in APP; returns the dist directory. */
export function build(app, enabled = true) {
  if (enabled) {
    log('node scripts/build-if-needed.mjs');
    const b = spawnSync(process.execPath, [join(app, 'scripts/build-if-needed.mjs')], {
      cwd: app,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (b.status !== 0) {
      if (!existsSync(join(app, 'dist/src/main.js')))
        throw new Error('the build failed and dist/src/main.js does not exist');
      log('WARNING: the build reported errors (tsc still emitted dist/); measuring dist/ as emitted');
    }
  }
  return join(app, 'dist');
}

/** sha256 over the sources the exam paths run: ties figures to a tree state. */
export function sourceFingerprint(
  app,
  dirs = ['src/modules/exams', 'src/modules/accounts', 'src/infra', 'migrations'],
) {
  const hash = createHash('sha256');
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) hash.update(p.slice(app.length)).update(readFileSync(p));
    }
  };
  for (const d of dirs) walk(join(app, d));
  return hash.digest('hex').slice(0, 16);
}

export function git(app) {
  const run = (args) => spawnSync('git', args, { cwd: app, encoding: 'utf8' }).stdout?.trim() ?? null;
  return {
    head: run(['rev-parse', '--short', 'HEAD']),
    dirtyFiles: (run(['status', '--porcelain']) ?? '').split('\n').filter(Boolean).length,
  };
}

// ---- PostgreSQL ------------------------------------------------------------------------------------------------------
export const SERVER = new URL(process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432');
export const dbUrlOf = (database) => Object.assign(new URL(SERVER), { pathname: `/${database}` }).toString();
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export function pgClient(url) {
  const { Client } = require('pg');
  return new Client({ connectionString: url });
}

export async function createDatabase(name) {
  const c = pgClient(dbUrlOf('postgres'));
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${name}"`);
  } finally {
    await c.end();
  }
}

export async function dropDatabase(name) {
  const c = pgClient(dbUrlOf('postgres'));
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

export async function pgSettings(url) {
  const c = pgClient(url);
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers','synchronous_commit','fsync','max_connections','work_mem','wal_level','commit_delay') ORDER BY name`,
    );
    const [{ version }] = (await c.query('SHOW server_version')).rows.map((r) => ({
      version: r.server_version,
    }));
    return {
      version,
      settings: Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting])),
    };
  } finally {
    await c.end();
  }
}

/** Deletes every Redis key under the benchmark's queue prefix (BullMQ queues of this run only). */
export async function cleanupRedis(prefix) {
  const Redis = require('ioredis');
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return n;
}

// ---- the app as child processes ---------------------------------------------------------------------------------------
/**
 * Starts `node dist/src/main.js [--web|--worker]` with its output appended to logFile. role: 'all' | 'web' | 'worker'.
 * Returns { proc, pid, role, port, exited, stop(signal) }.
 */
export function startApp({
  dist,
  role = 'all',
  port,
  env,
  logFile,
  nodeArgs = [],
  script = null,
  ipc = false,
}) {
  const fd = openSync(logFile, 'a');
  const args = script
    ? [...nodeArgs, script]
    : [
        ...nodeArgs,
        join(dist, 'src/main.js'),
        ...(role === 'web' ? ['--web'] : role === 'worker' ? ['--worker'] : []),
      ];
  const proc = spawn(process.execPath, args, {
    cwd: resolve(dist, '..'),
    env: { ...process.env, ...env, PORT: String(port ?? 0), HOST: '127.0.0.1' },
    stdio: ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
  });
  closeSync(fd);
  if (ipc) proc.channel?.unref();
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return {
    proc,
    pid: proc.pid,
    role,
    port,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 15000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Polls GET url until it answers 200 (or the process exits, or timeout). Returns ms waited. */
/** With an app started by startApp({ipc: true}) and instrument-hook.cjs preloaded: start/stop the CPU profiler. */
function profileReply(app, what, key = 'profile') {
  return new Promise((res) => {
    const on = (m) => {
      if (m?.[key] === what) {
        app.proc.off('message', on);
        res(m);
      }
    };
    app.proc.on('message', on);
  });
}
export async function profileStart(app) {
  const started = profileReply(app, 'started');
  app.proc.send({ profile: 'start' });
  await started;
}
export async function profileStop(app, file) {
  const written = profileReply(app, 'written');
  app.proc.send({ profile: 'stop', file });
  const m = await written;
  if (m.error) throw new Error(`profile: ${m.error}`);
}
/** Profiles while fn() runs. */
export async function profiled(app, file, fn) {
  await profileStart(app);
  const out = await fn();
  await profileStop(app, file);
  return out;
}

/** Counting SQL statements and Redis commands (instrument-hook.cjs): start, then stop → { sql: {text: n}, redis: {cmd: n} }. */
export async function countStart(app) {
  const started = profileReply(app, 'started', 'count');
  app.proc.send({ count: 'start' });
  return started;
}
export async function countStop(app) {
  const result = profileReply(app, 'result', 'count');
  app.proc.send({ count: 'stop' });
  return result;
}

export const profileHook = join(here, 'instrument-hook.cjs');

export async function waitReady(url, { timeoutMs = 120000, app = null } = {}) {
  const t0 = Date.now();
  for (;;) {
    if (app && (app.proc.exitCode !== null || app.proc.signalCode !== null))
      throw new Error(`app (${app.role}) exited while starting`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) return Date.now() - t0;
    } catch {
      /* not yet */
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/**
 * An issuer key for the run (production refuses to start without one): made by the app's own
 * `credentials:keygen`, once per benchmark process, never written anywhere.
 */
let signingKey = null;
function credentialSigningKey() {
  if (signingKey) return signingKey;
  const out = spawnSync(process.execPath, [join(repoRoot, 'dist/src/cli.js'), 'credentials:keygen'], { encoding: 'utf8' });
  const match = /^CREDENTIAL_SIGNING_KEY=(\S+)$/m.exec(out.stdout ?? '');
  if (!match) throw new Error(`credentials:keygen gave no key: ${out.stderr || out.stdout}`);
  signingKey = match[1];
  return signingKey;
}

/** Common env for the app: its database, its own queue prefix, a fixed session secret (sessions survive restarts). */
export function appEnv({ dbUrl, prefix, secret, extra = {} }) {
  return {
    CREDENTIAL_SIGNING_KEY: credentialSigningKey(),
    DATABASE_URL: dbUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SESSION_SECRET: secret,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    COOKIE_SECURE: 'false',
    ...extra,
  };
}

export const newSecret = () => randomBytes(24).toString('hex');

// ---- candidates, sessions, attempts ----------------------------------------------------------------------------------
export const PASSWORD = 'bench-password-1';

/** n candidates inserted with SQL, all with the same argon2id hash (the app's own hashPassword). */
export async function createCandidates(client, dist, n, tag) {
  const { hashPassword } = require(join(dist, 'src/modules/accounts/password.js'));
  const hash = await hashPassword(PASSWORD);
  const { rows } = await client.query(
    `INSERT INTO users (email, name, password_hash, role)
     SELECT $1 || g || '@bench.example', 'Bench candidate ' || g, $2, 'candidate' FROM generate_series(1, $3::int) g
     RETURNING id, email`,
    [`${tag}-`, hash, n],
  );
  const byEmail = new Map(rows.map((r) => [r.email, r.id]));
  return Array.from({ length: n }, (_, i) => {
    const email = `${tag}-${i + 1}@bench.example`;
    return { index: i, email, userId: byEmail.get(email) };
  });
}

/** Runs fn over items with `concurrency` workers; returns results in order. */
export async function pool(items, concurrency, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

async function withRetry(what, fn, tries = 5) {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= tries) throw new Error(`${what}: ${error.message}`);
      await sleep(200 * i);
    }
  }
}

/** Real sign-ins (POST /api/v1/auth/login, argon2 verify on the server): sets candidate.cookie. */
export async function loginAll(base, candidates, concurrency = 4) {
  const t0 = Date.now();
  await pool(candidates, concurrency, (c) =>
    withRetry(`login ${c.email}`, async () => {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: c.email, password: PASSWORD }),
      });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`HTTP ${r.status} ${text.slice(0, 200)}`);
      const cookie = (r.headers.getSetCookie?.() ?? [r.headers.get('set-cookie')])
        .map((s) => s.split(';')[0])
        .find((s) => s.startsWith('pa_session='));
      if (!cookie) throw new Error('no pa_session cookie');
      c.cookie = cookie;
    }),
  );
  return Date.now() - t0;
}

export async function api(base, cookie, method, path, body, extraHeaders = {}) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: {
      cookie,
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...extraHeaders,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: r.status, data };
}

/**
 * Starts (POST /api/v1/exams/:id/attempts) one attempt per candidate through the API, `concurrency` at a time.
 * Sets candidate.attempt = { attemptId, deadlineAt, startedAt, items: [{itemId, type, variants}] , clientSession }.
 */
export async function startAttempts(base, candidates, examId, { concurrency = 4, key = 'attempt' } = {}) {
  const t0 = Date.now();
  const latencies = [];
  await pool(candidates, concurrency, (c) =>
    withRetry(`start ${c.email}`, async () => {
      const clientSession = `bench-${randomBytes(6).toString('hex')}`;
      const t = performance.now();
      const r = await api(
        base,
        c.cookie,
        'POST',
        `/api/v1/exams/${examId}/attempts`,
        {},
        { 'x-attempt-session': clientSession },
      );
      latencies.push(performance.now() - t);
      if (r.status !== 201 && r.status !== 200)
        throw new Error(`HTTP ${r.status} ${JSON.stringify(r.data).slice(0, 300)}`);
      c[key] = {
        attemptId: r.data.attemptId,
        deadlineAt: r.data.deadlineAt,
        startedAt: r.data.startedAt,
        remainingSeconds: r.data.remainingSeconds,
        clientSession,
        items: r.data.items.map((it) => ({
          itemId: it.itemId,
          type: it.type,
          variants: responseVariants(it),
        })),
      };
    }),
  );
  return { ms: Date.now() - t0, latencies };
}

/** A few valid responses (JSON text) for an item as the candidate sees it, in the shapes of the API. */
export function responseVariants(item) {
  const opts = item.options.map((o) => o.id);
  const out = [];
  switch (item.type) {
    case 'single_choice':
      for (const id of opts) out.push({ optionId: id });
      break;
    case 'multiple_choice':
      out.push(
        { optionIds: [opts[0]] },
        { optionIds: opts.slice(0, 2) },
        { optionIds: [opts[opts.length - 1]] },
        { optionIds: opts.slice(1, 3) },
      );
      break;
    case 'true_false':
      out.push({ value: true }, { value: false });
      break;
    case 'short_answer':
      for (const w of ['渠道', 'AIPL', '人群', 'seeding'])
        out.push({ gaps: Array.from({ length: Math.max(1, item.gaps) }, () => w) });
      break;
    case 'numeric':
      for (const v of [1, 12.5, 30, 100])
        out.push({ gaps: Array.from({ length: Math.max(1, item.gaps) }, () => v) });
      break;
    case 'matching': {
      const matches = item.matches.map((m) => m.id);
      for (let shift = 0; shift < 3; shift++)
        out.push({
          pairs: Object.fromEntries(
            item.prompts.map((p, i) => [p.id, matches[(i + shift) % matches.length]]),
          ),
        });
      break;
    }
    case 'ordering':
      out.push({ order: opts }, { order: [...opts].reverse() }, { order: [...opts.slice(1), opts[0]] });
      break;
    case 'essay':
      out.push(
        { text: '新品策划需要先定义目标人群，再用 AIPL 衡量人群资产的变化。' },
        { text: 'Seeding first, then launch; measure with FAST.' },
      );
      break;
    default:
      out.push(null);
  }
  return out.map((r) => JSON.stringify(r));
}

/** The exam blueprint the shipped practice exam uses (9 areas × 2, all objective types), as a new exam made with SQL. */
export async function makeExamLikePractice(client, { key, seconds, grace, mode = 'practice' }) {
  const [practice] = (await client.query(`SELECT * FROM exams WHERE key = 'tmic-planner-practice'`)).rows;
  if (!practice) throw new Error('the shipped practice exam is not loaded');
  const [{ id }] = (
    await client.query(
      `INSERT INTO exams (key, title, mode, status, time_limit_seconds, pass_mark_percent, attempts_allowed, cooldown_hours, requires_course,
                          shuffle_questions, shuffle_options, review_policy, grace_seconds, integrity_thresholds, published_at)
       VALUES ($1, $2, $3, 'published', $4, $5, NULL, 0, false, true, true, 'responses', $6, '{}'::jsonb, now()) RETURNING id`,
      [
        key,
        JSON.stringify({ 'zh-CN': `压测考试 ${key}`, en: `Bench exam ${key}` }),
        mode,
        seconds,
        practice.pass_mark_percent,
        grace,
      ],
    )
  ).rows;
  await client.query(
    `INSERT INTO exam_sections (exam_id, position, title, bank_id, tags, types, difficulties, question_count, points_each)
     SELECT $1, position, title, bank_id, tags, types, difficulties, question_count, points_each FROM exam_sections WHERE exam_id = $2`,
    [id, practice.id],
  );
  return id;
}

// ---- a lean HTTP/1.1 client for load ------------------------------------------------------------------------------------
// One request at a time per keep-alive connection, request bytes built once, responses parsed by Content-Length (or
// chunked). Much cheaper per request than fetch/http.request, which matters when the generator shares 2 CPUs with the app.

const CRLF2 = Buffer.from('\r\n\r\n');

export function requestBytes({ method, path, host, headers = {}, body = null }) {
  const b = body === null || body === undefined ? null : Buffer.from(body);
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (b) head += `Content-Length: ${b.length}\r\n`;
  else if (method !== 'GET' && method !== 'HEAD') head += 'Content-Length: 0\r\n';
  head += '\r\n';
  return b ? Buffer.concat([Buffer.from(head, 'latin1'), b]) : Buffer.from(head, 'latin1');
}

export class Conn {
  constructor(port, host = '127.0.0.1') {
    this.busy = false;
    this.dead = false;
    this.pending = null;
    this.chunks = [];
    this.size = 0;
    this.socket = net.connect({ port, host });
    this.socket.setNoDelay(true);
    this.ready = new Promise((res, rej) => {
      this.socket.once('connect', res);
      this.socket.once('error', rej);
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(Object.assign(new Error('socket closed'), { code: 'ECLOSED' })));
  }

  fail(error) {
    this.dead = true;
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  destroy() {
    this.dead = true;
    this.socket.destroy();
  }

  /** Sends one request; resolves { status, body } (body as string). timeoutMs: destroys the connection and rejects ETIMEOUT. */
  request(bytes, timeoutMs = 0) {
    return new Promise((res, rej) => {
      if (this.dead) return rej(Object.assign(new Error('connection is closed'), { code: 'ECLOSED' }));
      this.pending = { resolve: res, reject: rej, timer: null };
      if (timeoutMs > 0) {
        this.pending.timer = setTimeout(() => {
          const p = this.pending;
          this.pending = null;
          this.dead = true;
          this.socket.destroy();
          if (p) p.reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }));
        }, timeoutMs);
      }
      this.chunks = [];
      this.size = 0;
      this.socket.write(bytes);
    });
  }

  onData(d) {
    this.chunks.push(d);
    this.size += d.length;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.chunks = [buf];
    const end = buf.indexOf(CRLF2);
    if (end < 0) return;
    const head = buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let body;
    if (m) {
      const len = Number(m[1]);
      if (buf.length < end + 4 + len) return;
      body = buf.toString('utf8', end + 4, end + 4 + len);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parts = [];
      let at = end + 4;
      for (;;) {
        const nl = buf.indexOf('\r\n', at);
        if (nl < 0) return;
        const n = parseInt(buf.toString('latin1', at, nl), 16);
        if (buf.length < nl + 2 + n + 2) return;
        if (n === 0) break;
        parts.push(buf.subarray(nl + 2, nl + 2 + n));
        at = nl + 2 + n + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      body = '';
    }
    this.chunks = [];
    this.size = 0;
    const p = this.pending;
    this.pending = null;
    if (/\r\nconnection:\s*close/i.test(head)) this.dead = true;
    if (p) {
      clearTimeout(p.timer);
      p.resolve({ status, body });
    }
  }
}

/** A bounded set of keep-alive connections; acquire() waits in FIFO order when all `max` are busy. */
export class ConnPool {
  constructor(port, max) {
    this.port = port;
    this.max = max;
    this.idle = [];
    this.open = 0;
    this.waiting = [];
  }

  async warm(n) {
    const conns = Array.from({ length: Math.min(n, this.max) }, () => new Conn(this.port));
    this.open += conns.length;
    await Promise.all(conns.map((c) => c.ready.catch(() => undefined)));
    for (const c of conns) c.dead ? (this.open--, null) : this.idle.push(c);
  }

  connect() {
    this.open++;
    const c = new Conn(this.port);
    return c.ready.then(
      () => c,
      (e) => {
        this.open--;
        throw e;
      },
    );
  }

  acquire() {
    while (this.idle.length) {
      const c = this.idle.pop();
      if (!c.dead) return Promise.resolve(c);
      this.open--;
    }
    if (this.open < this.max) return this.connect();
    return new Promise((res, rej) => this.waiting.push({ res, rej }));
  }

  release(c) {
    if (c.dead) {
      this.open--;
      const w = this.waiting.shift();
      if (w) this.connect().then(w.res, w.rej);
      return;
    }
    const w = this.waiting.shift();
    if (w) w.res(c);
    else this.idle.push(c);
  }

  close() {
    for (const c of this.idle) c.destroy();
    this.idle = [];
  }
}

/**
 * Open-loop load: request i is due at t0 + i/rate (whatever happened to earlier ones), for durationMs. Latency is
 * measured from the due time (no coordinated omission) and, separately, from the moment the bytes were written.
 * next(i) → { bytes, meta } ; onResult(meta, res | null, error | null, timing) is called per request.
 */
export async function openLoop({ pool: conns, rate, durationMs, next, onResult, timeoutMs = 10000 }) {
  const total = Math.floor((rate * durationMs) / 1000);
  const sched = new Float64Array(total);
  const sent = new Float64Array(total);
  const done = new Float64Array(total);
  const status = new Int16Array(total);
  let issued = 0;
  let finished = 0;
  const t0 = performance.now() + 20;
  let resolveAll;
  const all = new Promise((r) => (resolveAll = r));
  const fire = (i, due) => {
    const { bytes, meta } = next(i);
    sched[i] = due;
    conns
      .acquire()
      .then((c) => {
        sent[i] = performance.now();
        return c.request(bytes, timeoutMs).then(
          (res) => {
            conns.release(c);
            return res;
          },
          (e) => {
            conns.release(c);
            throw e;
          },
        );
      })
      .then(
        (res) => {
          done[i] = performance.now();
          status[i] = res.status;
          onResult?.(meta, res, null, { due, sent: sent[i], done: done[i] });
        },
        (e) => {
          done[i] = performance.now();
          status[i] = -1;
          onResult?.(meta, null, e, { due, sent: sent[i], done: done[i] });
        },
      )
      .finally(() => {
        if (++finished === total) resolveAll();
      });
  };
  await new Promise((res) => {
    const tick = () => {
      const now = performance.now();
      while (issued < total && t0 + (issued * 1000) / rate <= now) {
        fire(issued, t0 + (issued * 1000) / rate);
        issued++;
      }
      if (issued < total) setTimeout(tick, 1);
      else res();
    };
    setTimeout(tick, 20);
  });
  const sendEnd = performance.now();
  if (total) await all;
  const end = performance.now();
  return { total, t0, sendEnd, end, sched, sent, done, status };
}

/** Closed loop: `concurrency` workers, each sends its next request when the previous one is answered, for durationMs. */
export async function closedLoop({
  pool: conns,
  concurrency,
  durationMs,
  next,
  onResult,
  timeoutMs = 10000,
}) {
  const lat = [];
  const statuses = new Map();
  let i = 0;
  const t0 = performance.now();
  const stopAt = t0 + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        const k = i++;
        const { bytes, meta } = next(k);
        let c;
        const s = performance.now();
        try {
          c = await conns.acquire();
          const res = await c.request(bytes, timeoutMs);
          conns.release(c);
          const d = performance.now();
          lat.push(d - s);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          onResult?.(meta, res, null, { sent: s, done: d });
        } catch (e) {
          if (c) conns.release(c);
          statuses.set(-1, (statuses.get(-1) ?? 0) + 1);
          onResult?.(meta, null, e, { sent: s, done: performance.now() });
          await sleep(50);
        }
      }
    }),
  );
  return {
    ms: performance.now() - t0,
    count: lat.length,
    latencies: lat,
    statuses: Object.fromEntries(statuses),
  };
}

// ---- statistics ------------------------------------------------------------------------------------------------------
export function pct(sortedOrUnsorted, p, sorted = false) {
  const a = sorted ? sortedOrUnsorted : Float64Array.from(sortedOrUnsorted).sort();
  if (!a.length) return null;
  const idx = Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1));
  return a[idx];
}

export function summary(values) {
  const a = Float64Array.from(values).sort();
  if (!a.length) return { n: 0 };
  let sum = 0;
  for (const v of a) sum += v;
  const r = (x) => Math.round(x * 100) / 100;
  return {
    n: a.length,
    mean: r(sum / a.length),
    p50: r(pct(a, 50, true)),
    p90: r(pct(a, 90, true)),
    p95: r(pct(a, 95, true)),
    p99: r(pct(a, 99, true)),
    p999: r(pct(a, 99.9, true)),
    max: r(a[a.length - 1]),
  };
}

// ---- CPU accounting ----------------------------------------------------------------------------------------------------
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

function procCpuMs(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime + stime
  } catch {
    return null;
  }
}

function procsNamed(name) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')) === name) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

function machine() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3] + (f[4] || 0), total: f.reduce((a, b) => a + b, 0) };
}

/**
 * CPU time spent by named processes over a phase: start() … stop() → { wallMs, cpuMs: {label: ms}, machineBusy }.
 * `postgres` sums every postgres process (other databases' work on a shared box included), `redis` the redis-server.
 */
export function cpuMeter(pids) {
  let a;
  const perPid = (name) => new Map(procsNamed(name).map((p) => [p, procCpuMs(p) ?? 0]));
  const snap = () => {
    const m = machine();
    const per = {};
    for (const [label, pid] of Object.entries(pids())) {
      if (pid === 'self') {
        const u = process.cpuUsage();
        per[label] = (u.user + u.system) / 1000;
      } else per[label] = procCpuMs(pid);
    }
    return { t: performance.now(), m, per, postgres: perPid('postgres'), redis: perPid('redis-server') };
  };
  // per process: the CPU it used between the two snapshots (a process that started in between counts fully; one that
  // exited in between is missed — pools keep their backends while they are busy)
  const delta = (before, after, only = null) => {
    let sum = 0;
    for (const [pid, ms] of after) if (!only || only.has(pid)) sum += ms - (before.get(pid) ?? 0);
    return Math.round(sum);
  };
  return {
    start() {
      a = snap();
    },
    /** ours: pids of this database's backends (pg_stat_activity), to split them out of the postgres total. */
    stop(ours = null) {
      const b = snap();
      const wallMs = b.t - a.t;
      const cpuMs = {};
      for (const k of Object.keys(b.per))
        if (a.per[k] !== null && b.per[k] !== null && a.per[k] !== undefined)
          cpuMs[k] = Math.round(b.per[k] - a.per[k]);
      cpuMs.postgres = delta(a.postgres, b.postgres);
      if (ours) cpuMs.postgresThisDb = delta(a.postgres, b.postgres, ours);
      cpuMs.redis = delta(a.redis, b.redis);
      const busy = 1 - (b.m.idle - a.m.idle) / Math.max(1, b.m.total - a.m.total);
      return {
        wallMs: Math.round(wallMs),
        cpuMs,
        machineBusy: Math.round(busy * 100) / 100,
        cores: cpus().length,
      };
    },
  };
}

/** pids of the backends connected to a database (for cpuMeter().stop). */
export async function backendPids(client, database) {
  const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  return new Set(rows.map((r) => r.pid));
}

/** Waits (at most maxWaitS) until the CPUs were ≤ 25% busy over a second; returns the busy share seen. */
export async function waitForQuiet(label, maxWaitS = 60) {
  if (!existsSync('/proc/stat') || maxWaitS <= 0) return null;
  const start = Date.now();
  let told = false;
  for (;;) {
    const a = machine();
    await sleep(1000);
    const b = machine();
    const busy = 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
    if (busy <= 0.25) return Math.round(busy * 100) / 100;
    if (Date.now() - start > maxWaitS * 1000) {
      log(
        `WARNING: machine still ${Math.round(busy * 100)}% busy after ${maxWaitS} s; measuring ${label} anyway`,
      );
      return Math.round(busy * 100) / 100;
    }
    if (!told) log(`waiting for a quiet machine before ${label} (CPUs ${Math.round(busy * 100)}% busy)…`);
    told = true;
  }
}

// ---- reporting ---------------------------------------------------------------------------------------------------------
export function table(headers, rows) {
  const cells = [headers, ...rows].map((r) =>
    r.map((c) => (c === null || c === undefined ? '–' : String(c))),
  );
  const w = headers.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  const line = (r) => `| ${r.map((c, i) => c + ' '.repeat(w[i] - [...c].length)).join(' | ')} |`;
  return [line(cells[0]), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

export function environment(app) {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGB: Math.round(totalmem() / 2 ** 30),
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    git: git(app),
    fingerprint: sourceFingerprint(app),
  };
}

export function writeResult(file, data) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(data, null, 2));
  log(`results written to ${file}`);
}

export const resultsDir = join(repoRoot, 'bench/results');

/** The receipt hash as the app computes it (dist/src/modules/exams/domain/receipt.js). */
export function receiptHasher(dist) {
  return require(join(dist, 'src/modules/exams/domain/receipt.js')).answerSetHash;
}
