import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import Redis from 'ioredis';
import { OutboxRelay } from '../../src/infra/queue/outbox';
import { QueueService } from '../../src/infra/queue/queue.service';
import { IsvRecomputeService } from '../../src/modules/isv-scoring/isv-recompute.service';
import { ISV_FULL_QUEUE, IsvScoringSweeper } from '../../src/modules/isv-scoring/jobs/isv-scoring.jobs';
import { ScoreEventsService } from '../../src/modules/score-events/score-events.service';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../support/exams';
import { issueScoredCertificate, makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';

type Person = Awaited<ReturnType<typeof makeUser>>;

async function latestSnapshot(t: TestApp, isvId: string) {
  const rows: { id: string; total: string; tier: string; rule_version: number; event_high_water: string; items: { id: string; points: number }[] }[] = await t.db.query(
    `SELECT id, total, tier, rule_version, event_high_water, items FROM isv_score_snapshots WHERE organisation_id = $1 ORDER BY id DESC LIMIT 1`,
    [isvId],
  );
  return rows[0] ?? null;
}

async function certify(t: TestApp, person: Person) {
  return issueScoredCertificate(t.app, { id: person.id, name: person.name, organisationId: person.organisationId });
}

/** An approved co-built product and its score event, in one transaction (what staff approval does). */
async function approveProduct(t: TestApp, isvId: string, submittedBy: string, reviewer: string) {
  await t.db.transaction(async (manager) => {
    const [{ id }] = await manager.query(
      `INSERT INTO isv_products (organisation_id, name, description, occurred_at, status, submitted_by, approved_at, reviewed_by, reviewed_at)
       VALUES ($1, 'Trend radar', 'A co-built tool', now() - interval '1 day', 'approved', $2, now(), $3, now()) RETURNING id`,
      [isvId, submittedBy, reviewer],
    );
    await t.app.get(ScoreEventsService).record(manager, { organisationId: isvId, kind: 'product.approved', sourceType: 'product', sourceId: id as string });
  });
}

describe('ISV scoring through the real queue', () => {
  let t: TestApp;
  let staff: Person;
  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    staff = await makeUser(t.app, 'platform_staff');
  });
  afterAll(async () => t?.close());

  it('raises the ISV score within seconds of a certificate being issued, and the point links to the certificate', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const manager = await makeUser(t.app, 'isv_manager', isv.id);
    const person = await makeUser(t.app, 'candidate', isv.id);
    const started = Date.now();
    const { certificateId } = await certify(t, person);
    const snapshot = await eventually(async () => {
      const s = await latestSnapshot(t, isv.id);
      return s && Number(s.total) > 0 ? s : null;
    }, 10000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(Number(snapshot.total)).toBe(4);

    const agent = await signedInAgent(t.url, manager.email, PASSWORD);
    const score = await agent.get(`/api/v1/isvs/${isv.id}/score`).expect(200);
    expect(score.body).toMatchObject({ total: 4, tier: 'registered', ruleVersion: 1 });
    expect(score.body.dimensions.certification).toMatchObject({ points: 4, max: 40 });
    expect(score.body.dimensions.certification.items).toEqual([
      expect.objectContaining({ source: 'certificate', id: certificateId, points: 4, expiresAt: expect.stringMatching(/^\d{4}-/) }),
    ]);
    expect(Object.keys(score.body.dimensions)).toEqual(['certification', 'projects', 'ecosystem', 'coBuilt']);

    const [{ verification_code: code }] = await t.db.query(`SELECT verification_code FROM certificates WHERE id = $1`, [certificateId]);
    const page = await agent.get('/isv/score').expect(200);
    expect(page.text).toContain(`href="/verify/${code}"`);
    expect(page.text).toContain('data-trend');

    const staffList = await agent.get(`/api/v1/isvs/${isv.id}/staff`).expect(200);
    const names = new Map((staffList.body as { userId: string; certificate: unknown }[]).map((r) => [r.userId, r.certificate]));
    expect(names.get(person.id)).toMatchObject({ status: 'active', serial: expect.stringContaining('TMIC-NPP') });
    expect(names.get(manager.id)).toBeNull();

    const history = await agent.get(`/api/v1/isvs/${isv.id}/score/history`).expect(200);
    expect(history.body.items[0]).toMatchObject({ total: 4, ruleVersion: 1, tier: 'registered' });
  });

  it('answers 403 to a manager asking for another ISV, by session or by API token', async () => {
    const mine = await makeOrganisation(t.app, 'isv');
    const theirs = await makeOrganisation(t.app, 'isv');
    const manager = await makeUser(t.app, 'isv_manager', mine.id);
    const agent = await signedInAgent(t.url, manager.email, PASSWORD);
    for (const path of [`/api/v1/isvs/${theirs.id}/score`, `/api/v1/isvs/${theirs.id}/staff`, `/api/v1/isvs/${theirs.id}/score/history`]) {
      const response = await agent.get(path);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('NOT_YOUR_ISV');
    }
    const token = (await agent.post('/api/v1/me/tokens').send({ name: 'erp' }).expect(201)).body.token as string;
    await request(t.url).get(`/api/v1/isvs/${mine.id}/score`).set('Authorization', `Bearer ${token}`).expect(200);
    await request(t.url).get(`/api/v1/isvs/${theirs.id}/score`).set('Authorization', `Bearer ${token}`).expect(403);
    await request(t.url).get(`/api/v1/isvs/${theirs.id}/staff`).set('Authorization', `Bearer ${token}`).expect(403);
    expect((await agent.get(`/admin/isv-scores/${theirs.id}`)).status).toBe(403);

    const staffAgent = await signedInAgent(t.url, staff.email, PASSWORD);
    await staffAgent.get(`/api/v1/isvs/${theirs.id}/score`).expect(200);
    await staffAgent.get(`/api/v1/isvs/00000000-0000-4000-8000-000000000000/score`).expect(404);
    const candidate = await makeUser(t.app, 'candidate', mine.id);
    expect((await (await signedInAgent(t.url, candidate.email, PASSWORD)).get(`/api/v1/isvs/${mine.id}/score`)).status).toBe(403);
  });

  it('collapses a burst of events into few recomputes and still counts every one', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const people = await Promise.all(Array.from({ length: 12 }, () => makeUser(t.app, 'candidate', isv.id)));
    await Promise.all(people.map((p) => certify(t, p)));
    const [{ last }] = await t.db.query(`SELECT max(id) AS last FROM score_events WHERE organisation_id = $1`, [isv.id]);
    const snapshot = await eventually(async () => {
      const s = await latestSnapshot(t, isv.id);
      return s && BigInt(s.event_high_water) >= BigInt(last) ? s : null;
    }, 15000);
    expect(Number(snapshot.total)).toBe(40); // 12 people × 4, capped at 40
    expect(snapshot.tier).toBe('silver');
    const [{ n }] = await t.db.query(`SELECT count(*) AS n FROM isv_score_snapshots WHERE organisation_id = $1`, [isv.id]);
    expect(Number(n)).toBeLessThanOrEqual(12);
  });

  it('notifies the ISV managers in-app when the tier changes', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const manager = await makeUser(t.app, 'isv_manager', isv.id);
    const people = await Promise.all(Array.from({ length: 10 }, () => makeUser(t.app, 'candidate', isv.id)));
    for (const p of people) await certify(t, p);
    const notice = await eventually(async () => {
      const rows: { kind: string; params: { total: string }; link: string }[] = await t.db.query(`SELECT kind, params, link FROM notifications WHERE user_id = $1`, [manager.id]);
      return rows.find((r) => r.kind === 'isvScoring.notifications.promoted.silver') ?? null;
    }, 15000);
    expect(notice).toMatchObject({ params: { total: '40' }, link: '/isv/score' });
  });

  it('keeps the tier when the points fall below it, warns the managers with the demotion date and books the recomputes for it', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const manager = await makeUser(t.app, 'isv_manager', isv.id);
    const people = await Promise.all(Array.from({ length: 10 }, () => makeUser(t.app, 'candidate', isv.id)));
    const certificates: string[] = [];
    for (const p of people) certificates.push((await certify(t, p)).certificateId);
    await eventually(async () => {
      const s = await latestSnapshot(t, isv.id);
      return s && s.tier === 'silver' && Number(s.total) === 40 ? s : null;
    }, 15000);
    // A certificate is revoked: 36 points, below Silver — the ISV stays Silver, at risk.
    await t.db.transaction(async (manager) => {
      await manager.query(`UPDATE certificates SET status = 'revoked', revoked_at = now(), revocation_reason = 'test' WHERE id = $1`, [certificates[0]]);
      await t.app.get(ScoreEventsService).record(manager, { organisationId: isv.id, kind: 'certificate.revoked', sourceType: 'certificate', sourceId: certificates[0], userId: people[0].id });
    });
    const atRisk = await eventually(async () => {
      const s = await latestSnapshot(t, isv.id);
      return s && Number(s.total) === 36 ? s : null;
    }, 15000);
    expect(atRisk.tier).toBe('silver');
    const agent = await signedInAgent(t.url, manager.email, PASSWORD);
    const score = (await agent.get(`/api/v1/isvs/${isv.id}/score`).expect(200)).body;
    expect(score).toMatchObject({ tier: 'silver', eligibleTier: 'registered', total: 36 });
    const demotionOn = new Date(score.atRisk.demotionOn).getTime();
    expect(demotionOn - new Date(score.atRisk.since).getTime()).toBe(90 * 86400000);
    const [notice] = await t.db.query(`SELECT params FROM notifications WHERE user_id = $1 AND kind = 'isvScoring.notifications.atRisk.silver'`, [manager.id]);
    expect(notice.params.demotionOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const booked: { delay_until: Date }[] = await t.db.query(`SELECT delay_until FROM outbox WHERE job_name = 'isv.recompute' AND payload->>'organisationId' = $1 ORDER BY delay_until`, [isv.id]);
    expect(booked.map((b) => new Date(b.delay_until).getTime())).toEqual([demotionOn - 14 * 86400000, demotionOn]);
    const page = await agent.get('/isv/score').expect(200);
    expect(page.text).toContain('data-at-risk');
    expect(page.text).toContain('data-plan-kind="keep"');
  });

  it('lets staff rank, drill down, recompute and inspect the queues', async () => {
    const isv = await makeOrganisation(t.app, 'isv', `Ranked ISV ${Date.now()}`);
    const agent = await signedInAgent(t.url, staff.email, PASSWORD);
    await agent.get('/admin/isv-scores').expect(200);
    const filtered = await agent.get(`/admin/isv-scores?tier=registered&q=${encodeURIComponent(isv.name)}`).expect(200);
    expect(filtered.text).toContain(isv.name);
    await agent.get(`/admin/isv-scores/${isv.id}`).expect(200);
    const api = await agent.post(`/api/v1/isvs/${isv.id}/score/recompute`).send({}).expect(202);
    expect(api.body).toEqual({ accepted: true });
    await eventually(() => latestSnapshot(t, isv.id), 10000);
    const [{ n }] = await t.db.query(`SELECT count(*) AS n FROM audit_events WHERE action = 'scoring.recompute_requested' AND target_id = $1`, [isv.id]);
    expect(Number(n)).toBe(1);
    // A job that fails (an organisation id that is not a uuid), then retried from the queues page.
    const queue = t.app.get(QueueService).queue('isv-scoring');
    const job = await queue.add('isv.recompute', { organisationId: 'not-a-uuid' }, { attempts: 1 });
    await eventually(async () => ((await job.getState()) === 'failed' ? true : null), 10000);
    const queues = await agent.get('/admin/queues?queue=isv-scoring').expect(200);
    expect(queues.text).toContain('data-queue="isv-scoring"');
    expect(queues.text).toContain('data-outbox');
    expect(queues.text).toContain(`data-job-id="${job.id}"`);
    expect(queues.text).toMatch(/invalid input syntax for type uuid/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(queues.text)![1];
    const retried = await agent.post(`/admin/queues/isv-scoring/jobs/${job.id}/retry`).type('form').send({ _csrf: csrf });
    expect(retried.status).toBe(303);
    await eventually(async () => ((await queue.getJob(job.id!))!.attemptsStarted >= 2 ? true : null), 10000);
    const [{ n: retries }] = await t.db.query(`SELECT count(*) AS n FROM audit_events WHERE action = 'scoring.job_retried' AND target_id = $1`, [job.id]);
    expect(Number(retries)).toBe(1);
    expect((await agent.post(`/admin/queues/nope/jobs/1/retry`).type('form').send({ _csrf: csrf })).status).toBe(404);
    const ranking = await agent.get('/api/v1/isvs?tier=registered&perPage=100').expect(200);
    expect(ranking.body.items.map((i: { isvId: string }) => i.isvId)).toContain(isv.id);
  });

  it('refuses rules that break the scale or a date in the past, naming each field', async () => {
    const agent = await signedInAgent(t.url, staff.email, PASSWORD);
    const { body: current } = await agent.get('/api/v1/scoring/rules').expect(200);
    const rules = JSON.parse(JSON.stringify(current.inForce.rules));
    rules.dimensions.projects.cap = 35;
    rules.tiers.gold.minPerDimension = 0;
    const bad = await agent.post('/api/v1/scoring/rules').send({ rules, effectiveFrom: '2020-01-01' }).expect(400);
    expect(bad.body.code).toBe('RULES_INVALID');
    expect(Object.keys(bad.body.fields).sort()).toEqual(['dimensions', 'effectiveFrom', 'tiers.gold.minPerDimension']);
    rules.tiers.gold.minPerDimension = 1;
    const scale = await agent.post('/api/v1/scoring/rules').send({ rules }).expect(400);
    expect(scale.body.fields.dimensions[0]).toMatch(/100/);
    const form = await agent.get('/admin/scoring-rules').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const posted = await agent.post('/admin/scoring-rules').type('form').send({ _csrf: csrf, 'dimensions.certification.cap': 'forty', 'dimensions.ecosystem.pointsByVariant': 'case study: 4' });
    expect(posted.status).toBe(400);
    expect(posted.text).toContain('case_study = 4');
  });

  it('applies a rule version from a future moment only when it arrives, through the queue', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const person = await makeUser(t.app, 'candidate', isv.id);
    await certify(t, person);
    await eventually(async () => {
      const s = await latestSnapshot(t, isv.id);
      return s && Number(s.total) === 4 ? s : null;
    }, 10000);
    const agent = await signedInAgent(t.url, staff.email, PASSWORD);
    const { body: current } = await agent.get('/api/v1/scoring/rules').expect(200);
    const rules = JSON.parse(JSON.stringify(current.inForce.rules));
    rules.dimensions.certification.pointsPerItem = 5;
    const effectiveFrom = new Date(Date.now() + 4000);
    const created = await agent.post('/api/v1/scoring/rules').send({ rules, effectiveFrom: effectiveFrom.toISOString(), note: 'five per person' }).expect(201);
    const version = created.body.version as number;
    expect(version).toBeGreaterThan(current.inForce.version);

    // Before the moment: a recompute still uses the version in force.
    await t.app.get(IsvRecomputeService).recomputeOne(isv.id);
    const before = await latestSnapshot(t, isv.id);
    expect(before.rule_version).toBe(current.inForce.version);
    expect(Number(before.total)).toBe(4);
    expect((await agent.get('/api/v1/scoring/rules').expect(200)).body.scheduled.map((v: { version: number }) => v.version)).toContain(version);

    // At the moment, the booked full recompute applies it to every ISV.
    const after = await eventually(async () => {
      const s = await latestSnapshot(t, isv.id);
      return s && s.rule_version === version ? s : null;
    }, 20000);
    expect(Date.now()).toBeGreaterThanOrEqual(effectiveFrom.getTime());
    expect(Number(after.total)).toBe(5);
  });
});

// ---- Redis outage ----------------------------------------------------------------------------

const REDIS_PORT = 17000 + (process.pid % 1000);
const OUTAGE_MS = Number(process.env.ISV_SCORING_OUTAGE_MS || 8000);

function startRedis(dir: string | null): Promise<ChildProcess> {
  // With a directory: persistence on (append-only file, fsync on every write) as in production, so a restart keeps the queues.
  const persistence = dir ? ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const child = spawn('redis-server', ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', ...persistence, '--save', ''], { stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve(child);
    });
    child.on('error', reject);
  });
}

interface Scenario {
  isvs: { id: string }[];
  people: Person[][];
  staff: Person;
}

async function setUp(t: TestApp): Promise<Scenario> {
  const staff = await makeUser(t.app, 'platform_staff');
  const isvs = [];
  const people: Person[][] = [];
  for (let i = 0; i < 4; i++) {
    const isv = await makeOrganisation(t.app, 'isv', `Outage ISV ${i} ${t.databaseName}`);
    isvs.push(isv);
    people.push(await Promise.all(Array.from({ length: 12 }, () => makeUser(t.app, 'candidate', isv.id))));
  }
  return { isvs, people, staff };
}

/** The same stream of events for both runs: certificates (some over the cap) and co-built products. */
function script(): { isv: number; person: number; product: boolean }[] {
  const steps = [];
  for (let k = 0; k < 30; k++) steps.push({ isv: k % 4, person: Math.floor(k / 4) + (k % 4 === 0 ? 4 : 0), product: k % 7 === 3 });
  return steps;
}

async function play(t: TestApp, s: Scenario, steps: ReturnType<typeof script>, pauseMs: number) {
  for (const step of steps) {
    if (step.product) await approveProduct(t, s.isvs[step.isv].id, s.people[step.isv][0].id, s.staff.id);
    else await certify(t, s.people[step.isv][step.person % 12]);
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

async function settled(t: TestApp, s: Scenario, timeoutMs: number) {
  return eventually(
    async () => {
      const [{ pending }] = await t.db.query(`SELECT count(*) AS pending FROM outbox WHERE relayed_at IS NULL`);
      if (Number(pending) > 0) return null;
      const scores = [];
      for (const isv of s.isvs) {
        const [{ last }] = await t.db.query(`SELECT coalesce(max(id), 0) AS last FROM score_events WHERE organisation_id = $1`, [isv.id]);
        const snapshot = await latestSnapshot(t, isv.id);
        if (!snapshot || BigInt(snapshot.event_high_water) < BigInt(last)) return null;
        scores.push({ total: Number(snapshot.total), tier: snapshot.tier, counted: snapshot.items.filter((i) => i.points > 0).length, items: snapshot.items.length });
      }
      return scores;
    },
    timeoutMs,
    250,
  );
}

describe('ISV scoring while Redis is down', () => {
  it('loses nothing: after Redis returns, scores equal those of a run without the outage', async () => {
    // The run without an outage, on the shared Redis.
    const baseline = await startTestApp({ roles: { web: false, worker: true } });
    let expected;
    try {
      const s = await setUp(baseline);
      await play(baseline, s, script(), 0);
      expected = await settled(baseline, s, 30000);
    } finally {
      await baseline.close();
    }

    const dir = mkdtempSync(join(tmpdir(), 'isv-scoring-redis-'));
    let redis = await startRedis(dir);
    const t = await startTestApp({ roles: { web: false, worker: true }, env: { REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}` } });
    try {
      const s = await setUp(t);
      const steps = script();
      await play(t, s, steps.slice(0, 8), 0);
      redis.kill('SIGKILL');
      // Events keep happening while Redis is down: they commit, and wait in the outbox.
      await play(t, s, steps.slice(8), Math.floor(OUTAGE_MS / (steps.length - 8)));
      const [{ pending }] = await t.db.query(`SELECT count(*) AS pending FROM outbox WHERE relayed_at IS NULL`);
      expect(Number(pending)).toBeGreaterThan(0);
      redis = await startRedis(dir);
      const actual = await settled(t, s, 60000);
      expect(actual).toEqual(expected);
      // And a recompute from scratch finds nothing different.
      const recomputed = await t.app.get(IsvRecomputeService).recomputeBatch(s.isvs.map((i) => i.id), 'full');
      expect(recomputed.every((o) => o.snapshotId === null)).toBe(true);
    } finally {
      await t.close();
      redis.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ISV scoring when Redis loses its data', () => {
  it('sweeps ISVs whose score missed an event back into the queue, and puts the nightly schedule back', async () => {
    const redis = await startRedis(null);
    const env = { REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}` };
    const flush = async () => {
      const client = new Redis(env.REDIS_URL);
      await client.flushall();
      client.disconnect();
    };
    // An app without workers: the event is relayed to BullMQ by hand, then Redis forgets it.
    const producer = await startTestApp({ roles: { web: false, worker: false }, env });
    let worker: TestApp | null = null;
    try {
      const isv = await makeOrganisation(producer.app, 'isv');
      const person = await makeUser(producer.app, 'candidate', isv.id);
      await certify(producer, person);
      expect(await producer.app.get(OutboxRelay).relayBatch()).toBe(1);
      await flush();
      await producer.close({ keepDatabase: true });
      worker = await startTestApp({ roles: { web: false, worker: true }, env, database: { name: producer.databaseName, url: producer.config.databaseUrl } });
      await flush(); // the schedules the worker just registered are gone too
      await new Promise((r) => setTimeout(r, 1000));
      expect(await latestSnapshot(worker, isv.id)).toBeNull();

      expect(await worker.app.get(IsvScoringSweeper).sweepOnce(0)).toBe(1);
      const snapshot = await eventually(async () => {
        const s = await latestSnapshot(worker!, isv.id);
        return s && Number(s.total) === 4 ? s : null;
      }, 10000);
      expect(snapshot.tier).toBe('registered');
      expect(await worker.app.get(QueueService).queue(ISV_FULL_QUEUE).getJobScheduler('isv.recomputeAll')).toBeTruthy();
      expect(await worker.app.get(IsvScoringSweeper).sweepOnce(0)).toBe(0);
    } finally {
      if (worker) await worker.close();
      else await producer.close();
      redis.kill('SIGKILL');
    }
  });
});
