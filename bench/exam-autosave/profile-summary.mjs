#!/usr/bin/env node
// Summarises a V8 .cpuprofile: where the busy time goes, by function (self), by package/file (self and inclusive).
//   node bench/exam-autosave/profile-summary.mjs FILE.cpuprofile [--top 25] [--requests N]
// With --requests, times are also given in µs per request.
import { readFileSync } from 'node:fs';

const IDLE = new Set(['(idle)', '(program)']);

function bucketOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native/builtin)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return `pkg ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `app ${url.slice(dist + 6).replace(/\.js$/, '.ts')}`;
  return url.replace(/^file:\/\//, '');
}

// Components a save request passes through, by package / app file (first match wins).
const COMPONENTS = [
  [
    'async_hooks (AsyncLocalStorage promise hooks)',
    (b) => b === 'node:async_hooks' || b === 'node:internal/async_hooks',
  ],
  [
    'session: @fastify/session + PostgresSessionStore',
    (b) =>
      /^pkg (@fastify\/session|safe-stable-stringify)$/.test(b) ||
      b === 'app src/infra/http/session-store.ts',
  ],
  ['cookies: @fastify/cookie', (b) => b === 'pkg @fastify/cookie' || b === 'pkg cookie'],
  ['security headers: @fastify/helmet', (b) => /^pkg (@fastify\/helmet|helmet)$/.test(b)],
  [
    'request logging: nestjs-pino / pino-http / pino',
    (b) => /^pkg (nestjs-pino|pino-http|pino|pino-std-serializers|sonic-boom|fast-redact)$/.test(b),
  ],
  [
    'validation: ValidationPipe (class-validator/-transformer)',
    (b) =>
      /^pkg (class-validator|class-transformer|validator|libphonenumber-js)$/.test(b) ||
      b === 'app src/infra/http/validation.ts',
  ],
  ['access guard', (b) => /^app src\/(modules\/accounts\/access|infra\/http\/access)/.test(b)],
  [
    'app: exams save path (service, repository, answer checks)',
    (b) => /^app src\/modules\/(exams|question-banks)\//.test(b),
  ],
  ['app: outbox relay, queue service, worker runner', (b) => b.startsWith('app src/infra/queue/')],
  ['app: other', (b) => b.startsWith('app ')],
  [
    'queue: BullMQ / ioredis / msgpackr',
    (b) =>
      /^pkg (bullmq|ioredis|msgpackr|redis-parser|cluster-key-slot|denque|standard-as-callback|cron-parser|luxon|node-abort-controller|semver|uuid)$/.test(
        b,
      ),
  ],
  ['typeorm (DataSource.query, QueryRunner)', (b) => b === 'pkg typeorm' || b === 'pkg @nestjs/typeorm'],
  [
    'pg driver (protocol, pool, socket writes)',
    (b) =>
      /^pkg (pg|pg-protocol|pg-pool|pg-types|postgres-date|postgres-array|postgres-bytea|postgres-interval|pg-connection-string)$/.test(
        b,
      ),
  ],
  [
    'Nest (router, guards, pipes, interceptors, middie)',
    (b) =>
      /^pkg (@nestjs\/core|@nestjs\/common|@nestjs\/platform-fastify|@fastify\/middie|iterare|rxjs|reflect-metadata|tslib|path-to-regexp)$/.test(
        b,
      ),
  ],
  [
    'fastify core (routing, hooks, serialisation, reply)',
    (b) =>
      /^pkg (fastify|find-my-way|avvio|fast-json-stringify|@fastify\/.*|light-my-request|secure-json-parse|fast-querystring|toad-cache|process-warning|abstract-logging|rfdc|fast-content-type-parse|fastq)$/.test(
        b,
      ),
  ],
  ['benchmark baseline server', (b) => b.includes('baseline-server')],
  ['other packages', (b) => b.startsWith('pkg ')],
];

export function summarise(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => {
    const f = n.callFrame;
    return `${f.functionName || '(anonymous)'} ${bucketOf(f.url, f.functionName)}:${f.lineNumber + 1}`;
  };
  const self = new Map();
  const attributed = new Map();
  const attributedDetail = new Map();
  const selfBucket = new Map();
  const incBucket = new Map();
  const incFn = new Map();
  let total = 0;
  let busy = 0;
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000; // ms (delta to the next sample)
    const n = nodes.get(samples[i]);
    total += dt;
    const name = n.callFrame.functionName;
    if (IDLE.has(name)) continue;
    busy += dt;
    add(self, keyOf(n), dt);
    add(selfBucket, bucketOf(n.callFrame.url, name), dt);
    // charge the sample to the nearest package or app file on its stack (node internals and natives go to their caller)
    let charged = null;
    for (let id = n.id; id !== undefined && !charged; id = parent.get(id)) {
      const x = nodes.get(id);
      const b = bucketOf(x.callFrame.url, x.callFrame.functionName);
      const c = COMPONENTS.find(([, test]) => test(b));
      if (c) charged = [c[0], b];
    }
    if (!charged) {
      const b = bucketOf(n.callFrame.url, name);
      charged = [
        b === '(garbage collector)'
          ? 'garbage collection'
          : 'node core with no package on the stack (http parser, timers, net)',
        b,
      ];
    }
    add(attributed, charged[0], dt);
    add(attributedDetail, `${charged[0]} :: ${charged[1]}`, dt);
    const seenB = new Set();
    const seenF = new Set();
    for (let id = n.id; id !== undefined; id = parent.get(id)) {
      const x = nodes.get(id);
      const b = bucketOf(x.callFrame.url, x.callFrame.functionName);
      if (!seenB.has(b)) {
        seenB.add(b);
        add(incBucket, b, dt);
      }
      const k = keyOf(x);
      if (!seenF.has(k)) {
        seenF.add(k);
        add(incFn, k, dt);
      }
    }
  }
  const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total,
    busyMs: busy,
    attributed: sorted(attributed),
    attributedDetail: sorted(attributedDetail),
    self: sorted(self),
    selfBucket: sorted(selfBucket),
    incBucket: sorted(incBucket),
    incFn: sorted(incFn),
  };
}

export function render(s, { top = 25, requests = 0 } = {}) {
  const per = (ms) => (requests ? ` ${((ms * 1000) / requests).toFixed(1).padStart(7)} µs/req` : '');
  const pctOf = (ms) => `${((100 * ms) / s.busyMs).toFixed(1).padStart(5)}%`;
  const lines = [];
  lines.push(
    `profile: ${s.totalMs.toFixed(0)} ms sampled, ${s.busyMs.toFixed(0)} ms busy (${((100 * s.busyMs) / s.totalMs).toFixed(0)}%)${requests ? `, ${requests} requests → ${((s.busyMs * 1000) / requests).toFixed(0)} µs busy per request` : ''}`,
  );
  lines.push(
    '',
    'busy time charged to the nearest package / app file on the stack (node internals and native calls such as socket writes go to their caller):',
  );
  for (const [k, v] of s.attributed)
    lines.push(`  ${pctOf(v)} ${v.toFixed(0).padStart(7)} ms${per(v)}  ${k}`);
  lines.push('', '  … by package / file:');
  for (const [k, v] of s.attributedDetail.slice(0, top))
    lines.push(`  ${pctOf(v)} ${v.toFixed(0).padStart(7)} ms${per(v)}  ${k}`);
  lines.push('', 'self time by package / file:');
  for (const [k, v] of s.selfBucket.slice(0, top))
    lines.push(`  ${pctOf(v)} ${v.toFixed(0).padStart(7)} ms${per(v)}  ${k}`);
  lines.push('', 'inclusive time by package / file (a sample counts once for every package on its stack):');
  for (const [k, v] of s.incBucket.slice(0, top))
    lines.push(`  ${pctOf(v)} ${v.toFixed(0).padStart(7)} ms${per(v)}  ${k}`);
  lines.push('', 'self time by function:');
  for (const [k, v] of s.self.slice(0, top))
    lines.push(`  ${pctOf(v)} ${v.toFixed(0).padStart(7)} ms${per(v)}  ${k}`);
  lines.push('', 'inclusive time by function (app code and selected libraries):');
  for (const [k, v] of s.incFn
    .filter(([k]) =>
      / app |pkg (typeorm|pg|@fastify|fastify|@nestjs|class-validator|class-transformer|nestjs-pino|pino|pino-http|helmet|avvio|light-my-request|find-my-way)/.test(
        k,
      ),
    )
    .slice(0, top * 2))
    lines.push(`  ${pctOf(v)} ${v.toFixed(0).padStart(7)} ms${per(v)}  ${k}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const file = argv.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  const get = (n, d) => (argv.includes(`--${n}`) ? Number(argv[argv.indexOf(`--${n}`) + 1]) : d);
  if (!file) {
    console.error(
      'usage: node bench/exam-autosave/profile-summary.mjs FILE.cpuprofile [--top 25] [--requests N]',
    );
    process.exit(1);
  }
  console.log(
    render(summarise(JSON.parse(readFileSync(file, 'utf8'))), {
      top: get('top', 25),
      requests: get('requests', 0),
    }),
  );
}
