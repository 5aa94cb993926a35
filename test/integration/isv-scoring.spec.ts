import { eventually } from '../support/exams';
import { issueScoredCertificate, makeOrganisation, makeUser } from '../support/factories';
import { startTestApp, TestApp } from '../support/app';

describe('ISV scoring through the real queue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
  });
  afterAll(async () => t?.close());

  it('raises the ISV score within seconds of a certificate being issued', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const person = await makeUser(t.app, 'candidate', isv.id);
    const started = Date.now();
    await issueScoredCertificate(t.app, { id: person.id, name: person.name, organisationId: isv.id });
    const snapshot = await eventually(async () => {
      const rows: { total: string; items: { source: string }[] }[] = await t.db.query(`SELECT total, items FROM isv_score_snapshots WHERE organisation_id = $1 ORDER BY id DESC LIMIT 1`, [isv.id]);
      return rows[0] && Number(rows[0].total) > 0 ? rows[0] : null;
    }, 10000);
    expect(Number(snapshot.total)).toBe(4);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
