#!/usr/bin/env node
// Exam deadline benchmark. See bench/exam-deadline/README.md.
//  (a) N attempts reach their deadline at the same instant while candidates keep saving answers: every attempt
//      auto-submitted and graded (passed/failed) within 10 s of the deadline, and every answer the server acknowledged
//      (HTTP 200) is in the graded attempt.
//  (b) N candidates press "submit" within one second, each client retrying on a 500 ms timeout until it succeeds:
//      exactly one submission per attempt, the same receipt on every retry, p99 (first try → success) under 2 s.
//
//   node bench/exam-deadline/run.mjs [--candidates 2000] [--mode all|split] [--worker-concurrency 8] [--lead 20]
//        [--save-rate 400] [--deadline-spread-ms 0] [--burst-ms 1000] [--timeout-ms 500] [--only a|b]
//        [--no-build] [--app DIR] [--max-wait 30] [--keep-db] [--out FILE]
//
// Exit status: 0 all targets met, 3 a target missed, 1 error.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as S from '../exam-autosave/shared.mjs';
import { render, summarise } from '../exam-autosave/profile-summary.mjs';

const o = S.options();
const N = o.num('candidates', 2000);
const MODE = o.str('mode', 'all');
const WORKER_CONCURRENCY = o.str('worker-concurrency', '');
const LEAD_S = o.num('lead', 20);
const SAVE_RATE = o.num('save-rate', 400);
const SPREAD_MS = o.num('deadline-spread-ms', 0);
const BURST_MS = o.num('burst-ms', 1000);
const TIMEOUT_MS = o.num('timeout-ms', 500);
const ONLY = o.str('only', 'ab');
const PROFILE = o.flag('profile');
const APP = resolve(o.str('app', S.repoRoot));
const MAX_WAIT = o.num('max-wait', 30);
const OUT = o.str('out', join(S.resultsDir, 'exam-deadline.json'));
const TARGET = { gradedWithinS: 10, submitP99Ms: 2000 };
if (!['all', 'split'].includes(MODE)) throw new Error('--mode is all or split');

const dist = S.build(APP, !o.flag('no-build'));
const { canonical, answerSetHash } = S.require(join(dist, 'src/modules/exams/domain/receipt.js'));
const stamp = `${Date.now().toString(36)}_${process.pid}`;
const DB = `pa_bench_deadline_${stamp}`;
const PREFIX = `pa_bench_deadline_${stamp}`;
const dbUrl = S.dbUrlOf(DB);
const secret = S.newSecret();
const work = mkdtempSync(join(tmpdir(), 'pa-bench-deadline-'));
const procs = [];
let client = null;
const result = {
  benchmark: 'exam-deadline',
  startedAt: new Date().toISOString(),
  options: { N, MODE, WORKER_CONCURRENCY: WORKER_CONCURRENCY || '8 (default)', LEAD_S, SAVE_RATE, SPREAD_MS, BURST_MS, TIMEOUT_MS, ONLY, PROFILE },
  targets: TARGET,
  environment: S.environment(APP),
};
const FINAL = ['passed', 'failed'];

async function stateCounts(examId) {
  const { rows } = await client.query(`SELECT state, count(*)::int AS n FROM attempts WHERE exam_id = $1 GROUP BY state`, [examId]);
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/** Waits until every attempt of the exam is passed/failed (or timeout); polls every 100 ms; returns the timeline. */
async function waitFinal(examId, t0Ms, timeoutMs) {
  const timeline = [];
  let last = 0;
  for (;;) {
    const counts = await stateCounts(examId);
    const now = Date.now();
    if (now - last >= 500) {
      timeline.push({ t: Math.round(now - t0Ms), ...counts });
      last = now;
    }
    const final = FINAL.reduce((s, k) => s + (counts[k] ?? 0), 0);
    if (final >= N) return { timeline, doneAt: now, counts };
    if (now - t0Ms > timeoutMs) return { timeline, doneAt: null, counts };
    await S.sleep(100);
  }
}

/** Statement / command counts divided by the number of attempts (or candidates), rounded. */
function perUnit(counts, n) {
  const r = (x) => Math.round((x / n) * 100) / 100;
  const sqlTotal = Object.values(counts.sql).reduce((a, b) => a + b, 0);
  const redisTotal = Object.values(counts.redis).reduce((a, b) => a + b, 0);
  return {
    sqlTotal: r(sqlTotal),
    redisTotal: r(redisTotal),
    sql: Object.fromEntries(Object.entries(counts.sql).map(([k, v]) => [k, r(v)]).filter(([, v]) => v > 0)),
    redis: Object.fromEntries(Object.entries(counts.redis).map(([k, v]) => [k, r(v)]).filter(([, v]) => v > 0)),
  };
}

// ---- (a) the deadline ------------------------------------------------------------------------------------------------
async function partA(base, port, candidates, examId, graceS) {
  const ids = candidates.map((c) => c.a.attemptId);
  const starts = candidates.map((c) => Date.parse(c.a.startedAt));
  const naturalSpreadMs = Math.max(...starts) - Math.min(...starts);
  // One deadline for all: T (whole second) + optional spread; the deadline job re-scheduled through the outbox exactly as
  // AttemptsService.scheduleDeadline writes it (job id autoSubmit-<attempt>-<runAt ms>, delay_until = deadline + grace).
  const T = Math.ceil((Date.now() + LEAD_S * 1000) / 1000) * 1000;
  await S.waitForQuiet('(a)', MAX_WAIT);
  await client.query('BEGIN');
  await client.query(
    `UPDATE attempts a SET deadline_at = to_timestamp(($2::bigint + floor(random() * $3)::bigint) / 1000.0), updated_at = now()
      WHERE a.exam_id = $1 AND a.id = ANY($4::uuid[])`,
    [examId, T, SPREAD_MS, ids],
  );
  await client.query(
    `INSERT INTO outbox (job_name, job_id, payload, delay_until)
     SELECT 'attempt.autoSubmit', 'autoSubmit-' || a.id || '-' || (extract(epoch FROM a.deadline_at + make_interval(secs => $2)) * 1000)::bigint,
            jsonb_build_object('attemptId', a.id), a.deadline_at + make_interval(secs => $2)
       FROM attempts a WHERE a.exam_id = $1`,
    [examId, graceS],
  );
  await client.query(`SELECT pg_notify('outbox', '')`);
  await client.query('COMMIT');
  const { rows: dl } = await client.query(`SELECT min(deadline_at) AS lo, max(deadline_at) AS hi FROM attempts WHERE exam_id = $1`, [examId]);
  const deadlineLo = dl[0].lo.getTime();
  const deadlineHi = dl[0].hi.getTime();
  for (let i = 0; ; i++) {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`);
    if (rows[0].n === 0) break;
    if (i > 300) throw new Error('the outbox relay did not move the deadline jobs within 30 s');
    await S.sleep(100);
  }
  if (Date.now() > deadlineLo - 3000) throw new Error(`the deadline is ${deadlineLo - Date.now()} ms away after relaying: give a longer --lead`);
  S.log(`(a) ${N} deadlines set to ${new Date(deadlineLo).toISOString()}${SPREAD_MS ? ` … +${deadlineHi - deadlineLo} ms` : ' (same instant)'} (grace ${graceS} s); natural start spread was ${(naturalSpreadMs / 1000).toFixed(1)} s; jobs relayed`);

  // candidates keep saving until 3 s after the deadline: open loop, rotating over candidates, then items
  const items = candidates[0].a.items.length;
  const slots = candidates.flatMap((c) =>
    c.a.items.map((it) => ({
      cand: c.index,
      attemptId: c.a.attemptId,
      itemId: it.itemId,
      variants: it.variants,
      head: `PUT /api/v1/attempts/${c.a.attemptId}/answers/${encodeURIComponent(it.itemId)} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${c.cookie}\r\nContent-Type: application/json\r\nAccept: application/json\r\nX-Attempt-Session: ${c.a.clientSession}\r\n`,
      acked: 0,
      ackedResponse: null,
      ackedAt: 0,
    })),
  );
  const stopAt = deadlineHi + graceS * 1000 + 3000;
  const durationMs = Math.max(1000, stopAt - Date.now());
  let seq = 0;
  const outcome = { acked: 0, ackedAfterDeadline: 0, refusedBeforeDeadline: 0, refused409: 0, other: {}, errors: {} };
  const conns = new S.ConnPool(port, 256);
  await conns.warm(32);
  const meter = S.cpuMeter(() => ({ app: procs[0].pid, ...(procs[1] ? { worker: procs[1].pid } : {}), generator: 'self' }));
  meter.start();
  S.log(`(a) saving answers at ${SAVE_RATE}/s until deadline + grace + 3 s (${(durationMs / 1000).toFixed(1)} s); watching the database…`);
  // from the deadline until every attempt is final: CPU per process, and (with --profile) a CPU profile of the workers
  const windowMeter = S.cpuMeter(() => ({ app: procs[0].pid, ...(procs[1] ? { worker: procs[1].pid } : {}), generator: 'self' }));
  const jobsProc = procs[1] ?? procs[0];
  const windowStart = S.sleep(Math.max(0, deadlineLo - Date.now())).then(async () => {
    windowMeter.start();
    await S.countStart(jobsProc);
    if (PROFILE) await S.profileStart(jobsProc);
  });
  const watcher = waitFinal(examId, deadlineLo, durationMs + 120000);
  const load = S.openLoop({
    pool: conns,
    rate: SAVE_RATE,
    durationMs,
    timeoutMs: 10000,
    next: (k) => {
      const s = slots[(k % N) * items + (Math.floor(k / N) % items)];
      const v = s.variants[Math.floor(k / N) % s.variants.length];
      seq++;
      const body = Buffer.from(`{"response":${v},"seq":${seq}}`);
      return { bytes: Buffer.concat([Buffer.from(`${s.head}Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]), meta: { s, seq, v } };
    },
    onResult: ({ s, seq: q, v }, res, error, t) => {
      const wall = performance.timeOrigin + t.done;
      if (error) return void (outcome.errors[error.code ?? error.message] = (outcome.errors[error.code ?? error.message] ?? 0) + 1);
      if (res.status === 200) {
        outcome.acked++;
        if (wall > deadlineLo) outcome.ackedAfterDeadline++;
        if (q > s.acked) {
          s.acked = q;
          s.ackedResponse = v;
          s.ackedAt = wall;
        }
      } else if (res.status === 409) {
        outcome.refused409++;
        if (performance.timeOrigin + t.sent < deadlineLo) outcome.refusedBeforeDeadline++;
      } else outcome.other[res.status] = (outcome.other[res.status] ?? 0) + 1;
    },
  });
  const loadResult = await load;
  conns.close();
  const w = await watcher;
  await windowStart;
  const windowCpu = windowMeter.stop(await S.backendPids(client, DB));
  const counts = await S.countStop(jobsProc);
  let profile = null;
  if (PROFILE) {
    const file = join(work, 'deadline.cpuprofile');
    await S.profileStop(jobsProc, file);
    const prof = JSON.parse(readFileSync(file, 'utf8'));
    S.writeResult(join(S.resultsDir, 'exam-deadline-a.cpuprofile'), prof);
    profile = render(summarise(prof), { top: 30, requests: N });
  }
  const cpu = meter.stop(await S.backendPids(client, DB));
  const saveLatency = [];
  for (let i = 0; i < loadResult.total; i++) if (loadResult.status[i] === 200) saveLatency.push(loadResult.done[i] - loadResult.sched[i]);

  // ---- verification ----
  const { rows: attempts } = await client.query(
    `SELECT id, state, deadline_at, submitted_at, submitted_by, decided_at, receipt_sha256, answered_count FROM attempts WHERE exam_id = $1`,
    [examId],
  );
  const { rows: ev } = await client.query(
    `SELECT e.attempt_id, e.type, count(*)::int AS n FROM attempt_events e JOIN attempts a ON a.id = e.attempt_id
      WHERE a.exam_id = $1 AND e.kind = 'transition' AND e.type IN ('submit', 'autoSubmit', 'grade', 'pass', 'fail') GROUP BY 1, 2`,
    [examId],
  );
  const events = new Map();
  for (const r of ev) events.set(`${r.attempt_id}/${r.type}`, r.n);
  const { rows: itemRows } = await client.query(
    `SELECT i.attempt_id, i.item_id, i.position, i.response, i.seq, i.saved_at, i.grade_status, i.credit FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id
      WHERE a.exam_id = $1 ORDER BY i.attempt_id, i.position`,
    [examId],
  );
  const byAttempt = new Map();
  for (const r of itemRows) (byAttempt.get(r.attempt_id) ?? byAttempt.set(r.attempt_id, []).get(r.attempt_id)).push(r);
  const dbItem = new Map(itemRows.map((r) => [`${r.attempt_id}/${r.item_id}`, r]));
  const attemptById = new Map(attempts.map((a) => [a.id, a]));

  let final = 0;
  let autoOnce = 0;
  let submitEvents = 0;
  let receiptOk = 0;
  let ungradedItems = 0;
  const submitDelay = [];
  const decideDelay = [];
  for (const a of attempts) {
    if (FINAL.includes(a.state)) final++;
    if ((events.get(`${a.id}/autoSubmit`) ?? 0) === 1 && (events.get(`${a.id}/submit`) ?? 0) === 0) autoOnce++;
    submitEvents += events.get(`${a.id}/submit`) ?? 0;
    const its = byAttempt.get(a.id) ?? [];
    if (a.receipt_sha256 && answerSetHash(a.id, its.map((i) => ({ itemId: i.item_id, response: i.response }))) === a.receipt_sha256) receiptOk++;
    ungradedItems += its.filter((i) => i.grade_status === null).length;
    if (a.submitted_at) submitDelay.push(a.submitted_at.getTime() - (a.deadline_at.getTime() + graceS * 1000));
    if (a.decided_at) decideDelay.push(a.decided_at.getTime() - (a.deadline_at.getTime() + graceS * 1000));
  }
  let ackedAnswers = 0;
  let lost = 0;
  let changed = 0;
  let afterSubmit = 0;
  const lostExamples = [];
  for (const s of slots) {
    if (!s.acked) continue;
    ackedAnswers++;
    const row = dbItem.get(`${s.attemptId}/${s.itemId}`);
    const a = attemptById.get(s.attemptId);
    const dbSeq = Number(row?.seq ?? 0);
    if (dbSeq < s.acked) {
      lost++;
      if (lostExamples.length < 5) lostExamples.push({ attemptId: s.attemptId, itemId: s.itemId, ackedSeq: s.acked, dbSeq });
    } else if (dbSeq === s.acked && canonical(row.response) !== canonical(JSON.parse(s.ackedResponse))) changed++;
    if (row?.saved_at && a?.submitted_at && row.saved_at > a.submitted_at && dbSeq === s.acked) afterSubmit++;
  }
  const lastDecided = Math.max(...attempts.map((a) => a.decided_at?.getTime() ?? Infinity));
  const lastSubmitted = Math.max(...attempts.map((a) => a.submitted_at?.getTime() ?? Infinity));
  const dueAt = deadlineLo + graceS * 1000;
  return {
    deadline: new Date(deadlineLo).toISOString(),
    deadlineSpreadMs: deadlineHi - deadlineLo,
    graceSeconds: graceS,
    naturalStartSpreadMs: naturalSpreadMs,
    load: {
      offeredRate: SAVE_RATE,
      requests: loadResult.total,
      ...outcome,
      saveLatencyMs: S.summary(saveLatency),
    },
    cpu,
    windowCpu,
    statementsPerAttempt: perUnit(counts, N),
    profile,
    timeline: w.timeline,
    finalCounts: w.counts,
    allFinal: final === N,
    final,
    secondsDueToLastSubmitted: Number.isFinite(lastSubmitted) ? (lastSubmitted - dueAt) / 1000 : null,
    secondsDueToLastGraded: Number.isFinite(lastDecided) ? (lastDecided - dueAt) / 1000 : null,
    secondsDueToAllFinalByPolling: w.doneAt ? (w.doneAt - dueAt) / 1000 : null,
    submitDelayMs: S.summary(submitDelay),
    gradedDelayMs: S.summary(decideDelay),
    exactlyOneAutoSubmit: autoOnce,
    candidateSubmitEvents: submitEvents,
    receiptsMatchingItems: receiptOk,
    ungradedItems,
    ackedAnswers,
    ackedLost: lost,
    ackedOverwrittenByOtherResponse: changed,
    ackedSavedAfterSubmission: afterSubmit,
    lostExamples,
  };
}

// ---- (b) everyone submits within one second ----------------------------------------------------------------------------
async function partB(port, candidates, examId) {
  // a couple of answers per attempt first, so receipts cover something
  const cps = new S.ConnPool(port, 16);
  let seq = 0;
  await S.pool(candidates, 16, async (c) => {
    for (const it of c.b.items.slice(0, 2)) {
      const body = Buffer.from(`{"response":${it.variants[0]},"seq":${++seq}}`);
      const bytes = Buffer.concat([
        Buffer.from(`PUT /api/v1/attempts/${c.b.attemptId}/answers/${encodeURIComponent(it.itemId)} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${c.cookie}\r\nContent-Type: application/json\r\nX-Attempt-Session: ${c.b.clientSession}\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'),
        body,
      ]);
      const conn = await cps.acquire();
      const r = await conn.request(bytes, 10000);
      cps.release(conn);
      if (r.status !== 200) throw new Error(`(b) pre-save answered ${r.status}: ${r.body.slice(0, 200)}`);
    }
  });
  cps.close();
  // every candidate has its own keep-alive connection, as every browser would
  S.log(`(b) opening ${N} client connections`);
  for (let i = 0; i < N; i += 200) {
    await Promise.all(
      candidates.slice(i, i + 200).map(async (c) => {
        c.conn = new S.Conn(port);
        await c.conn.ready;
      }),
    );
  }
  await S.waitForQuiet('(b)', MAX_WAIT);
  const order = candidates.map((c) => c.index).sort(() => Math.random() - 0.5);
  const meter = S.cpuMeter(() => ({ app: procs[0].pid, ...(procs[1] ? { worker: procs[1].pid } : {}), generator: 'self' }));
  const stats = { timeouts: 0, connErrors: 0, http5xx: 0, http4xx: {}, gaveUp: 0 };
  const GIVE_UP_MS = 60000;
  S.log(`(b) ${N} submissions spread over ${BURST_MS} ms, ${TIMEOUT_MS ? `${TIMEOUT_MS} ms client timeout, retry until success` : 'no client timeout'}`);
  meter.start();
  await S.countStart(procs[0]);
  if (PROFILE) await S.profileStart(procs[0]);
  const t0 = performance.now() + 50;
  const burstWall = Date.now() + 50;
  await Promise.all(
    order.map(async (idx, k) => {
      const c = candidates[idx];
      const due = t0 + (k * BURST_MS) / N;
      const bytes = Buffer.from(
        `POST /api/v1/attempts/${c.b.attemptId}/submission HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${c.cookie}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: 2\r\n\r\n{}`,
        'latin1',
      );
      const wait = due - performance.now();
      if (wait > 0) await S.sleep(wait);
      c.sub = { due, tries: 0, statuses: [], receipt: null, doneAt: null };
      for (;;) {
        if (performance.now() - due > GIVE_UP_MS) {
          stats.gaveUp++;
          return;
        }
        c.sub.tries++;
        if (!c.conn || c.conn.dead) {
          c.conn = new S.Conn(port);
          try {
            await c.conn.ready;
          } catch {
            stats.connErrors++;
            await S.sleep(100);
            continue;
          }
        }
        try {
          const r = await c.conn.request(bytes, TIMEOUT_MS);
          c.sub.statuses.push(r.status);
          if (r.status === 200) {
            c.sub.receipt = JSON.parse(r.body).receipt;
            c.sub.doneAt = performance.now();
            return;
          }
          if (r.status >= 500) {
            stats.http5xx++;
            await S.sleep(100);
            continue;
          }
          stats.http4xx[r.status] = (stats.http4xx[r.status] ?? 0) + 1;
          c.sub.error = r.body.slice(0, 300);
          return;
        } catch (error) {
          if (error.code === 'ETIMEOUT') stats.timeouts++;
          else {
            stats.connErrors++;
            await S.sleep(100);
          }
          c.sub.statuses.push(error.code ?? 'error');
        }
      }
    }),
  );
  const cpu = meter.stop(await S.backendPids(client, DB));
  const counts = await S.countStop(procs[0]);
  let profile = null;
  if (PROFILE) {
    const file = join(work, 'submit.cpuprofile');
    await S.profileStop(procs[0], file);
    const prof = JSON.parse(readFileSync(file, 'utf8'));
    S.writeResult(join(S.resultsDir, 'exam-deadline-b.cpuprofile'), prof);
    profile = render(summarise(prof), { top: 30, requests: N });
  }
  for (const c of candidates) c.conn?.destroy();
  const { rows: span } = await client.query(`SELECT min(submitted_at) AS lo, max(submitted_at) AS hi FROM attempts WHERE exam_id = $1`, [examId]);
  const latency = candidates.filter((c) => c.sub?.doneAt).map((c) => c.sub.doneAt - c.sub.due);
  const tries = candidates.map((c) => c.sub?.tries ?? 0);
  const wall = Math.max(...candidates.map((c) => c.sub?.doneAt ?? 0)) - t0;

  // ---- verification: one submission each, the same receipt on every later call -----------------------------------------
  const { rows: ev } = await client.query(
    `SELECT a.id, a.receipt_sha256, a.submitted_at, a.answered_count,
            count(*) FILTER (WHERE e.kind = 'transition' AND e.type = 'submit')::int AS submits,
            count(*) FILTER (WHERE e.kind = 'transition' AND e.type = 'autoSubmit')::int AS autos
       FROM attempts a LEFT JOIN attempt_events e ON e.attempt_id = a.id WHERE a.exam_id = $1 GROUP BY a.id`,
    [examId],
  );
  const byId = new Map(ev.map((r) => [r.id, r]));
  let exactlyOnce = 0;
  let receiptMatchesDb = 0;
  for (const c of candidates) {
    const r = byId.get(c.b.attemptId);
    if (r && r.submits === 1 && r.autos === 0) exactlyOnce++;
    const rc = c.sub?.receipt;
    if (rc && r && rc.sha256 === r.receipt_sha256 && Date.parse(rc.submittedAt) === r.submitted_at.getTime() && rc.answered === r.answered_count) receiptMatchesDb++;
  }
  S.log(`(b) submitting all ${N} once more: the receipt must not change`);
  let sameOnRepeat = 0;
  const repeat = new S.ConnPool(port, 16);
  await S.pool(candidates, 16, async (c) => {
    const conn = await repeat.acquire();
    const r = await conn.request(
      Buffer.from(`POST /api/v1/attempts/${c.b.attemptId}/submission HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${c.cookie}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`, 'latin1'),
      10000,
    );
    repeat.release(conn);
    if (r.status === 200 && c.sub?.receipt && JSON.stringify(JSON.parse(r.body).receipt) === JSON.stringify(c.sub.receipt)) sameOnRepeat++;
  });
  repeat.close();
  const { rows: after } = await client.query(
    `SELECT count(*)::int AS n FROM attempt_events e JOIN attempts a ON a.id = e.attempt_id WHERE a.exam_id = $1 AND e.kind = 'transition' AND e.type IN ('submit','autoSubmit')`,
    [examId],
  );
  return {
    burstMs: BURST_MS,
    timeoutMs: TIMEOUT_MS,
    succeeded: latency.length,
    latencyMs: S.summary(latency),
    wallMs: Math.round(wall),
    tries: { total: tries.reduce((a, b) => a + b, 0), max: Math.max(...tries), retried: tries.filter((t) => t > 1).length },
    statementsPerCandidate: perUnit(counts, N),
    serverClosedFirstMs: span[0].lo ? span[0].lo.getTime() - burstWall : null,
    serverClosedLastMs: span[0].hi ? span[0].hi.getTime() - burstWall : null,
    profile,
    ...stats,
    cpu,
    exactlyOneSubmit: exactlyOnce,
    receiptsMatchingDb: receiptMatchesDb,
    sameReceiptOnRepeat: sameOnRepeat,
    submissionEventsAfterRepeat: after[0].n,
    errors: candidates.filter((c) => c.sub?.error).slice(0, 5).map((c) => c.sub.error),
  };
}

async function main() {
  result.postgres = await S.pgSettings(S.dbUrlOf('postgres'));
  await S.createDatabase(DB);
  const port = await S.freePort();
  const env = S.appEnv({ dbUrl, prefix: PREFIX, secret, extra: WORKER_CONCURRENCY ? { WORKER_CONCURRENCY } : {} });
  S.log(`starting the app (${MODE === 'all' ? 'web + workers in one process' : '--web and a separate --worker process'}) on :${port}, database ${DB}`);
  // instrument-hook: counts SQL statements / Redis commands on request; CPU profile with --profile
  const hook = { nodeArgs: ['-r', S.profileHook], ipc: true };
  const web = S.startApp({ dist, role: MODE === 'all' ? 'all' : 'web', port, env, logFile: join(work, 'app.log'), ...hook });
  procs.push(web);
  const bootMs = await S.waitReady(`http://127.0.0.1:${port}/health`, { app: web });
  if (MODE === 'split') procs.push(S.startApp({ dist, role: 'worker', port: 0, env, logFile: join(work, 'worker.log'), ...hook }));
  const base = `http://127.0.0.1:${port}`;
  client = S.pgClient(dbUrl);
  await client.connect();
  const candidates = await S.createCandidates(client, dist, N, 'deadline');
  S.log(`app ready in ${bootMs} ms; ${N} candidates created; signing in…`);
  const loginMs = await S.loginAll(base, candidates, 4);
  const examA = await S.makeExamLikePractice(client, { key: `bench-deadline-${stamp}`, seconds: 3600, grace: 0 });
  const examB = await S.makeExamLikePractice(client, { key: `bench-submit-${stamp}`, seconds: 3600, grace: 15 });
  result.setup = { bootMs, loginMs };
  if (ONLY.includes('a')) {
    S.log(`${N} sign-ins in ${(loginMs / 1000).toFixed(1)} s; starting ${N} attempts for (a) through the API…`);
    const sa = await S.startAttempts(base, candidates, examA, { concurrency: 4, key: 'a' });
    result.setup.startA = { ms: sa.ms, latency: S.summary(sa.latencies) };
  }
  if (ONLY.includes('b')) {
    S.log(`starting ${N} attempts for (b) through the API…`);
    const sb = await S.startAttempts(base, candidates, examB, { concurrency: 4, key: 'b' });
    result.setup.startB = { ms: sb.ms, latency: S.summary(sb.latencies) };
  }
  // the relay runs in the worker role: wait until it has moved the start's outbox rows (proves the workers are up)
  for (let i = 0; ; i++) {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`);
    if (rows[0].n === 0) break;
    if (i > 600) throw new Error('the outbox relay did not drain within 60 s: are the workers running?');
    await S.sleep(100);
  }
  if (ONLY.includes('a')) {
    result.a = await partA(base, port, candidates, examA, 0);
    S.log(`(a) all final: ${result.a.allFinal}; last graded ${result.a.secondsDueToLastGraded} s after the deadline; acked ${result.a.ackedAnswers}, lost ${result.a.ackedLost}`);
  }
  if (ONLY.includes('b')) {
    result.b = await partB(port, candidates, examB);
    S.log(`(b) p99 ${result.b.latencyMs.p99} ms, exactly one submission: ${result.b.exactlyOneSubmit}/${N}`);
    const since = Date.now();
    const w = await waitFinal(examB, since, 120000);
    result.b.secondsToAllGradedAfterRepeat = w.doneAt ? (w.doneAt - since) / 1000 : null;
    result.b.finalCounts = w.counts;
  }
  const logText = readFileSync(join(work, 'app.log'), 'utf8') + (existsSync(join(work, 'worker.log')) ? readFileSync(join(work, 'worker.log'), 'utf8') : '');
  result.appLog = { lines: logText.split('\n').length, swept: (logText.match(/swept \d+ overdue/g) ?? []).length, jobFailures: (logText.match(/job failed/g) ?? []).length, tail: logText.split('\n').slice(-15) };
}

function report() {
  const r = result;
  const v = (r.verdict = {});
  const rows = [];
  if (r.a) {
    const a = r.a;
    v.aGraded = a.allFinal && a.secondsDueToLastGraded !== null && a.secondsDueToLastGraded < TARGET.gradedWithinS;
    v.aOnce = a.exactlyOneAutoSubmit === N && a.candidateSubmitEvents === 0;
    v.aAcked = a.ackedLost === 0 && a.ackedOverwrittenByOtherResponse === 0 && a.receiptsMatchingItems === N && a.ungradedItems === 0;
    console.log(`\n(a) ${N} attempts with one deadline (${a.deadlineSpreadMs ? `spread ${a.deadlineSpreadMs} ms` : 'the same instant'}, grace ${a.graceSeconds} s), app ${MODE === 'all' ? 'all-in-one' : '--web + --worker'}, worker concurrency ${r.options.WORKER_CONCURRENCY}, candidates saving at ${a.load.offeredRate}/s throughout\n`);
    console.log(
      S.table(
        ['measure', 'value'],
        [
          ['attempts passed/failed', `${a.final} / ${N}  (${JSON.stringify(a.finalCounts)})`],
          ['deadline → last auto-submitted', `${a.secondsDueToLastSubmitted} s`],
          ['deadline → last graded (decided_at)', `${a.secondsDueToLastGraded} s`],
          ['deadline → all final, seen by polling', `${a.secondsDueToAllFinalByPolling} s`],
          ['auto-submit delay p50 / p95 / max', `${a.submitDelayMs.p50} / ${a.submitDelayMs.p95} / ${a.submitDelayMs.max} ms`],
          ['graded delay p50 / p95 / max', `${a.gradedDelayMs.p50} / ${a.gradedDelayMs.p95} / ${a.gradedDelayMs.max} ms`],
          ['exactly one autoSubmit, no submit', `${a.exactlyOneAutoSubmit} / ${N}`],
          ['receipt = hash of the graded answers', `${a.receiptsMatchingItems} / ${N}`],
          ['saves sent / acked (200) / 409 / other / errors', `${a.load.requests} / ${a.load.acked} / ${a.load.refused409} / ${JSON.stringify(a.load.other)} / ${JSON.stringify(a.load.errors)}`],
          ['acked after the deadline instant / 409 before it', `${a.load.ackedAfterDeadline} / ${a.load.refusedBeforeDeadline}`],
          ['save latency p50 / p99 (open loop)', `${a.load.saveLatencyMs.p50} / ${a.load.saveLatencyMs.p99} ms`],
          ['acked answers (last per item) checked / lost / changed', `${a.ackedAnswers} / ${a.ackedLost} / ${a.ackedOverwrittenByOtherResponse}`],
          ['acked answers saved after the submission', a.ackedSavedAfterSubmission],
          [
            'deadline → all final: CPU ms app / worker / postgres this DB / generator, machine busy',
            `${a.windowCpu.cpuMs.app} / ${a.windowCpu.cpuMs.worker ?? '–'} / ${a.windowCpu.cpuMs.postgresThisDb} / ${a.windowCpu.cpuMs.generator} over ${(a.windowCpu.wallMs / 1000).toFixed(1)} s, ${Math.round(a.windowCpu.machineBusy * 100)}%`,
          ],
          ['CPU ms: app / worker / postgres this DB (all) / generator', `${a.cpu.cpuMs.app} / ${a.cpu.cpuMs.worker ?? '–'} / ${a.cpu.cpuMs.postgresThisDb} (${a.cpu.cpuMs.postgres}) / ${a.cpu.cpuMs.generator}  (over ${(a.cpu.wallMs / 1000).toFixed(1)} s)`],
        ],
      ),
    );
    rows.push([`(a) all ${N} passed/failed < ${TARGET.gradedWithinS} s after the deadline`, `${a.final}/${N}, last graded at +${a.secondsDueToLastGraded} s`, v.aGraded ? 'PASS' : 'FAIL']);
    rows.push(['(a) exactly one auto-submission per attempt', `${a.exactlyOneAutoSubmit}/${N}`, v.aOnce ? 'PASS' : 'FAIL']);
    rows.push(['(a) every acked answer in the graded attempt', `${a.ackedAnswers} acked, ${a.ackedLost} lost, ${a.ackedOverwrittenByOtherResponse} changed, receipts ${a.receiptsMatchingItems}/${N}, ungraded items ${a.ungradedItems}`, v.aAcked ? 'PASS' : 'FAIL']);
  }
  if (r.b) {
    const b = r.b;
    v.bOnce = b.exactlyOneSubmit === N && b.submissionEventsAfterRepeat === N;
    v.bReceipt = b.receiptsMatchingDb === N && b.sameReceiptOnRepeat === N;
    v.bP99 = b.succeeded === N && b.latencyMs.p99 < TARGET.submitP99Ms;
    console.log(`\n(b) ${N} submissions within ${b.burstMs} ms, ${b.timeoutMs ? `client timeout ${b.timeoutMs} ms, retry until success` : 'no client timeout'}\n`);
    console.log(
      S.table(
        ['measure', 'value'],
        [
          ['succeeded', `${b.succeeded} / ${N}`],
          ['first try → success p50 / p95 / p99 / max', `${b.latencyMs.p50} / ${b.latencyMs.p95} / ${b.latencyMs.p99} / ${b.latencyMs.max} ms`],
          ['burst start → last success', `${b.wallMs} ms`],
          ['burst start → first / last attempt closed by the server (submitted_at)', `${b.serverClosedFirstMs} / ${b.serverClosedLastMs} ms`],
          ['requests sent / candidates that retried / most tries', `${b.tries.total} / ${b.tries.retried} / ${b.tries.max}`],
          ['timeouts / connection errors / 5xx / 4xx', `${b.timeouts} / ${b.connErrors} / ${b.http5xx} / ${JSON.stringify(b.http4xx)}`],
          ['exactly one submit event', `${b.exactlyOneSubmit} / ${N}`],
          ['receipt from the burst = the stored one', `${b.receiptsMatchingDb} / ${N}`],
          ['same receipt when submitted again', `${b.sameReceiptOnRepeat} / ${N}`],
          ['CPU ms: app / worker / postgres this DB (all) / generator', `${b.cpu.cpuMs.app} / ${b.cpu.cpuMs.worker ?? '–'} / ${b.cpu.cpuMs.postgresThisDb} (${b.cpu.cpuMs.postgres}) / ${b.cpu.cpuMs.generator}  (over ${(b.cpu.wallMs / 1000).toFixed(1)} s)`],
        ],
      ),
    );
    rows.push(['(b) exactly one submission per attempt', `${b.exactlyOneSubmit}/${N} (events after repeat: ${b.submissionEventsAfterRepeat})`, v.bOnce ? 'PASS' : 'FAIL']);
    rows.push(['(b) identical receipts across retries', `${b.receiptsMatchingDb}/${N} match DB, ${b.sameReceiptOnRepeat}/${N} same on repeat`, v.bReceipt ? 'PASS' : 'FAIL']);
    rows.push([`(b) p99 first try → success < ${TARGET.submitP99Ms} ms`, `${b.latencyMs.p99} ms (${b.succeeded}/${N} succeeded)`, v.bP99 ? 'PASS' : 'FAIL']);
  }
  const showCounts = (title, c) => {
    if (!c) return;
    console.log(`\n${title}: ${c.sqlTotal} SQL statements and ${c.redisTotal} Redis commands`);
    console.log(S.table(['SQL statement (first 90 characters)', 'per unit'], Object.entries(c.sql).slice(0, 25)));
    console.log(S.table(['Redis command', 'per unit'], Object.entries(c.redis).slice(0, 12)));
  };
  showCounts(`(a) per attempt, from the deadline until all final, sent by the ${MODE === 'all' ? 'app (includes the saves that keep coming)' : 'worker process'}`, r.a?.statementsPerAttempt);
  showCounts('(b) per candidate, during the submission burst (retries included)', r.b?.statementsPerCandidate);
  if (r.a?.profile) console.log(`\nCPU profile of the ${MODE === 'all' ? 'app' : 'worker'} from the deadline until all final (µs per attempt):\n${r.a.profile}`);
  if (r.b?.profile) console.log(`\nCPU profile of the web process during the submission burst (µs per candidate):\n${r.b.profile}`);
  if (rows.length) console.log(`\n${S.table(['target', 'measured', 'verdict'], rows)}`);
  return Object.values(v).every(Boolean);
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  result.error = String(error.stack ?? error);
  S.log(`ERROR: ${error.stack ?? error}`);
  for (const f of ['app.log', 'worker.log']) if (existsSync(join(work, f))) S.log(`--- ${f} (tail)\n${readFileSync(join(work, f), 'utf8').split('\n').slice(-30).join('\n')}`);
} finally {
  for (const p of procs.reverse()) await p.stop().catch(() => undefined);
  if (client) await client.end().catch(() => undefined);
  if (!o.flag('keep-db')) await S.dropDatabase(DB).catch((e) => S.log(`could not drop ${DB}: ${e.message}`));
  const removed = await S.cleanupRedis(PREFIX).catch(() => 0);
  S.log(`cleaned up: database ${DB}${o.flag('keep-db') ? ' kept' : ' dropped'}, ${removed} Redis keys under ${PREFIX}:`);
  rmSync(work, { recursive: true, force: true });
}
const pass = failed ? false : report();
result.finishedAt = new Date().toISOString();
S.writeResult(OUT, result);
process.exit(failed ? 1 : pass ? 0 : 3);
