#!/usr/bin/env node
// The "kill -9" check. See bench/exam-crash/README.md.
// The app runs all-in-one (web + workers). 200 candidates answer through the API continuously (every acknowledged save
// is logged); the app is killed with SIGKILL mid-run and started again; the candidates' clients carry on (retrying what
// was in flight, with the same seq, as the exam page does). Then:
//   1. every acknowledged answer is in the database (and in the receipt of the submitted attempt),
//   2. remaining times are right: deadline_at unchanged, remainingSeconds from the API consistent with the server clock
//      (and with the time that passed during the outage),
//   3. the deadline still submits every attempt (once), and grading finishes,
//   4. sessions survive the restart (no 401).
//
//   node bench/exam-crash/run.mjs [--candidates 200] [--limit 90] [--grace 5] [--kill-at 20] [--kills 1] [--kill-every 15]
//        [--kill-during-deadline] [--think-ms 200-600] [--no-build] [--app DIR] [--keep-db] [--out FILE]
//
// Exit status: 0 every check passes, 3 a check fails, 1 error.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as S from '../exam-autosave/shared.mjs';

const o = S.options();
const N = o.num('candidates', 200);
const LIMIT_S = o.num('limit', 90);
const GRACE_S = o.num('grace', 5);
const KILL_AT_S = o.num('kill-at', 20);
const KILLS = o.num('kills', 1);
const KILL_EVERY_S = o.num('kill-every', 15);
const KILL_DURING_DEADLINE = o.flag('kill-during-deadline');
// how long after the last deadline (+ grace) to wait for every attempt to be submitted and graded; after a kill during
// the deadline, BullMQ gives orphaned jobs back only after their lock (30 s) expired and two stalled checks (30 s apart)
const FINAL_WAIT_S = o.num('final-wait', KILL_DURING_DEADLINE ? 180 : 90);
const [THINK_MIN, THINK_MAX] = o.str('think-ms', '200-600').split('-').map(Number);
const APP = resolve(o.str('app', S.repoRoot));
const OUT = o.str('out', join(S.resultsDir, 'exam-crash.json'));

const dist = S.build(APP, !o.flag('no-build'));
const { canonical, answerSetHash } = S.require(join(dist, 'src/modules/exams/domain/receipt.js'));
const stamp = `${Date.now().toString(36)}_${process.pid}`;
const DB = `pa_bench_crash_${stamp}`;
const PREFIX = `pa_bench_crash_${stamp}`;
const dbUrl = S.dbUrlOf(DB);
const secret = S.newSecret();
const work = mkdtempSync(join(tmpdir(), 'pa-bench-crash-'));
let app = null;
let client = null;
const result = {
  benchmark: 'exam-crash',
  startedAt: new Date().toISOString(),
  options: { N, LIMIT_S, GRACE_S, KILL_AT_S, KILLS, KILL_EVERY_S, KILL_DURING_DEADLINE, FINAL_WAIT_S, THINK_MIN, THINK_MAX },
  environment: S.environment(APP),
};
const FINAL = ['passed', 'failed'];
const now = () => Date.now();

async function clockCheck(base, candidates, label) {
  const rows = await S.pool(candidates, 8, async (c) => {
    const t1 = now();
    const r = await S.api(base, c.cookie, 'GET', `/api/v1/attempts/${c.a.attemptId}`, undefined, { 'x-attempt-session': c.a.clientSession });
    const t2 = now();
    if (r.status !== 200) return { ok: false, status: r.status };
    const server = Date.parse(r.data.serverTime);
    const deadline = Date.parse(r.data.deadlineAt);
    const expected = Math.max(0, Math.floor((deadline - server) / 1000));
    return {
      ok: true,
      deadlineUnchanged: r.data.deadlineAt === c.a.deadlineAt,
      // remainingSeconds is computed a moment before serverTime in the same request: equal, or one more
      remainingConsistent: r.data.state !== 'in_progress' || r.data.remainingSeconds - expected === 0 || r.data.remainingSeconds - expected === 1,
      serverClockSkewMs: server - (t1 + t2) / 2,
      rttMs: t2 - t1,
      remaining: r.data.remainingSeconds,
      state: r.data.state,
      at: (t1 + t2) / 2,
    };
  });
  candidates.forEach((c, i) => (c[label] = rows[i]));
  const ok = rows.filter((r) => r.ok);
  return {
    label,
    answered: ok.length,
    statuses: rows.filter((r) => !r.ok).map((r) => r.status),
    deadlineUnchanged: ok.filter((r) => r.deadlineUnchanged).length,
    remainingConsistent: ok.filter((r) => r.remainingConsistent).length,
    maxAbsSkewMinusRttMs: Math.round(Math.max(...ok.map((r) => Math.max(0, Math.abs(r.serverClockSkewMs) - r.rttMs / 2)))),
  };
}

async function main() {
  result.postgres = await S.pgSettings(S.dbUrlOf('postgres'));
  await S.createDatabase(DB);
  const port = await S.freePort();
  const env = S.appEnv({ dbUrl, prefix: PREFIX, secret });
  const base = `http://127.0.0.1:${port}`;
  const logFile = join(work, 'app.log');
  S.log(`starting the app (all-in-one: web + workers) on :${port}, database ${DB}`);
  app = S.startApp({ dist, role: 'all', port, env, logFile });
  const bootMs = await S.waitReady(`${base}/health`, { app });
  client = S.pgClient(dbUrl);
  await client.connect();
  const candidates = await S.createCandidates(client, dist, N, 'crash');
  const loginMs = await S.loginAll(base, candidates, 4);
  const examId = await S.makeExamLikePractice(client, { key: `bench-crash-${stamp}`, seconds: LIMIT_S, grace: GRACE_S });
  S.log(`app ready in ${bootMs} ms; ${N} sign-ins in ${(loginMs / 1000).toFixed(1)} s; starting ${N} attempts (${LIMIT_S} s limit, ${GRACE_S} s grace)…`);
  const starts = await S.startAttempts(base, candidates, examId, { concurrency: 4, key: 'a' });
  const deadlines = candidates.map((c) => Date.parse(c.a.deadlineAt));
  const deadlineLo = Math.min(...deadlines);
  const deadlineHi = Math.max(...deadlines);
  result.setup = { bootMs, loginMs, startMs: starts.ms, deadlineSpreadMs: deadlineHi - deadlineLo, deadlineFirst: new Date(deadlineLo).toISOString() };
  const check1 = await clockCheck(base, candidates, 'clock1');

  // ---- candidates answering ----------------------------------------------------------------------------------------
  const acks = []; // [cand, itemIdx, seq, variantIdx, at]
  const stats = { sent: 0, acked: 0, inDoubt: 0, retriedSame: 0, s401: 0, s409: 0, other: {}, errors: {} };
  const ackedAfterRestart = { n: 0, firstAt: null };
  const killTimes = [];
  let stopped = false;
  const hardStop = deadlineHi + GRACE_S * 1000 + 10000;
  const loadStart = now();
  const answer = async (c) => {
    let conn = null;
    let seq = 0;
    let cursor = Math.floor(Math.random() * c.a.items.length);
    let pending = null;
    c.closedBy = null;
    while (!stopped && now() < hardStop) {
      if (!pending) {
        const itemIdx = cursor++ % c.a.items.length;
        const it = c.a.items[itemIdx];
        const variantIdx = Math.floor(Math.random() * it.variants.length);
        pending = { itemIdx, variantIdx, seq: ++seq, tries: 0 };
        const body = Buffer.from(`{"response":${it.variants[variantIdx]},"seq":${pending.seq}}`);
        pending.bytes = Buffer.concat([
          Buffer.from(
            `PUT /api/v1/attempts/${c.a.attemptId}/answers/${encodeURIComponent(it.itemId)} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${c.cookie}\r\nContent-Type: application/json\r\nAccept: application/json\r\nX-Attempt-Session: ${c.a.clientSession}\r\nContent-Length: ${body.length}\r\n\r\n`,
            'latin1',
          ),
          body,
        ]);
      }
      if (!conn || conn.dead) {
        conn = new S.Conn(port);
        try {
          await conn.ready;
        } catch (e) {
          stats.errors[e.code ?? 'connect'] = (stats.errors[e.code ?? 'connect'] ?? 0) + 1;
          await S.sleep(250);
          continue;
        }
      }
      stats.sent++;
      if (pending.tries++ > 0) stats.retriedSame++;
      let res;
      try {
        res = await conn.request(pending.bytes, 5000);
      } catch (e) {
        // in flight when the app died: unknown whether it was saved; the page keeps it and sends it again, same seq
        stats.inDoubt++;
        stats.errors[e.code ?? 'error'] = (stats.errors[e.code ?? 'error'] ?? 0) + 1;
        await S.sleep(250);
        continue;
      }
      if (res.status === 200) {
        const at = now();
        stats.acked++;
        const kept = JSON.parse(res.body).seq;
        acks.push([c.index, pending.itemIdx, pending.seq, pending.variantIdx, at, kept]);
        if (killTimes.length && at > killTimes.at(-1).readyAt) {
          ackedAfterRestart.n++;
          ackedAfterRestart.firstAt ??= at;
        }
        pending = null;
        await S.sleep(THINK_MIN + Math.random() * (THINK_MAX - THINK_MIN));
      } else if (res.status === 409) {
        stats.s409++;
        c.closedBy = JSON.parse(res.body).code;
        break;
      } else if (res.status === 401) {
        stats.s401++;
        await S.sleep(500);
      } else {
        stats.other[res.status] = (stats.other[res.status] ?? 0) + 1;
        await S.sleep(250);
      }
    }
    conn?.destroy();
  };

  const snapshotCheck = async (subset) => {
    const { rows } = await client.query(
      `SELECT i.attempt_id, i.item_id, i.response, i.seq FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id WHERE a.exam_id = $1`,
      [examId],
    );
    const db = new Map(rows.map((r) => [`${r.attempt_id}/${r.item_id}`, r]));
    const lastOf = new Map();
    for (const x of subset) {
      const key = `${x[0]}/${x[1]}`;
      if (!lastOf.has(key) || x[2] > lastOf.get(key)[2]) lastOf.set(key, x);
    }
    let lost = 0;
    let changed = 0;
    for (const [cand, itemIdx, seq, variantIdx] of lastOf.values()) {
      const c = candidates[cand];
      const it = c.a.items[itemIdx];
      const row = db.get(`${c.a.attemptId}/${it.itemId}`);
      const dbSeq = Number(row?.seq ?? 0);
      if (dbSeq < seq) lost++;
      else if (dbSeq === seq && canonical(row.response) !== canonical(JSON.parse(it.variants[variantIdx]))) changed++;
    }
    return { acks: subset.length, checked: lastOf.size, lost, changed };
  };
  const killer = (async () => {
    const plan = KILL_DURING_DEADLINE
      ? [deadlineLo + GRACE_S * 1000 + 300]
      : Array.from({ length: KILLS }, (_, i) => loadStart + (KILL_AT_S + i * KILL_EVERY_S) * 1000);
    for (const at of plan) {
      await S.sleep(Math.max(0, at - now()));
      const before = stats.acked;
      const k = { at: now(), ackedBefore: before, offsetS: Math.round((now() - loadStart) / 100) / 10 };
      S.log(`kill -9 ${app.pid} (${k.offsetS} s into the run, ${before} saves acked so far)`);
      app.proc.kill('SIGKILL');
      await app.exited;
      // while the app is down nothing writes: every save acknowledged so far must be in the database now
      k.snapshot = await snapshotCheck(acks.filter((x) => x[4] <= k.at));
      S.log(`app down; ${k.snapshot.checked} answers acked before the kill checked in the DB: ${k.snapshot.lost} lost, ${k.snapshot.changed} changed`);
      app = S.startApp({ dist, role: 'all', port, env, logFile });
      k.readyAt = now() + (await S.waitReady(`${base}/health`, { app, timeoutMs: 60000 }));
      k.downtimeMs = k.readyAt - k.at;
      killTimes.push(k);
      S.log(`app back after ${k.downtimeMs} ms (pid ${app.pid})`);
    }
  })();
  S.log(`${N} candidates answering (think time ${THINK_MIN}–${THINK_MAX} ms) until their deadline; first deadline ${new Date(deadlineLo).toISOString()}`);
  const answering = Promise.all(candidates.map(answer));
  await killer;
  if (!KILL_DURING_DEADLINE) {
    await S.sleep(1500);
    result.clockAfterRestart = await clockCheck(base, candidates, 'clock2');
    // the clock kept running through the outage: remaining(after) − remaining(before) = −(wall time between the reads)
    const diffs = candidates
      .filter((c) => c.clock1?.ok && c.clock2?.ok && c.clock2.state === 'in_progress' && c.clock2.remaining > 0)
      .map((c) => c.clock2.remaining - c.clock1.remaining + (c.clock2.at - c.clock1.at) / 1000);
    result.remainingDrift = { n: diffs.length, maxAbsDiffS: diffs.length ? Math.round(Math.max(...diffs.map(Math.abs)) * 100) / 100 : null };
  }
  await answering;
  stopped = true;
  result.load = { ...stats, ackedAfterRestart: ackedAfterRestart.n, firstAckAfterRestartMs: ackedAfterRestart.firstAt ? ackedAfterRestart.firstAt - killTimes.at(-1).readyAt : null, closedBy: {} };
  for (const c of candidates) result.load.closedBy[c.closedBy ?? 'hard stop'] = (result.load.closedBy[c.closedBy ?? 'hard stop'] ?? 0) + 1;
  result.kills = killTimes;
  result.clockBefore = check1;

  // ---- the deadline: wait for every attempt to be submitted and graded ------------------------------------------------
  S.log('waiting for the deadline jobs to submit and grade every attempt…');
  const waitUntil = deadlineHi + GRACE_S * 1000 + FINAL_WAIT_S * 1000;
  let counts = {};
  for (;;) {
    const { rows } = await client.query(`SELECT state, count(*)::int AS n FROM attempts WHERE exam_id = $1 GROUP BY state`, [examId]);
    counts = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    if (FINAL.reduce((s, k) => s + (counts[k] ?? 0), 0) >= N || now() > waitUntil) break;
    await S.sleep(250);
  }

  // ---- verification ------------------------------------------------------------------------------------------------
  const { rows: attempts } = await client.query(
    `SELECT a.id, a.state, a.deadline_at, a.submitted_at, a.submitted_by, a.decided_at, a.receipt_sha256,
            count(*) FILTER (WHERE e.kind = 'transition' AND e.type = 'autoSubmit')::int AS autos,
            count(*) FILTER (WHERE e.kind = 'transition' AND e.type = 'submit')::int AS submits
       FROM attempts a LEFT JOIN attempt_events e ON e.attempt_id = a.id WHERE a.exam_id = $1 GROUP BY a.id`,
    [examId],
  );
  const { rows: items } = await client.query(
    `SELECT i.attempt_id, i.item_id, i.position, i.response, i.seq FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id WHERE a.exam_id = $1 ORDER BY i.attempt_id, i.position`,
    [examId],
  );
  const byAttempt = new Map();
  for (const r of items) (byAttempt.get(r.attempt_id) ?? byAttempt.set(r.attempt_id, []).get(r.attempt_id)).push(r);
  const dbItem = new Map(items.map((r) => [`${r.attempt_id}/${r.item_id}`, r]));
  const attemptById = new Map(attempts.map((a) => [a.id, a]));

  // last acked seq per (candidate, item)
  const last = new Map();
  for (const [cand, itemIdx, seq, variantIdx, , kept] of acks) {
    const key = `${cand}/${itemIdx}`;
    const prev = last.get(key);
    if (!prev || seq > prev.seq) last.set(key, { cand, itemIdx, seq, variantIdx, kept });
  }
  let lost = 0;
  let changed = 0;
  const lostExamples = [];
  for (const a of last.values()) {
    const c = candidates[a.cand];
    const it = c.a.items[a.itemIdx];
    const row = dbItem.get(`${c.a.attemptId}/${it.itemId}`);
    const dbSeq = Number(row?.seq ?? 0);
    if (dbSeq < a.seq) {
      lost++;
      if (lostExamples.length < 5) lostExamples.push({ attemptId: c.a.attemptId, itemId: it.itemId, ackedSeq: a.seq, dbSeq });
    } else if (dbSeq === a.seq && canonical(row.response) !== canonical(JSON.parse(it.variants[a.variantIdx]))) changed++;
  }
  const ackedBeforeKill = acks.filter((x) => killTimes.length && x[4] <= killTimes[0].at).length;
  let deadlineSame = 0;
  let once = 0;
  let receiptOk = 0;
  let early = 0;
  const delays = [];
  for (const c of candidates) {
    const a = attemptById.get(c.a.attemptId);
    if (a.deadline_at.getTime() === Date.parse(c.a.deadlineAt)) deadlineSame++;
    if (a.autos === 1 && a.submits === 0) once++;
    const its = byAttempt.get(a.id) ?? [];
    if (a.receipt_sha256 && answerSetHash(a.id, its.map((i) => ({ itemId: i.item_id, response: i.response }))) === a.receipt_sha256) receiptOk++;
    if (a.submitted_at) {
      const due = a.deadline_at.getTime() + GRACE_S * 1000;
      if (a.submitted_at.getTime() < due) early++;
      delays.push(a.submitted_at.getTime() - due);
    }
  }
  const final = attempts.filter((a) => FINAL.includes(a.state)).length;
  const logText = readFileSync(logFile, 'utf8');
  result.appLog = { swept: (logText.match(/swept \d+ overdue/g) ?? []).length, jobFailures: (logText.match(/job failed/g) ?? []).length, tail: logText.split('\n').slice(-12) };
  result.verify = {
    acks: acks.length,
    ackedBeforeKill,
    ackedAnswersChecked: last.size,
    lost,
    changed,
    lostExamples,
    deadlineUnchangedInDb: deadlineSame,
    exactlyOneAutoSubmit: once,
    final,
    finalCounts: counts,
    receiptsMatchingItems: receiptOk,
    submittedBeforeDue: early,
    submitDelayAfterDueMs: S.summary(delays),
    notFinal: attempts.filter((a) => !FINAL.includes(a.state)).map((a) => ({ id: a.id, state: a.state, submittedAt: a.submitted_at, decidedAt: a.decided_at })).slice(0, 20),
    lastDecidedAfterKillS: killTimes.length ? Math.round((Math.max(...attempts.map((a) => a.decided_at?.getTime() ?? Infinity)) - killTimes.at(-1).at) / 100) / 10 : null,
    lastDecidedAfterDueS: Math.round((Math.max(...attempts.map((a) => a.decided_at?.getTime() ?? Infinity)) - (deadlineHi + GRACE_S * 1000)) / 100) / 10,
  };
}

function report() {
  const r = result;
  const v = r.verify;
  const c1 = r.clockBefore;
  const c2 = r.clockAfterRestart;
  console.log(`\nexam crash: ${N} candidates answering, app all-in-one, ${r.kills.length} × kill -9, ${LIMIT_S} s limit + ${GRACE_S} s grace\n`);
  console.log(
    S.table(
      ['kill', 'at (s into run)', 'acked before', 'kill → healthy again'],
      r.kills.map((k, i) => [i + 1, k.offsetS, k.ackedBefore, `${(k.downtimeMs / 1000).toFixed(1)} s`]),
    ),
  );
  console.log(
    `\n${S.table(
      ['measure', 'value'],
      [
        ['saves sent / acked / in doubt (connection lost) / resent with the same seq', `${r.load.sent} / ${r.load.acked} / ${r.load.inDoubt} / ${r.load.retriedSame}`],
        ['acked after the restart / first ack after healthy', `${r.load.ackedAfterRestart} / ${r.load.firstAckAfterRestartMs} ms`],
        ['401 (session lost) / other statuses / client errors', `${r.load.s401} / ${JSON.stringify(r.load.other)} / ${JSON.stringify(r.load.errors)}`],
        ['candidates stopped by', JSON.stringify(r.load.closedBy)],
        ['clock before the kill: deadline same / remaining consistent', `${c1.deadlineUnchanged} / ${c1.remainingConsistent} of ${c1.answered}`],
        ...(c2 ? [['clock after the restart: deadline same / remaining consistent', `${c2.deadlineUnchanged} / ${c2.remainingConsistent} of ${c2.answered} (${c2.statuses.length} failed)`]] : []),
        ...(r.remainingDrift ? [['remaining after − before vs wall time elapsed (max |diff|)', `${r.remainingDrift.maxAbsDiffS} s over ${r.remainingDrift.n} attempts`]] : []),
        ['auto-submit after deadline + grace p50 / max', `${v.submitDelayAfterDueMs.p50} / ${v.submitDelayAfterDueMs.max} ms (${v.submittedBeforeDue} early)`],
        ['last graded after the last deadline + grace / after the (last) kill', `${v.lastDecidedAfterDueS} s / ${v.lastDecidedAfterKillS} s`],
        ['final states', JSON.stringify(v.finalCounts)],
        ['sweeper runs that closed overdue attempts / job failures in the log', `${r.appLog.swept} / ${r.appLog.jobFailures}`],
      ],
    )}`,
  );
  const snaps = r.kills.map((k) => k.snapshot);
  const checks = [
    ...snaps.map((sn, i) => [
      `acked before kill ${i + 1} are in the DB while the app is down`,
      `${sn.checked} answers (last ack per item of ${sn.acks} acks): ${sn.lost} lost, ${sn.changed} changed`,
      sn.checked > 0 && sn.lost === 0 && sn.changed === 0,
    ]),
    ['every acknowledged answer is in the DB', `${v.ackedAnswersChecked} answers (last ack per item; ${v.acks} acks, ${v.ackedBeforeKill} before the kill): ${v.lost} lost, ${v.changed} changed`, v.lost === 0 && v.changed === 0 && v.ackedBeforeKill > 0],
    ['… and in the submitted receipt', `${v.receiptsMatchingItems}/${N} receipts = hash of stored answers`, v.receiptsMatchingItems === N],
    ['deadline_at unchanged by the crash', `${v.deadlineUnchangedInDb}/${N} in DB${c2 ? `, ${c2.deadlineUnchanged}/${N} from the API after restart` : ''}`, v.deadlineUnchangedInDb === N && (!c2 || c2.deadlineUnchanged === N)],
    [
      'remainingSeconds consistent with the server clock',
      `${c1.remainingConsistent}/${N} before${c2 ? `, ${c2.remainingConsistent}/${N} after` : ''}${r.remainingDrift ? `; after − before = −elapsed ±${r.remainingDrift.maxAbsDiffS} s` : ''}`,
      c1.remainingConsistent === N && (!c2 || (c2.remainingConsistent === N && r.remainingDrift.n > 0 && r.remainingDrift.maxAbsDiffS <= 2)),
    ],
    ['the deadline submits every attempt exactly once', `${v.exactlyOneAutoSubmit}/${N} auto-submitted once, ${v.submittedBeforeDue} early`, v.exactlyOneAutoSubmit === N && v.submittedBeforeDue === 0],
    ['… and every attempt is graded (passed/failed)', `${v.final}/${N} within ${FINAL_WAIT_S} s of the last deadline + grace`, v.final === N],
    ['sessions survive the restart', `${r.load.s401} × 401`, r.load.s401 === 0 && (!c2 || c2.statuses.length === 0)],
  ];
  console.log(`\n${S.table(['check', 'measured', 'verdict'], checks.map(([a, b, ok]) => [a, b, ok ? 'PASS' : 'FAIL']))}`);
  r.checks = checks.map(([check, measured, ok]) => ({ check, measured, pass: ok }));
  return checks.every((c) => c[2]);
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  result.error = String(error.stack ?? error);
  S.log(`ERROR: ${error.stack ?? error}`);
  S.log(`--- app.log (tail)\n${existsSync(join(work, 'app.log')) ? readFileSync(join(work, 'app.log'), 'utf8').split('\n').slice(-30).join('\n') : ''}`);
} finally {
  await app?.stop().catch(() => undefined);
  if (client) await client.end().catch(() => undefined);
  if (!o.flag('keep-db')) await S.dropDatabase(DB).catch((e) => S.log(`could not drop ${DB}: ${e.message}`));
  const removed = o.flag('keep-redis') ? 0 : await S.cleanupRedis(PREFIX).catch(() => 0);
  S.log(`cleaned up: database ${DB}${o.flag('keep-db') ? ' kept' : ' dropped'}, ${removed} Redis keys under ${PREFIX}:`);
  rmSync(work, { recursive: true, force: true });
}
const pass = failed ? false : report();
result.finishedAt = new Date().toISOString();
S.writeResult(OUT, result);
process.exit(failed ? 1 : pass ? 0 : 3);
