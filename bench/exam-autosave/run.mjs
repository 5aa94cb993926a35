#!/usr/bin/env node
// Exam autosave benchmark: candidates saving answers through the real endpoint (PUT /api/v1/attempts/:id/answers/:itemId)
// with real sessions, next to a bare Node http + pg server doing the same session lookup and the same UPDATE on the same
// rows (baseline-server.mjs), in the same run. See bench/exam-autosave/README.md.
//
//   node bench/exam-autosave/run.mjs [--candidates 1000] [--connections 50] [--duration 10] [--rate 2000]
//        [--rate-duration 10] [--sweep 500,1000] [--rounds 1] [--mode all|split] [--profile | --no-profile] [--no-build] [--app DIR]
//        [--max-wait 30] [--keep-db] [--out FILE]
//
// Targets: max throughput ≥ 0.7× the baseline's; p99 < 25 ms at 2,000 saves/s offered at a fixed rate.
// Exit status: 0 all targets met, 3 a target missed, 1 error.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as S from './shared.mjs';
import { render, summarise } from './profile-summary.mjs';

const o = S.options();
const N = o.num('candidates', 1000);
const CONNECTIONS = o.num('connections', 50);
const DURATION_S = o.num('duration', 10);
const RATE = o.num('rate', 2000);
const RATE_DURATION_S = o.num('rate-duration', 10);
const ROUNDS = Math.max(1, o.num('rounds', 1));
// extra fixed rates measured on both servers (where the knee is), besides the target rate
const SWEEP = o
  .str('sweep', '500,1000')
  .split(',')
  .filter(Boolean)
  .map(Number)
  .filter((x) => x > 0 && x !== RATE);
const MODE = o.str('mode', 'all'); // all: one process (web + workers); split: --web and a separate --worker process
const APP = resolve(o.str('app', S.repoRoot));
const MAX_WAIT = o.num('max-wait', 30);
const OUT = o.str('out', join(S.resultsDir, 'exam-autosave.json'));
const PROFILE = o.flag('profile') ? 'always' : o.flag('no-profile') ? 'never' : 'on-miss';
const TARGET = { ratio: 0.7, p99Ms: 25, rate: RATE };
if (!['all', 'split'].includes(MODE)) throw new Error('--mode is all or split');

const autocannon = S.require('autocannon');
const dist = S.build(APP, !o.flag('no-build'));
const stamp = `${Date.now().toString(36)}_${process.pid}`;
const DB = `pa_bench_autosave_${stamp}`;
const PREFIX = `pa_bench_autosave_${stamp}`;
const dbUrl = S.dbUrlOf(DB);
const secret = S.newSecret();
const work = mkdtempSync(join(tmpdir(), 'pa-bench-autosave-'));
const here = new URL('.', import.meta.url).pathname;

const procs = [];
let client = null;
const result = {
  benchmark: 'exam-autosave',
  startedAt: new Date().toISOString(),
  options: { N, CONNECTIONS, DURATION_S, RATE, RATE_DURATION_S, ROUNDS, MODE, SWEEP },
  targets: TARGET,
  environment: S.environment(APP),
};

async function main() {
  result.postgres = await S.pgSettings(S.dbUrlOf('postgres'));
  await S.createDatabase(DB);
  const appPort = await S.freePort();
  const basePort = await S.freePort();
  const env = S.appEnv({ dbUrl, prefix: PREFIX, secret });
  const hook = ['-r', S.profileHook];
  S.log(
    `starting the app (${MODE === 'all' ? 'web + workers in one process' : '--web, plus a separate --worker process'}) on :${appPort}, database ${DB}`,
  );
  const web = S.startApp({
    dist,
    role: MODE === 'all' ? 'all' : 'web',
    port: appPort,
    env,
    logFile: join(work, 'app.log'),
    nodeArgs: hook,
    ipc: true,
  });
  procs.push(web);
  const bootMs = await S.waitReady(`http://127.0.0.1:${appPort}/health`, { app: web });
  let worker = null;
  if (MODE === 'split') {
    worker = S.startApp({ dist, role: 'worker', port: 0, env, logFile: join(work, 'worker.log') });
    procs.push(worker);
  }
  S.log(`app ready in ${bootMs} ms (migrations, content import)`);
  const base = `http://127.0.0.1:${appPort}`;

  client = S.pgClient(dbUrl);
  await client.connect();
  const candidates = await S.createCandidates(client, dist, N, 'autosave');
  S.log(`${N} candidates created; signing in through POST /api/v1/auth/login…`);
  const loginMs = await S.loginAll(base, candidates, 4);
  const exams = (await S.api(base, candidates[0].cookie, 'GET', '/api/v1/exams')).data;
  const practice = exams.find((e) => e.mode === 'practice');
  S.log(`${N} sign-ins in ${(loginMs / 1000).toFixed(1)} s; starting ${N} attempts of "${practice.title}"…`);
  const starts = await S.startAttempts(base, candidates, practice.id, { concurrency: 4 });
  const itemsPer = candidates[0].attempt.items.length;
  const types = {};
  for (const c of candidates) for (const it of c.attempt.items) types[it.type] = (types[it.type] ?? 0) + 1;
  S.log(
    `${N} attempts started in ${(starts.ms / 1000).toFixed(1)} s (${itemsPer} items each; item types ${JSON.stringify(types)})`,
  );
  result.setup = {
    bootMs,
    loginMs,
    startMs: starts.ms,
    startLatency: S.summary(starts.latencies),
    itemsPerAttempt: itemsPer,
    itemTypes: types,
    practiceExamId: practice.id,
  };

  S.log(`starting the baseline server on :${basePort}`);
  const baseline = S.startApp({
    dist,
    script: join(here, 'baseline-server.mjs'),
    role: 'baseline',
    port: basePort,
    env: { DATABASE_URL: dbUrl, SESSION_SECRET: secret },
    logFile: join(work, 'baseline.log'),
    nodeArgs: hook,
    ipc: true,
  });
  procs.push(baseline);
  const bproc = baseline.proc;
  await S.waitReady(`http://127.0.0.1:${basePort}/health`);

  // ---- the request stream: rotate over candidates first, then items; one global, increasing seq -----------------------
  const slots = [];
  for (const c of candidates)
    for (const it of c.attempt.items)
      slots.push({
        cand: c.index,
        attemptId: c.attempt.attemptId,
        itemId: it.itemId,
        variants: it.variants,
        path: `/api/v1/attempts/${c.attempt.attemptId}/answers/${encodeURIComponent(it.itemId)}`,
        head: `Cookie: ${c.cookie}\r\nContent-Type: application/json\r\nAccept: application/json\r\nX-Attempt-Session: ${c.attempt.clientSession}\r\n`,
        headers: {
          cookie: c.cookie,
          'content-type': 'application/json',
          accept: 'application/json',
          'x-attempt-session': c.attempt.clientSession,
        },
      });
  const slotOf = (k) => slots[(k % N) * itemsPer + (Math.floor(k / N) % itemsPer)];
  let seq = 0;
  let k = 0;
  const ackedSeq = new Float64Array(slots.length);
  const slotIndex = new Map(slots.map((s, i) => [s, i]));
  const nextSave = () => {
    const s = slotOf(k);
    const v = s.variants[Math.floor(k / N) % s.variants.length];
    k++;
    seq++;
    return { s, seq, body: `{"response":${v},"seq":${seq}}` };
  };
  const bytesOf = ({ s, body }) => {
    const b = Buffer.from(body);
    return Buffer.concat([
      Buffer.from(
        `PUT ${s.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${s.head}Content-Length: ${b.length}\r\n\r\n`,
        'latin1',
      ),
      b,
    ]);
  };

  const pidsFor = (server) => () => ({
    [server]: server === 'app' ? web.pid : bproc.pid,
    ...(worker ? { worker: worker.pid } : {}),
    generator: 'self',
  });

  async function maxThroughput(server, port, durationS, measure = true) {
    const busyBefore = measure ? await S.waitForQuiet(`${server} max throughput`, MAX_WAIT) : null;
    const lat = [];
    const meter = S.cpuMeter(pidsFor(server));
    meter.start();
    const inst = autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: durationS,
      requests: [
        {
          method: 'PUT',
          setupRequest: (req) => {
            const x = nextSave();
            return { ...req, method: 'PUT', path: x.s.path, headers: x.s.headers, body: x.body };
          },
        },
      ],
    });
    inst.on('response', (_c, _status, _bytes, ms) => lat.push(ms));
    const r = await inst;
    const cpu = meter.stop(await S.backendPids(client, DB));
    const ok = r.statusCodeStats?.['200']?.count ?? r['2xx'];
    const total = Object.values(r.statusCodeStats ?? {}).reduce((a, b) => a + b.count, 0);
    return {
      server,
      test: 'max',
      load: `${CONNECTIONS} conns, ${durationS} s`,
      durationS: r.duration,
      requests: total,
      ok,
      nonOk: total - ok,
      errors: r.errors + r.timeouts,
      statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([c, v]) => [c, v.count])),
      throughput: Math.round(ok / r.duration),
      latencyMs: S.summary(lat),
      cpu,
      busyBefore,
    };
  }

  async function fixedRate(server, port, rate, durationS) {
    const busyBefore = await S.waitForQuiet(`${server} at ${rate}/s`, MAX_WAIT);
    const conns = new S.ConnPool(port, 256);
    await conns.warm(32);
    const meter = S.cpuMeter(pidsFor(server));
    const statuses = {};
    const errors = {};
    meter.start();
    const r = await S.openLoop({
      pool: conns,
      rate,
      durationMs: durationS * 1000,
      timeoutMs: 10000,
      next: () => {
        const x = nextSave();
        return { bytes: bytesOf(x), meta: x };
      },
      onResult: (x, res, error) => {
        if (res) {
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 200) {
            const i = slotIndex.get(x.s);
            if (x.seq > ackedSeq[i]) ackedSeq[i] = x.seq;
          }
        } else errors[error.code ?? error.message] = (errors[error.code ?? error.message] ?? 0) + 1;
      },
    });
    const cpu = meter.stop(await S.backendPids(client, DB));
    conns.close();
    const fromDue = [];
    const fromSend = [];
    for (let i = 0; i < r.total; i++) {
      if (r.status[i] !== 200) continue;
      fromDue.push(r.done[i] - r.sched[i]);
      fromSend.push(r.done[i] - r.sent[i]);
    }
    const ok = statuses[200] ?? 0;
    return {
      server,
      test: `${rate}/s`,
      load: `open loop ${rate}/s, ${durationS} s`,
      durationS: Math.round(r.end - r.t0) / 1000,
      requests: r.total,
      ok,
      nonOk: r.total - ok - Object.values(errors).reduce((a, b) => a + b, 0),
      errors: Object.values(errors).reduce((a, b) => a + b, 0),
      errorKinds: errors,
      statusCodes: statuses,
      offeredRate: rate,
      achievedSendRate: Math.round((r.total / (r.sendEnd - r.t0)) * 1000),
      throughput: Math.round((ok / (r.end - r.t0)) * 1000),
      latencyMs: S.summary(fromDue),
      serviceMs: S.summary(fromSend),
      cpu,
      busyBefore,
    };
  }

  // ---- warm-up: every attempt once on each server (fills the app's item/content caches and the baseline's grace cache),
  // then a few seconds of load -----------------------------------------------------------------------------------------
  S.log('warm-up: one save per attempt on each server, then 3 s of load on each');
  for (const port of [appPort, basePort]) {
    const conns = new S.ConnPool(port, 16);
    let bad = 0;
    await S.pool(candidates, 16, async (c) => {
      const s = slots[c.index * itemsPer];
      seq++;
      const conn = await conns.acquire();
      const res = await conn.request(
        bytesOf({ s, body: `{"response":${s.variants[0]},"seq":${seq}}` }),
        10000,
      );
      conns.release(conn);
      if (res.status !== 200) {
        bad++;
        if (bad < 3) S.log(`warm-up save answered ${res.status}: ${res.body.slice(0, 300)}`);
      }
    });
    conns.close();
    if (bad) throw new Error(`${bad} warm-up saves failed on :${port}`);
  }
  await maxThroughput('app', appPort, 3, false);
  await maxThroughput('baseline', basePort, 3, false);

  // ---- measured phases ---------------------------------------------------------------------------------------------
  const phases = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? ['app', 'baseline'] : ['baseline', 'app'];
    for (const server of order) {
      S.log(`round ${round}: ${server}, max throughput (${CONNECTIONS} connections, ${DURATION_S} s)`);
      phases.push({
        round,
        ...(await maxThroughput(server, server === 'app' ? appPort : basePort, DURATION_S)),
      });
      S.log(
        `  → ${phases.at(-1).throughput} saves/s, p99 ${phases.at(-1).latencyMs.p99} ms, non-200 ${phases.at(-1).nonOk}`,
      );
    }
    for (const rate of [...SWEEP, RATE])
      for (const server of order) {
        S.log(`round ${round}: ${server}, fixed rate ${rate}/s for ${RATE_DURATION_S} s`);
        phases.push({
          round,
          ...(await fixedRate(server, server === 'app' ? appPort : basePort, rate, RATE_DURATION_S)),
        });
        S.log(
          `  → ${phases.at(-1).throughput} ok/s, p50 ${phases.at(-1).latencyMs.p50} / p99 ${phases.at(-1).latencyMs.p99} ms, non-200 ${phases.at(-1).nonOk}, errors ${phases.at(-1).errors}`,
        );
      }
  }
  result.phases = phases;

  // ---- every save acknowledged in the fixed-rate phases is in the database (seq ≥ acked seq) ---------------------------
  const { rows } = await client.query(`SELECT attempt_id, item_id, seq FROM attempt_items`);
  const dbSeq = new Map(rows.map((r) => [`${r.attempt_id}/${r.item_id}`, Number(r.seq)]));
  let acked = 0;
  let missing = 0;
  slots.forEach((s, i) => {
    if (!ackedSeq[i]) return;
    acked++;
    if ((dbSeq.get(`${s.attemptId}/${s.itemId}`) ?? 0) < ackedSeq[i]) missing++;
  });
  result.ackCheck = { slotsWithAcks: acked, missing };

  // ---- verdicts -----------------------------------------------------------------------------------------------------
  const med = (xs) => {
    const a = [...xs].sort((x, y) => x - y);
    return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  };
  const appMax = med(phases.filter((p) => p.server === 'app' && p.test === 'max').map((p) => p.throughput));
  const baseMax = med(
    phases.filter((p) => p.server === 'baseline' && p.test === 'max').map((p) => p.throughput),
  );
  const appRate = phases.filter((p) => p.server === 'app' && p.offeredRate === RATE);
  const worstP99 = Math.max(...appRate.map((p) => p.latencyMs.p99));
  const rateOk = appRate.every((p) => p.nonOk === 0 && p.errors === 0 && p.achievedSendRate >= RATE * 0.98);
  result.verdict = {
    appMaxThroughput: appMax,
    baselineMaxThroughput: baseMax,
    ratio: Math.round((appMax / baseMax) * 100) / 100,
    ratioPass: appMax / baseMax >= TARGET.ratio,
    p99AtRateMs: worstP99,
    p99Pass: worstP99 < TARGET.p99Ms && rateOk,
    rateClean: rateOk,
    ackPass: missing === 0,
  };

  // ---- what each save sends to Postgres and Redis (counted in the server process; not part of the figures) -----------
  result.statementsPerSave = {};
  for (const [server, proc, port] of [
    ['app', web, appPort],
    ['baseline', baseline, basePort],
  ]) {
    await S.countStart(proc);
    const p = await maxThroughput(server, port, 3, false);
    const c = await S.countStop(proc);
    const per = (m) =>
      Object.fromEntries(
        Object.entries(m)
          .map(([k, v]) => [k, Math.round((v / p.requests) * 100) / 100])
          .filter(([, v]) => v > 0),
      );
    result.statementsPerSave[server] = { requests: p.requests, sql: per(c.sql), redis: per(c.redis) };
  }

  // ---- profile (not part of the figures): the app under max load, then the baseline --------------------------------
  const missed = !result.verdict.ratioPass || !result.verdict.p99Pass;
  if (PROFILE === 'always' || (PROFILE === 'on-miss' && missed)) {
    result.profiles = {};
    for (const [server, proc, port, file] of [
      ['app', web, appPort, join(work, 'web.cpuprofile')],
      ['baseline', baseline, basePort, join(work, 'baseline.cpuprofile')],
    ]) {
      S.log(`profiling the ${server} under max load (${DURATION_S} s; not part of the figures)`);
      const p = await S.profiled(proc, file, () => maxThroughput(server, port, DURATION_S, false));
      const s = summarise(JSON.parse(readFileSync(file, 'utf8')));
      const text = render(s, { top: 30, requests: p.requests });
      const keep = join(S.resultsDir, `exam-autosave-${server}.cpuprofile`);
      S.writeResult(keep, JSON.parse(readFileSync(file, 'utf8')));
      result.profiles[server] = {
        requests: p.requests,
        throughput: p.throughput,
        file: keep,
        summary: text,
        attributed: s.attributed,
        busyMs: s.busyMs,
      };
    }
  }
}

function report() {
  const r = result;
  const rows = (r.phases ?? []).map((p) => {
    const per = (label) =>
      p.cpu.cpuMs[label] !== undefined && p.ok ? Math.round((p.cpu.cpuMs[label] * 1000) / p.ok) : null;
    return [
      p.round,
      p.server,
      p.test === 'max'
        ? `max (${CONNECTIONS} conns)`
        : `fixed ${p.offeredRate}/s (sent ${p.achievedSendRate}/s)`,
      p.requests,
      p.throughput,
      p.latencyMs.p50,
      p.latencyMs.p95,
      p.latencyMs.p99,
      p.latencyMs.max,
      `${p.nonOk}/${p.errors}`,
      `${per(p.server) ?? '–'} / ${per('postgresThisDb') ?? '–'} (${per('postgres') ?? '–'}) / ${per('generator') ?? '–'}${p.cpu.cpuMs.worker !== undefined ? ` / w ${per('worker')}` : ''}`,
      `${Math.round(p.cpu.machineBusy * 100)}%`,
      p.busyBefore === null || p.busyBefore === undefined ? '–' : `${Math.round(p.busyBefore * 100)}%`,
    ];
  });
  console.log(
    `\nexam autosave: PUT /api/v1/attempts/:id/answers/:itemId, ${N} candidates × ${r.setup?.itemsPerAttempt} items, app ${MODE === 'all' ? 'all-in-one (web + workers)' : '--web + --worker'} vs bare http+pg baseline\n`,
  );
  console.log(
    S.table(
      [
        'round',
        'server',
        'load',
        'requests',
        'ok/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'non-200/err',
        'CPU µs/save: server / postgres this DB (all) / generator',
        'CPU busy',
        'busy before',
      ],
      rows,
    ),
  );
  console.log(
    '\nlatency at a fixed rate is measured from the moment each request was due (open loop), so queueing counts.',
  );
  if (r.verdict) {
    const v = r.verdict;
    console.log(
      `\n${S.table(
        ['target', 'measured', 'verdict'],
        [
          [
            `app max throughput ≥ ${TARGET.ratio}× baseline`,
            `${v.appMaxThroughput} / ${v.baselineMaxThroughput} saves/s = ${v.ratio}×`,
            v.ratioPass ? 'PASS' : 'FAIL',
          ],
          [
            `p99 < ${TARGET.p99Ms} ms at ${RATE} saves/s (no errors)`,
            `p99 ${v.p99AtRateMs} ms${v.rateClean ? '' : ' (errors or rate not reached)'}`,
            v.p99Pass ? 'PASS' : 'FAIL',
          ],
          [
            'every acked save (fixed-rate phases) is in the DB',
            `${r.ackCheck.slotsWithAcks} answers checked, ${r.ackCheck.missing} missing`,
            v.ackPass ? 'PASS' : 'FAIL',
          ],
        ],
      )}`,
    );
  }
  for (const [server, c] of Object.entries(r.statementsPerSave ?? {})) {
    console.log(`\n${server}: statements per save (counted over ${c.requests} saves)`);
    console.log(S.table(['SQL statement (first 90 characters)', 'per save'], Object.entries(c.sql)));
    if (Object.keys(c.redis).length)
      console.log(S.table(['Redis command', 'per save'], Object.entries(c.redis)));
  }
  if (r.profiles?.app && r.profiles?.baseline) {
    // side by side: where the time per save goes (profile busy time, charged to the nearest package on the stack)
    const rowsOf = (p) => new Map(p.attributed.map(([k, v]) => [k, (v * 1000) / p.requests]));
    const a = rowsOf(r.profiles.app);
    const b = rowsOf(r.profiles.baseline);
    const keys = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => (a.get(y) ?? 0) - (a.get(x) ?? 0));
    const f = (x) => (x === undefined ? '–' : x.toFixed(0));
    console.log(
      '\nprofile busy time per save, µs (profiled runs, not the measured ones; wall-clock samples, so CPU contention inflates them)',
    );
    console.log(
      S.table(
        ['component', 'app', 'baseline', 'app − baseline'],
        [
          ...keys.map((k) => [k, f(a.get(k)), f(b.get(k)), f((a.get(k) ?? 0) - (b.get(k) ?? 0))]),
          [
            'total busy',
            f((r.profiles.app.busyMs * 1000) / r.profiles.app.requests),
            f((r.profiles.baseline.busyMs * 1000) / r.profiles.baseline.requests),
            '',
          ],
        ],
      ),
    );
  }
  for (const [server, p] of Object.entries(r.profiles ?? {}))
    console.log(`\nCPU profile of the ${server} under max load (${p.throughput} saves/s):\n${p.summary}`);
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  result.error = String(error.stack ?? error);
  S.log(`ERROR: ${error.stack ?? error}`);
  for (const f of ['app.log', 'worker.log', 'baseline.log'])
    if (existsSync(join(work, f)))
      S.log(`--- ${f} (tail)\n${readFileSync(join(work, f), 'utf8').split('\n').slice(-30).join('\n')}`);
} finally {
  for (const p of procs.reverse()) await p.stop().catch(() => undefined);
  if (client) await client.end().catch(() => undefined);
  if (!o.flag('keep-db')) await S.dropDatabase(DB).catch((e) => S.log(`could not drop ${DB}: ${e.message}`));
  const removed = await S.cleanupRedis(PREFIX).catch(() => 0);
  S.log(
    `cleaned up: database ${DB}${o.flag('keep-db') ? ' kept' : ' dropped'}, ${removed} Redis keys under ${PREFIX}:`,
  );
  rmSync(work, { recursive: true, force: true });
}
result.finishedAt = new Date().toISOString();
S.writeResult(OUT, result);
report();
const pass =
  !failed && result.verdict && result.verdict.ratioPass && result.verdict.p99Pass && result.verdict.ackPass;
process.exit(failed ? 1 : pass ? 0 : 3);
