#!/usr/bin/env node
// ISV re-scoring benchmark. See bench/isv-rescore/README.md.
//  (a) 1,000 ISVs × 50 staff with certificates, projects and contributions: the full recompute (the nightly job's
//      work, IsvRecomputeService.recomputeAll) under 30 s — next to the same recompute SQL driven straight at Postgres.
//  (b) a steady 200 score events/s for 60 s, each committed with its outbox row as the app's use cases do: p95 from the
//      event's commit to the snapshot that includes it under 2 s — next to a BullMQ no-op worker's throughput.
//
//   node bench/isv-rescore/run.mjs [--isvs 1000] [--staff 50] [--rate 200] [--duration 60] [--mode all|split]
//        [--worker-concurrency 8] [--only ab] [--noop-jobs 20000] [--max-wait 60] [--no-build] [--app DIR]
//        [--keep-db] [--out FILE]
//
// Exit status: 0 all targets met, 3 a target missed, 1 error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as S from '../exam-autosave/shared.mjs';

const o = S.options();
const ISVS = o.num('isvs', 1000);
const STAFF = o.num('staff', 50);
const RATE = o.num('rate', 200);
const DURATION_S = o.num('duration', 60);
const MODE = o.str('mode', 'all');
const WORKER_CONCURRENCY = o.str('worker-concurrency', '');
const ONLY = o.str('only', 'ab');
const NOOP_JOBS = o.num('noop-jobs', 20000);
const MAX_WAIT = o.num('max-wait', 60);
const APP = resolve(o.str('app', S.repoRoot));
const OUT = o.str('out', join(S.resultsDir, 'isv-rescore.json'));
const TARGET = { fullRecomputeS: 30, eventToSnapshotP95Ms: 2000 };
if (!['all', 'split'].includes(MODE)) throw new Error('--mode is all or split');

const dist = S.build(APP, !o.flag('no-build'));
const stamp = `${Date.now().toString(36)}_${process.pid}`;
const DB = `pa_bench_isv_${stamp}`;
const PREFIX = `pa_bench_isv_${stamp}`;
const dbUrl = S.dbUrlOf(DB);
const secret = S.newSecret();
const work = mkdtempSync(join(tmpdir(), 'pa-bench-isv-'));
const procs = [];
let client = null;
const result = {
  benchmark: 'isv-rescore',
  startedAt: new Date().toISOString(),
  options: { ISVS, STAFF, RATE, DURATION_S, MODE, WORKER_CONCURRENCY: WORKER_CONCURRENCY || '8 (default)', ONLY, NOOP_JOBS },
  targets: TARGET,
  environment: S.environment(APP),
  note: 'shared machine: other helpers run tests at the same time; see machineBusy per phase',
};
const appEnv = (extra = {}) =>
  S.appEnv({ dbUrl, prefix: PREFIX, secret, extra: { ...(WORKER_CONCURRENCY ? { WORKER_CONCURRENCY } : {}), IMPORT_CONTENT_AT_START: 'false', ...extra } });
const ms = (t0) => Math.round(performance.now() - t0);

// ---- data -------------------------------------------------------------------------------------------------------------
/** Every row with set-based SQL (a few seconds), seeded so a run is repeatable. */
async function seed() {
  const t0 = performance.now();
  await client.query('SELECT setseed(0.42)');
  await client.query(`INSERT INTO organisations (name, type) VALUES ('Bench brand', 'brand')`);
  await client.query(`INSERT INTO organisations (name, type) SELECT 'Bench ISV ' || lpad(g::text, 5, '0'), 'isv' FROM generate_series(1, $1::int) g`, [ISVS]);
  await client.query(`INSERT INTO users (email, name, password_hash, role) VALUES ('bench-staff@bench.example', 'Bench staff', 'x', 'platform_staff')`);
  // STAFF people per ISV; the first of each is its manager.
  await client.query(
    `INSERT INTO users (email, name, password_hash, role, organisation_id)
     SELECT 'p' || o.n || '-' || g || '@bench.example', 'Person ' || o.n || '-' || g, 'x',
            (CASE WHEN g = 1 THEN 'isv_manager' ELSE 'candidate' END)::user_role, o.id
       FROM (SELECT id, row_number() OVER (ORDER BY name) AS n FROM organisations WHERE type = 'isv') o, generate_series(1, $1::int) g`,
    [STAFF],
  );
  const [{ id: examId }] = (
    await client.query(
      `INSERT INTO exams (key, title, mode, status, time_limit_seconds, pass_mark_percent, attempts_allowed, cooldown_hours, requires_course, review_policy, grace_seconds, integrity_thresholds, published_at)
       VALUES ('bench-certification', '{"zh-CN":"认证","en":"Certification"}', 'certification', 'published', 3600, 60, NULL, 0, false, 'responses', 1, '{}', now()) RETURNING id`,
    )
  ).rows;
  // Certificates: the share of certified staff varies by ISV (10 % … 70 %), issued over the last 26 months for two
  // years (some have expired), 3 % revoked.
  await client.query(
    `CREATE TEMP TABLE bench_cert AS
     SELECT u.id AS user_id, u.name, gen_random_uuid() AS attempt_id, now() - random() * interval '26 months' AS issued_at, random() < 0.03 AS revoked
       FROM users u JOIN (SELECT id, row_number() OVER (ORDER BY name) AS n FROM organisations WHERE type = 'isv') o ON o.id = u.organisation_id
      WHERE u.role = 'candidate' AND random() < 0.1 + 0.6 * ((o.n % 10) / 10.0)`,
  );
  await client.query(
    `INSERT INTO attempts (id, exam_id, user_id, state, seed, score_percent, passed, decided_at)
     SELECT attempt_id, $1, user_id, 'passed', 1, 80, true, issued_at FROM bench_cert`,
    [examId],
  );
  await client.query(
    `INSERT INTO certificates (serial, holder_id, holder_name, exam_id, attempt_id, score_percent, issued_at, expires_at, status, revoked_at, revocation_reason, verification_code)
     SELECT 'BENCH-' || lpad(row_number() OVER ()::text, 7, '0'), user_id, name, $1, attempt_id, 80, issued_at, issued_at + interval '24 months',
            CASE WHEN revoked THEN 'revoked' WHEN issued_at + interval '24 months' < now() THEN 'expired' ELSE 'active' END,
            CASE WHEN revoked THEN now() END, CASE WHEN revoked THEN 'bench' END, encode(gen_random_bytes(16), 'hex')
       FROM bench_cert`,
    [examId],
  );
  // Projects and deliveries: 0–5 per ISV, 80 % confirmed by the brand. (Each random() in a LATERAL refers to an outer
  // column — `+ 0 * o.n` — so it is drawn per row, not once per statement.)
  await client.query(
    `INSERT INTO projects (brand_organisation_id, name, stage) SELECT (SELECT id FROM organisations WHERE type = 'brand'), 'Bench project ' || g, 'trend_intelligence' FROM generate_series(1, 300) g`,
  );
  await client.query(
    `INSERT INTO project_deliveries (project_id, organisation_id, outcome, delivered_at, recorded_by, brand_confirmed_by, brand_confirmed_at, brand_confirmed_on_behalf)
     SELECT p.id, o.id, (ARRAY['launched','launched','partial','stopped'])[1 + floor(random() * 4)::int], now() - random() * interval '11 months',
            s.id, CASE WHEN c THEN s.id END, CASE WHEN c THEN now() END, CASE WHEN c THEN true END
       FROM (SELECT id, row_number() OVER (ORDER BY name) AS n FROM organisations WHERE type = 'isv') o
       CROSS JOIN LATERAL generate_series(1, floor(random() * 6 + 0 * o.n)::int) j
       JOIN (SELECT id, row_number() OVER (ORDER BY name) AS k FROM projects) p ON p.k = 1 + ((o.n * 7 + j * 37) % 300)
       CROSS JOIN (SELECT id FROM users WHERE role = 'platform_staff' LIMIT 1) s
       CROSS JOIN LATERAL (SELECT random() < 0.8 + 0 * j AS c) confirmed`,
  );
  // Contributions (0–8 per ISV, 70 % approved) and co-built products (0–2, 60 % approved), over the last 15 months.
  for (const [table, perIsv, share, columns, values] of [
    ['isv_contributions', 9, 0.7, 'kind, title', `(ARRAY['training','case_study','event','mentoring'])[1 + floor(random() * 4)::int], 'Bench contribution'`],
    ['isv_products', 3, 0.6, 'name', `'Bench product'`],
  ]) {
    await client.query(
      `INSERT INTO ${table} (organisation_id, ${columns}, description, occurred_at, status, submitted_by, approved_at, reviewed_by, reviewed_at)
       SELECT o.id, ${values}, 'bench', now() - random() * interval '15 months', CASE WHEN a THEN 'approved' ELSE 'submitted' END,
              m.id, CASE WHEN a THEN now() END, CASE WHEN a THEN s.id END, CASE WHEN a THEN now() END
         FROM organisations o
         JOIN users m ON m.organisation_id = o.id AND m.role = 'isv_manager'
         CROSS JOIN LATERAL generate_series(1, floor(random() * ${perIsv} + 0 * length(o.name))::int) j
         CROSS JOIN (SELECT id FROM users WHERE role = 'platform_staff' LIMIT 1) s
         CROSS JOIN LATERAL (SELECT random() < ${share} + 0 * j AS a) approved
        WHERE o.type = 'isv'`,
    );
  }
  await client.query('ANALYZE');
  const counts = (
    await client.query(
      `SELECT (SELECT count(*) FROM organisations WHERE type = 'isv')::int AS isvs, (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM certificates)::int AS certificates, (SELECT count(*) FROM certificates WHERE status = 'active')::int AS active_certificates,
              (SELECT count(*) FROM project_deliveries)::int AS deliveries, (SELECT count(*) FROM isv_contributions)::int AS contributions,
              (SELECT count(*) FROM isv_products)::int AS products`,
    )
  ).rows[0];
  return { ms: ms(t0), counts, examId };
}

// ---- (a) the full recompute -------------------------------------------------------------------------------------------
/** The app's own full recompute, in an application context (no HTTP, no workers) in this process. */
async function fullRecompute() {
  const { loadConfig } = S.require(join(dist, 'src/infra/config/config.js'));
  const { withAppContext } = S.require(join(dist, 'src/infra/boot/app-context.js'));
  const { IsvRecomputeService } = S.require(join(dist, 'src/modules/isv-scoring/isv-recompute.service.js'));
  const config = loadConfig({ ...process.env, ...appEnv() });
  return withAppContext(async (app) => {
    const service = app.get(IsvRecomputeService);
    const runs = {};
    const meter = S.cpuMeter(() => ({ bench: 'self' }));
    await S.waitForQuiet('the full recompute', MAX_WAIT);
    // 1. the first run: every ISV gets its first snapshot (and managers their first tier notice)
    meter.start();
    runs.first = { ...(await service.recomputeAll('full')), ...meter.stop() };
    S.log(`full recompute, first: ${runs.first.ms} ms, ${runs.first.snapshots} snapshots`);
    // 2. nothing changed: the nightly reconcile on a quiet night (no snapshot stored)
    meter.start();
    runs.unchanged = { ...(await service.recomputeAll('full')), ...meter.stop() };
    S.log(`full recompute, unchanged: ${runs.unchanged.ms} ms, ${runs.unchanged.snapshots} snapshots`);
    // 3. after a rule change every score moves: a new snapshot for every ISV
    await client.query(
      `INSERT INTO scoring_rule_versions (version, rules, effective_from, note)
       SELECT 2, jsonb_set(rules, '{dimensions,certification,pointsPerItem}', '5'), now(), 'bench: 5 points per certified person' FROM scoring_rule_versions WHERE version = 1`,
    );
    meter.start();
    runs.afterRuleChange = { ...(await service.recomputeAll('full')), ...meter.stop() };
    S.log(`full recompute, after a rule change: ${runs.afterRuleChange.ms} ms, ${runs.afterRuleChange.snapshots} snapshots`);
    return runs;
  }, config);
}

/** The same statements the recompute runs, straight at Postgres with pg (lock, context, inputs per chunk), no scoring, no writes. */
async function sqlBaseline() {
  const { IsvScoringRepository } = S.require(join(dist, 'src/modules/isv-scoring/isv-scoring.repository.js'));
  const { ScoreInputsRepository } = S.require(join(dist, 'src/modules/isv-scoring/score-inputs.repository.js'));
  const { FULL_RECOMPUTE_CHUNK, windowsOf } = S.require(join(dist, 'src/modules/isv-scoring/isv-recompute.service.js'));
  const { compileRules } = S.require(join(dist, 'src/modules/isv-scoring/domain/rules.js'));
  const { computeScore } = S.require(join(dist, 'src/modules/isv-scoring/domain/score.js'));
  const manager = { query: (sql, params) => client.query(sql, params).then((r) => (r.command === 'UPDATE' || r.command === 'DELETE' ? [r.rows, r.rowCount] : r.rows)) };
  const repository = new IsvScoringRepository(manager);
  const inputs = new ScoreInputsRepository(manager);
  const ids = (await client.query(`SELECT id FROM organisations WHERE type = 'isv' AND active ORDER BY id`)).rows.map((r) => r.id);
  await S.waitForQuiet('the SQL baseline', MAX_WAIT);
  const t0 = performance.now();
  let rows = 0;
  let scoringMs = 0;
  for (let i = 0; i < ids.length; i += FULL_RECOMPUTE_CHUNK) {
    const chunk = ids.slice(i, i + FULL_RECOMPUTE_CHUNK);
    await client.query('BEGIN');
    await repository.lockStates(manager, chunk);
    const context = await repository.recomputeContext(manager, chunk);
    const rules = compileRules(context.rules);
    const records = await inputs.recordsOf(manager, chunk, context.cutoff, windowsOf(rules, context.cutoff));
    await client.query('COMMIT');
    // The pure scoring on the same inputs, timed apart (not part of the SQL figure).
    const s0 = performance.now();
    for (const list of records.values()) {
      rows += list.length;
      computeScore(list, rules, context.cutoff);
    }
    scoringMs += performance.now() - s0;
  }
  const total = ms(t0);
  return { ms: Math.round(total - scoringMs), inputRows: rows, chunk: FULL_RECOMPUTE_CHUNK, pureScoringMs: Math.round(scoringMs) };
}

// ---- (b) steady events -------------------------------------------------------------------------------------------------
/** What the generator can draw from: per ISV, people without a certificate and active certificates. */
async function eventPools() {
  const isvs = (await client.query(`SELECT id FROM organisations WHERE type = 'isv' ORDER BY id`)).rows.map((r) => r.id);
  const uncertified = new Map(isvs.map((id) => [id, []]));
  const active = new Map(isvs.map((id) => [id, []]));
  for (const r of (
    await client.query(
      `SELECT u.id, u.name, u.organisation_id FROM users u WHERE u.role = 'candidate' AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.holder_id = u.id)`,
    )
  ).rows)
    uncertified.get(r.organisation_id)?.push(r);
  for (const r of (
    await client.query(`SELECT c.id, c.holder_id, u.organisation_id FROM certificates c JOIN users u ON u.id = c.holder_id WHERE c.status = 'active' AND u.role = 'candidate'`)
  ).rows)
    active.get(r.organisation_id)?.push(r);
  const managers = new Map((await client.query(`SELECT id, organisation_id FROM users WHERE role = 'isv_manager'`)).rows.map((r) => [r.organisation_id, r.id]));
  const staffId = (await client.query(`SELECT id FROM users WHERE role = 'platform_staff' LIMIT 1`)).rows[0].id;
  return { isvs, uncertified, active, managers, staffId };
}

// The score event and its outbox row exactly as ScoreEventsService.record and Outbox.add write them.
const RECORD_EVENT = `WITH e AS (INSERT INTO score_events (organisation_id, kind, source_type, source_id, user_id, occurred_at, detail)
                                 VALUES ($1, $2, $3, $4, $5, now(), '{}') RETURNING id, organisation_id),
                          o AS (INSERT INTO outbox (job_name, job_id, payload, delay_until)
                                SELECT 'isv.scoreEvent', NULL, jsonb_build_object('scoreEventId', e.id::text, 'organisationId', e.organisation_id), NULL FROM e RETURNING id)
                     SELECT e.id, (SELECT pg_notify('outbox', '') FROM o) FROM e`;

/** One business change and its score event in one transaction: a certificate issued or revoked, a contribution approved. */
async function oneEvent(conn, pools, examId, seq) {
  const isv = pools.isvs[Math.floor(Math.random() * pools.isvs.length)];
  const roll = Math.random();
  await conn.query('BEGIN');
  let eventId;
  try {
    const person = pools.uncertified.get(isv).pop();
    if (roll < 0.6 && person) {
      const { rows } = await conn.query(
        `WITH a AS (INSERT INTO attempts (exam_id, user_id, state, seed, score_percent, passed, decided_at) VALUES ($1, $2, 'passed', 1, 80, true, now()) RETURNING id)
         INSERT INTO certificates (serial, holder_id, holder_name, exam_id, attempt_id, score_percent, issued_at, expires_at, verification_code)
         SELECT 'BENCH-E' || $4, $2, $3, $1, a.id, 80, now(), now() + interval '24 months', encode(gen_random_bytes(16), 'hex') FROM a RETURNING id`,
        [examId, person.id, person.name, `${stamp}-${seq}`],
      );
      eventId = (await conn.query(RECORD_EVENT, [isv, 'certificate.issued', 'certificate', rows[0].id, person.id])).rows[0].id;
      pools.active.get(isv).push({ id: rows[0].id, holder_id: person.id });
    } else {
      if (person) pools.uncertified.get(isv).push(person);
      const list = pools.active.get(isv);
      if (roll < 0.8 && list.length) {
        const cert = list.splice(Math.floor(Math.random() * list.length), 1)[0];
        await conn.query(`UPDATE certificates SET status = 'revoked', revoked_at = now(), revocation_reason = 'bench', status_changed_at = now() WHERE id = $1`, [cert.id]);
        eventId = (await conn.query(RECORD_EVENT, [isv, 'certificate.revoked', 'certificate', cert.id, cert.holder_id])).rows[0].id;
      } else {
        const { rows } = await conn.query(
          `INSERT INTO isv_contributions (organisation_id, kind, title, description, occurred_at, status, submitted_by, approved_at, reviewed_by, reviewed_at)
           VALUES ($1, 'event', 'Bench event', 'bench', now() - interval '1 day', 'approved', $2, now(), $3, now()) RETURNING id`,
          [isv, pools.managers.get(isv), pools.staffId],
        );
        eventId = (await conn.query(RECORD_EVENT, [isv, 'contribution.approved', 'contribution', rows[0].id, null])).rows[0].id;
      }
    }
    await conn.query('COMMIT');
  } catch (error) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { eventId: String(eventId), isv, committedAt: Date.now() };
}

async function steadyEvents(base, examId, appPids) {
  const { Pool } = S.require('pg');
  const pool = new Pool({ connectionString: dbUrl, max: 16 });
  const pools = await eventPools();
  const events = [];
  let errors = 0;
  let late = 0;
  await S.waitForQuiet('the steady events', MAX_WAIT);
  const meter = S.cpuMeter(() => appPids());
  meter.start();
  const [{ id: firstSnapshot }] = (await client.query(`SELECT coalesce(max(id), 0) AS id FROM isv_score_snapshots`)).rows;
  const t0 = performance.now();
  const total = RATE * DURATION_S;
  const inflight = new Set();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await S.sleep(wait);
    else if (wait < -50) late++;
    const p = (async () => {
      const conn = await pool.connect();
      try {
        events.push(await oneEvent(conn, pools, examId, i));
      } catch (error) {
        errors++;
        if (errors <= 3) S.log(`event failed: ${error.message}`);
      } finally {
        conn.release();
      }
    })();
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  const sendMs = ms(t0);
  S.log(`${events.length} events committed in ${sendMs} ms (${errors} failed, ${late} sent > 50 ms late); waiting for the scores…`);
  // Wait until every event is in a snapshot (the snapshot's event mark ≥ the event id for its ISV).
  const ids = events.map((e) => e.eventId);
  const waitStart = Date.now();
  let coveredAt = new Map();
  for (;;) {
    const { rows } = await client.query(
      `SELECT e.id::text AS id, (SELECT min(s.computed_at) FROM isv_score_snapshots s WHERE s.organisation_id = e.organisation_id AND s.event_high_water >= e.id) AS at
         FROM score_events e WHERE e.id = ANY($1::bigint[])`,
      [ids],
    );
    coveredAt = new Map(rows.filter((r) => r.at).map((r) => [r.id, r.at.getTime()]));
    if (coveredAt.size >= ids.length || Date.now() - waitStart > MAX_WAIT * 1000) break;
    await S.sleep(500);
  }
  const cpu = meter.stop(await S.backendPids(client, DB));
  const latencies = events.filter((e) => coveredAt.has(e.eventId)).map((e) => coveredAt.get(e.eventId) - e.committedAt);
  const [{ snapshots, recomputedIsvs }] = (
    await client.query(`SELECT count(*)::int AS snapshots, count(DISTINCT organisation_id)::int AS "recomputedIsvs" FROM isv_score_snapshots WHERE id > $1`, [firstSnapshot])
  ).rows;
  await pool.end();
  return {
    targetRate: RATE,
    durationS: DURATION_S,
    committed: events.length,
    failed: errors,
    sentLate: late,
    achievedRate: Math.round((events.length / sendMs) * 10000) / 10,
    notCovered: ids.length - coveredAt.size,
    commitToSnapshotMs: S.summary(latencies),
    snapshots,
    recomputedIsvs,
    eventsPerSnapshot: snapshots ? Math.round((events.length / snapshots) * 100) / 100 : null,
    cpu,
  };
}

/** A BullMQ queue with a worker that does nothing, at the app's concurrency: how many jobs a second BullMQ moves here. */
async function noopBaseline() {
  const { Queue, Worker } = S.require('bullmq');
  const Redis = S.require('ioredis');
  const connection = () => new Redis(S.REDIS_URL, { maxRetriesPerRequest: null });
  const conns = [connection(), connection()];
  const queue = new Queue('noop', { connection: conns[0], prefix: PREFIX });
  const concurrency = Number(WORKER_CONCURRENCY || 8);
  let done = 0;
  let finish;
  const finished = new Promise((r) => (finish = r));
  for (let i = 0; i < NOOP_JOBS; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, NOOP_JOBS - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: { count: 1000 } } })));
  }
  await S.waitForQuiet('the BullMQ baseline', MAX_WAIT);
  const t0 = performance.now();
  const worker = new Worker(
    'noop',
    async () => {
      if (++done === NOOP_JOBS) finish();
    },
    { connection: conns[1], prefix: PREFIX, concurrency },
  );
  await finished;
  const elapsed = ms(t0);
  await worker.close();
  await queue.close();
  for (const c of conns) c.disconnect();
  return { jobs: NOOP_JOBS, concurrency, ms: elapsed, jobsPerSecond: Math.round((NOOP_JOBS / elapsed) * 1000) };
}

// ---- main --------------------------------------------------------------------------------------------------------------
let exitCode = 0;
try {
  S.log(`database ${DB}, BullMQ prefix ${PREFIX}`);
  await S.createDatabase(DB);
  const { runMigrations } = S.require(join(dist, 'src/infra/database/data-source.js'));
  await runMigrations(dbUrl);
  client = S.pgClient(dbUrl);
  await client.connect();
  result.postgres = await S.pgSettings(dbUrl);
  const seeded = await seed();
  result.seed = seeded.counts;
  result.seedMs = seeded.ms;
  S.log(`seeded in ${seeded.ms} ms: ${JSON.stringify(seeded.counts)}`);

  if (ONLY.includes('a')) {
    result.sqlBaseline = await sqlBaseline();
    S.log(`SQL baseline: ${result.sqlBaseline.ms} ms for ${result.sqlBaseline.inputRows} input rows; pure scoring ${result.sqlBaseline.pureScoringMs} ms`);
    result.fullRecompute = await fullRecompute();
  }

  if (ONLY.includes('b')) {
    if (!ONLY.includes('a')) result.fullRecompute = await fullRecompute(); // every ISV needs a first snapshot
    result.noopBaseline = await noopBaseline();
    S.log(`BullMQ no-op worker: ${result.noopBaseline.jobsPerSecond} jobs/s`);
    const logFile = join(work, 'app.log');
    const apps = [];
    if (MODE === 'all') {
      const port = await S.freePort();
      apps.push(S.startApp({ dist, role: 'all', port, env: appEnv(), logFile }));
      procs.push(...apps);
      await S.waitReady(`http://127.0.0.1:${port}/health/ready`, { app: apps[0] });
    } else {
      const port = await S.freePort();
      apps.push(S.startApp({ dist, role: 'web', port, env: appEnv(), logFile }));
      apps.push(S.startApp({ dist, role: 'worker', env: appEnv(), logFile }));
      procs.push(...apps);
      await S.waitReady(`http://127.0.0.1:${port}/health/ready`, { app: apps[0] });
      await S.sleep(2000);
    }
    const pids = () => Object.fromEntries(apps.map((a, i) => [`app${apps.length > 1 ? `-${a.role}` : ''}${i || ''}`, a.pid]).concat([['bench', 'self']]));
    result.steady = await steadyEvents(null, seeded.examId, pids);
    S.log(`steady: ${JSON.stringify(result.steady.commitToSnapshotMs)}`);
  }

  const verdict = {};
  if (result.fullRecompute) verdict.fullRecompute = result.fullRecompute.afterRuleChange.ms / 1000 < TARGET.fullRecomputeS && result.fullRecompute.first.ms / 1000 < TARGET.fullRecomputeS;
  if (result.steady) verdict.eventToSnapshotP95 = result.steady.notCovered === 0 && result.steady.commitToSnapshotMs.p95 < TARGET.eventToSnapshotP95Ms;
  result.verdict = verdict;
  if (Object.values(verdict).some((v) => !v)) exitCode = 3;

  const rows = [];
  if (result.fullRecompute) {
    for (const [k, v] of Object.entries(result.fullRecompute)) rows.push([`full recompute (${k})`, `${v.ms} ms`, `${v.snapshots} snapshots, machine ${Math.round(v.machineBusy * 100)} % busy`]);
    rows.push(['baseline: recompute SQL at Postgres', `${result.sqlBaseline?.ms ?? '–'} ms`, `${result.sqlBaseline?.inputRows ?? '–'} input rows; pure scoring ${result.sqlBaseline?.pureScoringMs ?? '–'} ms`]);
  }
  if (result.steady) {
    const s = result.steady;
    rows.push([`${s.targetRate} events/s × ${s.durationS} s`, `p95 ${s.commitToSnapshotMs.p95} ms`, `p50 ${s.commitToSnapshotMs.p50}, p99 ${s.commitToSnapshotMs.p99}, max ${s.commitToSnapshotMs.max}; ${s.committed} events, ${s.snapshots} snapshots, ${s.notCovered} not covered; machine ${Math.round(s.cpu.machineBusy * 100)} % busy`]);
    rows.push(['baseline: BullMQ no-op worker', `${result.noopBaseline.jobsPerSecond} jobs/s`, `${result.noopBaseline.jobs} jobs, concurrency ${result.noopBaseline.concurrency}`]);
  }
  console.log(S.table(['what', 'figure', 'detail'], rows));
  console.log(`verdict: ${JSON.stringify(verdict)}`);
} catch (error) {
  exitCode = 1;
  result.error = error.stack ?? String(error);
  S.log(`ERROR: ${error.stack ?? error}`);
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  if (client) await client.end().catch(() => undefined);
  result.finishedAt = new Date().toISOString();
  S.writeResult(OUT, result);
  if (!o.flag('keep-db')) {
    await S.dropDatabase(DB).catch((e) => S.log(`could not drop ${DB}: ${e.message}`));
    await S.cleanupRedis(PREFIX).catch((e) => S.log(`could not clean Redis: ${e.message}`));
  }
  rmSync(work, { recursive: true, force: true });
  process.exit(exitCode);
}
