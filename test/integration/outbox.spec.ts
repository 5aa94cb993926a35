import { Outbox, OutboxRelay } from '../../src/infra/queue/outbox';
import { QueueService } from '../../src/infra/queue/queue.service';
import { startTestApp, TestApp } from '../support/app';

/**
 * The outbox relay against the real Postgres and Redis: a row BullMQ refuses must not hold back
 * the rows behind it, and a job id BullMQ would refuse is stopped where it is written.
 */
describe('the outbox relay', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Web role only: the relay loop does not run, the test drives relayBatch itself.
    t = await startTestApp({ roles: { web: true, worker: false } });
  }, 120_000);
  afterAll(async () => t.close());

  it('keeps a row BullMQ refuses with its error and relays the rows behind it', async () => {
    const ids = await t.db.query<{ id: string }[]>(
      `INSERT INTO outbox (job_name, job_id, payload) VALUES ('attempt.grade', 'refused:by:bullmq:x', '{"attemptId":"00000000-0000-0000-0000-000000000001"}'),
                                                             ('attempt.grade', 'accepted-1', '{"attemptId":"00000000-0000-0000-0000-000000000002"}')
       RETURNING id`,
    );
    const relay = t.app.get(OutboxRelay);
    await relay.relayBatch();
    const rows = await t.db.query<{ id: string; relayed_at: Date | null; last_error: string | null }[]>(`SELECT id, relayed_at, last_error FROM outbox WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids.map((r) => r.id)]);
    expect(rows[0].relayed_at).toBeNull();
    expect(rows[0].last_error).toMatch(/Custom Id/);
    expect(rows[1].relayed_at).not.toBeNull();
    const job = await t.app.get(QueueService).queue('exam-grading').getJob('accepted-1');
    expect(job?.name).toBe('attempt.grade');
    await job?.remove();
  });

  it("refuses a job id with ':' inside the writer's transaction", async () => {
    const outbox = t.app.get(Outbox);
    await expect(t.db.transaction((m) => outbox.add(m, 'attempt.grade', { attemptId: 'x' }, { jobId: 'attempt.grade:x' }))).rejects.toThrow(/cannot be used by BullMQ/);
  });
});
