import request from 'supertest';
import { eventually, loadContent, makeShortExam, someResponse } from '../support/exams';
import { makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';
import { startTestApp, TestApp } from '../support/app';

interface ItemJson {
  itemId: string;
  type: string;
  options: { id: string }[];
}

/**
 * The whole chain through the real app, Postgres, Redis and BullMQ workers: a candidate of an
 * ISV sits a certification exam, passes, the exams module announces the pass through the
 * outbox, the certificates module issues exactly one certificate, anyone can verify it, and the
 * ISV's score picks it up through the score-event outbox — and an invalidation later revokes it.
 */
describe('certification, end to end: exam → certificate → verification → ISV score', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    await loadContent(t.app);
  }, 120_000);
  afterAll(async () => t.close());

  it('issues one certificate for a passed certification attempt, verifiable in public, and scores it for the ISV', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const candidate = await makeUser(t.app, 'candidate', isv.id);
    const manager = await makeUser(t.app, 'isv_manager', isv.id);
    const examId = await makeShortExam(t.db, { seconds: 600, mode: 'certification', passMark: 0 });
    await t.db.query(`UPDATE exams SET validity_months = 24 WHERE id = $1`, [examId]);
    const [sitting] = await t.db.query<{ id: string }[]>(
      `INSERT INTO sittings (exam_id, title, opens_at, closes_at, capacity, access_code, auto_admit)
       VALUES ($1, 'E2E sitting', now() - interval '1 hour', now() + interval '1 hour', 10, 'E2E-CODE', true) RETURNING id`,
      [examId],
    );
    await t.db.query(`INSERT INTO attempts (exam_id, user_id, sitting_id, state, seed, admitted_at) VALUES ($1, $2, $3, 'admitted', 7, now())`, [examId, candidate.id, sitting.id]);

    const agent = await signedInAgent(t.url, candidate.email, PASSWORD);
    const started = await agent.post(`/api/v1/exams/${examId}/attempts`).send({});
    expect(started.status).toBe(201);
    const attempt = started.body as { attemptId: string; items: ItemJson[] };
    for (const [i, item] of attempt.items.entries()) {
      expect((await agent.put(`/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`).send({ response: someResponse(item), seq: i + 1 })).status).toBe(200);
    }
    const submitted = await agent.post(`/api/v1/attempts/${attempt.attemptId}/submission`).send({});
    expect(submitted.status).toBe(200);

    // graded → passed (pass mark 0) → 'attempt.passed' → certificate
    const certificate = await eventually(async () => {
      const rows = await t.db.query<{ id: string; serial: string; verification_code: string; status: string }[]>(
        `SELECT id, serial, verification_code, status FROM certificates WHERE attempt_id = $1`,
        [attempt.attemptId],
      );
      return rows[0];
    }, 20000);
    expect(certificate.serial).toMatch(/^TMIC-NPP-\d{4}-\d{6}$/);
    expect(certificate.status).toBe('active');

    const mine = await agent.get('/api/v1/me/certificates');
    expect(mine.status).toBe(200);
    expect(JSON.stringify(mine.body)).toContain(certificate.serial);

    const verified = await request(t.url).get(`/api/v1/verify/${certificate.verification_code}`);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ serial: certificate.serial, holderName: candidate.name, status: 'active' });
    expect(JSON.stringify(verified.body)).not.toContain(candidate.email);

    // The ISV's score picks the certificate up through the score-event outbox and a recompute.
    const managerAgent = await signedInAgent(t.url, manager.email, PASSWORD);
    const score = await eventually(async () => {
      const response = await managerAgent.get(`/api/v1/isvs/${isv.id}/score`);
      if (response.status !== 200) return null;
      const items = (response.body as { dimensions: { certification: { items: { id: string }[] } } }).dimensions.certification.items;
      return items.some((i) => i.id === certificate.id) ? response.body : null;
    }, 20000);
    expect((score as { dimensions: { certification: { points: number } } }).dimensions.certification.points).toBeGreaterThan(0);

    // Invalidating the attempt later revokes the certificate automatically.
    const [{ id: staffId }] = await t.db.query<{ id: string }[]>(`SELECT id FROM users WHERE role = 'platform_staff' LIMIT 1`).then(async (rows) =>
      rows.length ? rows : [{ id: (await makeUser(t.app, 'platform_staff')).id }],
    );
    const { AttemptsService } = await import('../../src/modules/exams/attempts.service');
    const attempts = t.app.get(AttemptsService);
    await t.db.transaction(async (m) => {
      const locked = await attempts.lock(attempt.attemptId, m);
      await attempts.transition(locked, 'invalidate', m, { actorId: staffId, reason: 'impersonation found on review' });
    });
    await eventually(async () => {
      const rows = await t.db.query<{ status: string }[]>(`SELECT status FROM certificates WHERE id = $1`, [certificate.id]);
      return rows[0]?.status === 'revoked';
    }, 20000);
    const after = await request(t.url).get(`/api/v1/verify/${certificate.verification_code}`);
    expect(after.body.status).toBe('revoked');
  }, 90_000);
});
