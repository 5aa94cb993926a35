import { Principal } from '../../src/infra/http/access';
import { seedDemo } from '../../src/modules/demo/demo-data';
import { seedIsvContributionsDemo } from '../../src/modules/isv-contributions/demo';
import { IsvContributionsService } from '../../src/modules/isv-contributions/isv-contributions.service';
import { SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../support/exams';
import { makeOrganisation, makeUser } from '../support/factories';

const principal = (u: { id: string; email: string; name: string; role: Principal['role']; organisationId: string | null }): Principal => ({ ...u, locale: 'zh-CN', via: 'session' });

describe('ISV contributions with the worker running', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
  });
  afterAll(async () => t.close());

  it('an approval reaches the queue: its isv.scoreEvent outbox row is relayed after commit', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const manager = principal(await makeUser(t.app, 'isv_manager', isv.id));
    const staff = principal(await makeUser(t.app, 'platform_staff'));
    const service = t.app.get(IsvContributionsService);
    const submitted = await service.submit(
      manager,
      'product',
      isv.id,
      { title: 'Trend radar', description: 'Built with TMIC trend intelligence', occurredAt: new Date(Date.now() - 30 * 86_400_000), evidenceUrls: ['https://tmic.example/p'], files: [] },
      { ...SYSTEM_ACTOR, id: manager.id },
    );
    await service.approve(staff, 'product', submitted.id, null, { ...SYSTEM_ACTOR, id: staff.id });
    const [event] = await t.db.query(`SELECT id FROM score_events WHERE source_type = 'product' AND source_id = $1`, [submitted.id]);
    const relayed = await eventually(async () => {
      const rows: { relayed_at: Date | null; last_error: string | null }[] = await t.db.query(
        `SELECT relayed_at, last_error FROM outbox WHERE job_name = 'isv.scoreEvent' AND payload->>'scoreEventId' = $1`,
        [String(event.id)],
      );
      return rows[0]?.relayed_at ? rows[0] : null;
    });
    expect(relayed.last_error).toBeNull();
  });

  it('loads the demo records once: approved ones with their score events, pending and rejected ones without', async () => {
    await seedDemo(t.app);
    expect(await seedIsvContributionsDemo(t.app)).toEqual({ added: 6 });
    expect(await seedIsvContributionsDemo(t.app)).toEqual({ added: 0 });
    const counts: { status: string; n: string }[] = await t.db.query(
      `SELECT s.status, count(*) AS n
         FROM (SELECT organisation_id, status FROM isv_contributions UNION ALL SELECT organisation_id, status FROM isv_products) s
         JOIN organisations o ON o.id = s.organisation_id
        WHERE o.name = '星河数据 Galaxy Data (demo ISV)' GROUP BY s.status`,
    );
    expect(Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]))).toEqual({ approved: 3, submitted: 2, rejected: 1 });
    const [{ events }] = await t.db.query(
      `SELECT count(*) AS events FROM score_events e JOIN organisations o ON o.id = e.organisation_id
        WHERE o.name = '星河数据 Galaxy Data (demo ISV)' AND e.kind IN ('contribution.approved', 'product.approved')`,
    );
    expect(Number(events)).toBe(3);
    const [file] = await t.db.query(`SELECT content_type FROM isv_evidence_files f JOIN isv_contributions c ON c.id = f.contribution_id WHERE c.kind = 'training'`);
    expect(file).toEqual({ content_type: 'application/pdf' });
  });
});
