import request from 'supertest';
import { AttemptsService } from '../../src/modules/exams/attempts.service';
import { createTestDatabase } from '../support/db';
import { eventually, loadContent, makeShortExam, someResponse } from '../support/exams';
import { makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';
import { startTestApp, TestApp } from '../support/app';

type Agent = Awaited<ReturnType<typeof signedInAgent>>;
interface ItemJson {
  itemId: string;
  type: string;
  options: { id: string }[];
}

describe('exam attempts through the API (real Postgres, Redis and BullMQ workers)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    await loadContent(t.app);
  }, 120_000);
  afterAll(async () => t.close());

  async function candidate(): Promise<{ agent: Agent; id: string }> {
    const user = await makeUser(t.app, 'candidate');
    return { agent: await signedInAgent(t.url, user.email, PASSWORD), id: user.id };
  }

  const stateOf = async (attemptId: string) => (await t.db.query<{ state: string }[]>(`SELECT state FROM attempts WHERE id = $1`, [attemptId]))[0].state;

  it('lists the shipped exams with eligibility: practice open, certification needs the course', async () => {
    const { agent } = await candidate();
    const exams = (await agent.get('/api/v1/exams')).body as { mode: string; eligible: boolean; reasonCode: string | null; title: string }[];
    const practice = exams.find((e) => e.title === '新品策划师模拟考试')!;
    const certification = exams.find((e) => e.mode === 'certification')!;
    expect(practice).toMatchObject({ mode: 'practice', eligible: true });
    expect(certification).toMatchObject({ eligible: false, reasonCode: 'COURSE_NOT_COMPLETED' });
    expect((await request(t.url).get('/api/v1/exams')).status).toBe(401);
  });

  it('starts a practice attempt with no key in the response, and a second start resumes it', async () => {
    const { agent } = await candidate();
    const [practice] = ((await agent.get('/api/v1/exams')).body as { id: string; mode: string }[]).filter((e) => e.mode === 'practice');
    const started = await agent.post(`/api/v1/exams/${practice.id}/attempts`).send({});
    expect(started.status).toBe(201);
    expect(started.body.items).toHaveLength(18);
    expect(started.body.remainingSeconds).toBeGreaterThan(1190);
    expect(JSON.stringify(started.body)).not.toMatch(/"(fraction|explanation|feedback|rubric|answer|answers|tolerance)":/);
    const again = await agent.post(`/api/v1/exams/${practice.id}/attempts`).send({});
    expect(again.status).toBe(200);
    expect(again.body.attemptId).toBe(started.body.attemptId);
  });

  it('saves answers idempotently: the highest seq wins, repeats are acknowledged, bad input is a 400', async () => {
    const { agent } = await candidate();
    const examId = await makeShortExam(t.db, { seconds: 300 });
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).send({})).body;
    const item: ItemJson = attempt.items.find((i: ItemJson) => i.type === 'single_choice') ?? attempt.items[0];
    const url = `/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`;
    const first = await agent.put(url).send({ response: someResponse(item), seq: 2 });
    expect(first.status).toBe(200);
    expect(first.body.seq).toBe(2);
    const older = await agent.put(url).send({ response: null, seq: 1 });
    expect(older.status).toBe(200);
    expect(older.body.seq).toBe(2);
    const repeat = await agent.put(url).send({ response: someResponse(item), seq: 2 });
    expect(repeat.body.seq).toBe(2);
    const view = (await agent.get(`/api/v1/attempts/${attempt.attemptId}`)).body;
    expect(view.items.find((i: ItemJson) => i.itemId === item.itemId)).toMatchObject({ seq: 2, response: someResponse(item) });
    expect((await agent.put(url).send({ response: { optionId: 'not-an-option' }, seq: 3 })).status).toBe(400);
    expect((await agent.put(url).send({ response: 'x', seq: 4 })).status).toBe(400);
    expect((await agent.put(url).send({ response: null, seq: -1 })).status).toBe(400);
    expect((await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/nope`).send({ response: null, seq: 5 })).status).toBe(404);
    const other = await candidate();
    expect((await other.agent.put(url).send({ response: null, seq: 9 })).status).toBe(404);
  });

  it('submits once with a receipt, grades through the queue and releases the result by policy', async () => {
    const { agent } = await candidate();
    const examId = await makeShortExam(t.db, { seconds: 300 });
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).send({})).body;
    for (const [k, item] of (attempt.items as ItemJson[]).entries()) {
      await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`).send({ response: someResponse(item), seq: k + 1 });
    }
    const submissions = await Promise.all([1, 2, 3, 4, 5].map(() => agent.post(`/api/v1/attempts/${attempt.attemptId}/submission`).send({})));
    const receipts = submissions.map((s) => s.body.receipt);
    expect(submissions.map((s) => [s.status, s.body.code])).toEqual(submissions.map(() => [200, undefined]));
    expect(new Set(receipts.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(receipts[0]).toMatchObject({ attemptId: attempt.attemptId, answered: 3 });
    expect(receipts[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM attempt_events WHERE attempt_id = $1 AND type = 'submit'`, [attempt.attemptId]);
    expect(n).toBe(1);
    expect((await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${attempt.items[0].itemId}`).send({ response: null, seq: 99 })).status).toBe(409);
    const result = await eventually(async () => {
      const r = (await agent.get(`/api/v1/attempts/${attempt.attemptId}/result`)).body;
      return r.released ? r : null;
    });
    expect(['passed', 'failed']).toContain(result.state);
    expect(result.score.max).toBe(3);
    expect(result.items).toHaveLength(3);
    expect(result.items[0].explanation).toEqual(expect.any(String));
    expect(result.receipt).toEqual(receipts[0]);
  });

  it('closes many submissions arriving together in batches: one submission and one receipt each, repeats included', async () => {
    const examId = await makeShortExam(t.db, { seconds: 300 });
    const people = await Promise.all(Array.from({ length: 12 }, () => candidate()));
    const attempts = await Promise.all(people.map(async ({ agent }) => (await agent.post(`/api/v1/exams/${examId}/attempts`).send({})).body as { attemptId: string; items: ItemJson[] }));
    await Promise.all(people.map(({ agent }, i) => agent.put(`/api/v1/attempts/${attempts[i].attemptId}/answers/${attempts[i].items[0].itemId}`).send({ response: someResponse(attempts[i].items[0]), seq: 1 })));
    // Every person presses submit three times at once; someone else tries to submit their attempt.
    const intruder = await candidate();
    const [answers, intrusion] = await Promise.all([
      Promise.all(people.flatMap(({ agent }, i) => [1, 2, 3].map(() => agent.post(`/api/v1/attempts/${attempts[i].attemptId}/submission`).send({})))),
      intruder.agent.post(`/api/v1/attempts/${attempts[0].attemptId}/submission`).send({}),
    ]);
    expect(intrusion.status).toBe(404);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    for (const [i, attempt] of attempts.entries()) {
      const receipts = answers.slice(i * 3, i * 3 + 3).map((a) => JSON.stringify(a.body.receipt));
      expect(new Set(receipts).size).toBe(1);
      expect(JSON.parse(receipts[0])).toMatchObject({ attemptId: attempt.attemptId, answered: 1 });
    }
    const events = await t.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM attempt_events WHERE attempt_id = ANY($1::uuid[]) AND type = 'submit'`, [attempts.map((a) => a.attemptId)]);
    expect(events[0].n).toBe(12);
    const stored = await t.db.query<{ receipt_sha256: string; state: string }[]>(`SELECT receipt_sha256, state FROM attempts WHERE id = ANY($1::uuid[])`, [attempts.map((a) => a.attemptId)]);
    expect(stored.every((r) => /^[0-9a-f]{64}$/.test(r.receipt_sha256))).toBe(true);
    await eventually(async () => {
      const rows = await t.db.query<{ state: string }[]>(`SELECT state FROM attempts WHERE id = ANY($1::uuid[])`, [attempts.map((a) => a.attemptId)]);
      return rows.every((r) => r.state === 'passed' || r.state === 'failed');
    }, 15000);
  });

  it('refuses saves after the deadline and auto-submits at the deadline, keeping every acknowledged answer', async () => {
    const { agent } = await candidate();
    const examId = await makeShortExam(t.db, { seconds: 3, grace: 1 });
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).send({})).body;
    const item: ItemJson = attempt.items[0];
    expect((await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`).send({ response: someResponse(item), seq: 1 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 4500));
    const late = await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${attempt.items[1].itemId}`).send({ response: someResponse(attempt.items[1]), seq: 1 });
    expect(late.status).toBe(409);
    await eventually(async () => ['auto_submitted', 'graded', 'passed', 'failed'].includes(await stateOf(attempt.attemptId)), 15000);
    await eventually(async () => ['passed', 'failed'].includes(await stateOf(attempt.attemptId)), 15000);
    const [row] = await t.db.query(`SELECT submitted_by, answered_count FROM attempts WHERE id = $1`, [attempt.attemptId]);
    expect(row).toMatchObject({ submitted_by: 'deadline', answered_count: 1 });
    const saved = await t.db.query(`SELECT response FROM attempt_items WHERE attempt_id = $1 AND item_id = $2`, [attempt.attemptId, item.itemId]);
    expect(saved[0].response).toEqual(someResponse(item));
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM attempt_events WHERE attempt_id = $1 AND type = 'autoSubmit'`, [attempt.attemptId]);
    expect(n).toBe(1);
  }, 40_000);

  it('stops the clock while paused and moves the deadline on resume and when time is added', async () => {
    const { agent, id } = await candidate();
    const examId = await makeShortExam(t.db, { seconds: 600 });
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).send({})).body;
    const service = t.app.get(AttemptsService);
    const before = new Date(attempt.deadlineAt).getTime();
    await t.db.transaction(async (m) => service.pause(await service.lock(attempt.attemptId, m), id, 'test', m));
    const paused = (await agent.get(`/api/v1/attempts/${attempt.attemptId}`)).body;
    expect(paused.state).toBe('paused');
    expect((await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${attempt.items[0].itemId}`).send({ response: null, seq: 1 })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 2100));
    const stillPaused = (await agent.get(`/api/v1/attempts/${attempt.attemptId}`)).body;
    expect(stillPaused.remainingSeconds).toBe(paused.remainingSeconds);
    await t.db.transaction(async (m) => service.resume(await service.lock(attempt.attemptId, m), id, null, m));
    const resumed = (await agent.get(`/api/v1/attempts/${attempt.attemptId}`)).body;
    expect(new Date(resumed.deadlineAt).getTime() - before).toBeGreaterThanOrEqual(2000);
    await t.db.transaction(async (m) => service.addTime(await service.lock(attempt.attemptId, m), 120, id, 'accommodation', m));
    const extended = (await agent.get(`/api/v1/attempts/${attempt.attemptId}`)).body;
    expect(new Date(extended.deadlineAt).getTime() - new Date(resumed.deadlineAt).getTime()).toBe(120_000);
    const types = (await t.db.query(`SELECT type FROM attempt_events WHERE attempt_id = $1 ORDER BY id`, [attempt.attemptId])).map((r: { type: string }) => r.type);
    expect(types).toEqual(expect.arrayContaining(['admit', 'start', 'pause', 'resume', 'time_added']));
  });

  it('lets the most recently opened page session win and flags the second session', async () => {
    const { agent } = await candidate();
    const examId = await makeShortExam(t.db, { seconds: 600 });
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).set('x-attempt-session', 'first-page-session').send({})).body;
    const item: ItemJson = attempt.items[0];
    await agent.get(`/api/v1/attempts/${attempt.attemptId}`).set('x-attempt-session', 'second-page-session');
    const fromFirst = await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`).set('x-attempt-session', 'first-page-session').send({ response: someResponse(item), seq: 1 });
    expect(fromFirst.status).toBe(409);
    expect(fromFirst.body.code).toBe('SESSION_REPLACED');
    const fromSecond = await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`).set('x-attempt-session', 'second-page-session').send({ response: someResponse(item), seq: 1 });
    expect(fromSecond.status).toBe(200);
    const [row] = await t.db.query(`SELECT flagged, flag_reasons FROM attempts WHERE id = $1`, [attempt.attemptId]);
    expect(row.flagged).toBe(true);
    expect(row.flag_reasons).toContain('signal:second_session');
  });

  it('treats a new session after the old one went quiet as a resume, not a second session', async () => {
    const { agent } = await candidate();
    const examId = await makeShortExam(t.db, { seconds: 600 });
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).set('x-attempt-session', 'closed-browser-session').send({})).body;
    await t.db.query(`UPDATE attempts SET last_seen_at = now() - interval '2 minutes' WHERE id = $1`, [attempt.attemptId]);
    const resumed = await agent.get(`/api/v1/attempts/${attempt.attemptId}`).set('x-attempt-session', 'reopened-browser-session');
    expect(resumed.body.state).toBe('in_progress');
    const [row] = await t.db.query(`SELECT flagged, client_session FROM attempts WHERE id = $1`, [attempt.attemptId]);
    expect(row).toEqual({ flagged: false, client_session: 'reopened-browser-session' });
    const types = (await t.db.query(`SELECT type FROM attempt_events WHERE attempt_id = $1`, [attempt.attemptId])).map((r: { type: string }) => r.type);
    expect(types).toContain('session_resumed');
    expect(types).not.toContain('second_session');
  });

  it('records integrity signals, flags at the threshold, and holds a flagged pass for review', async () => {
    const { agent } = await candidate();
    const examId = await makeShortExam(t.db, { seconds: 600, passMark: 0, thresholds: { focus_lost: 2 } });
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).send({})).body;
    const reply = await agent.post(`/api/v1/attempts/${attempt.attemptId}/events`).send({ type: 'focus_lost', at: new Date().toISOString() });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ accepted: true, state: 'in_progress' });
    expect(reply.body.remainingSeconds).toBeGreaterThan(590);
    expect((await agent.post(`/api/v1/attempts/${attempt.attemptId}/events`).send({ type: 'teleported' })).status).toBe(400);
    await agent.post(`/api/v1/attempts/${attempt.attemptId}/events`).send({ type: 'focus_lost' });
    await agent.post(`/api/v1/attempts/${attempt.attemptId}/submission`).send({});
    await eventually(async () => (await stateOf(attempt.attemptId)) === 'under_review');
    const result = (await agent.get(`/api/v1/attempts/${attempt.attemptId}/result`)).body;
    expect(result).toMatchObject({ state: 'under_review', released: false, pending: 'review' });
    expect(result.score).toBeUndefined();
  });

  it('resumes after an app restart with every answer and the remaining time, and the deadline still submits', async () => {
    const database = await createTestDatabase();
    const first = await startTestApp({ roles: { web: true, worker: true }, database });
    await loadContent(first.app);
    const user = await makeUser(first.app, 'candidate');
    const examId = await makeShortExam(first.db, { seconds: 8, grace: 1 });
    const agent = await signedInAgent(first.url, user.email, PASSWORD);
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).send({})).body;
    for (const [k, item] of (attempt.items as ItemJson[]).entries()) {
      await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`).send({ response: someResponse(item), seq: k + 1 });
    }
    await first.close({ keepDatabase: true });
    const second = await startTestApp({ roles: { web: true, worker: true }, database });
    try {
      const again = await signedInAgent(second.url, user.email, PASSWORD);
      const view = (await again.get(`/api/v1/attempts/${attempt.attemptId}`)).body;
      expect(view.state).toBe('in_progress');
      expect(view.items.filter((i: { seq: number }) => i.seq > 0)).toHaveLength(3);
      expect(view.remainingSeconds).toBeLessThanOrEqual(attempt.remainingSeconds);
      expect(view.deadlineAt).toBe(attempt.deadlineAt);
      await eventually(async () => {
        const [row] = await second.db.query(`SELECT state, answered_count FROM attempts WHERE id = $1`, [attempt.attemptId]);
        return ['passed', 'failed'].includes(row.state) && row.answered_count === 3;
      }, 20000);
    } finally {
      await second.close();
    }
  }, 60_000);
});
