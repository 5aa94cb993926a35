/**
 * Projects with the worker running: the daily withdrawal through the real queue (reasons, audit,
 * notifications to the person and their ISV's managers, nothing done twice), and a confirmed
 * delivery's score event relayed to the ISV-scoring queue after commit.
 */
import { Principal } from '../../src/infra/http/access';
import { UsersService } from '../../src/modules/accounts/users.service';
import { seedDemo } from '../../src/modules/demo/demo-data';
import { JobRegistry } from '../../src/infra/queue/jobs';
import { QueueService } from '../../src/infra/queue/queue.service';
import { SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { seedProjectsDemo } from '../../src/modules/projects/demo';
import { WITHDRAWAL_PATTERN } from '../../src/modules/projects/jobs/projects.jobs';
import { ProjectAccessService } from '../../src/modules/projects/project-access.service';
import { ProjectDeliveriesService } from '../../src/modules/projects/project-deliveries.service';
import { ProjectGrantsService } from '../../src/modules/projects/project-grants.service';
import { ProjectsService } from '../../src/modules/projects/projects.service';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../support/exams';
import { makeCertificate, makeOrganisation, makeUser } from '../support/factories';

jest.setTimeout(120_000);

type Person = Awaited<ReturnType<typeof makeUser>>;
const principal = (u: Person): Principal => ({ id: u.id, email: u.email, name: u.name, role: u.role, organisationId: u.organisationId, locale: 'zh-CN', via: 'session' });
const actor = (u: Person) => ({ ...SYSTEM_ACTOR, id: u.id, label: u.email });

describe('projects with the worker running', () => {
  let t: TestApp;
  let staff: Person;
  let brandId: string;

  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    staff = await makeUser(t.app, 'platform_staff');
    brandId = (await makeOrganisation(t.app, 'brand')).id;
  });
  afterAll(async () => t?.close());

  async function project(name: string) {
    return t.app.get(ProjectsService).create(principal(staff), { brandOrganisationId: brandId, name, description: '', stage: 'trial_sales_diagnosis', status: 'active' }, actor(staff));
  }
  async function grant(projectId: string, person: Person, role: 'lead' | 'planner' | 'viewer' = 'planner') {
    return t.app.get(ProjectGrantsService).grant(principal(staff), projectId, { person: { userId: person.id }, role }, actor(staff));
  }

  it('registers the daily withdrawal as a repeating job', () => {
    const definition = t.app.get(JobRegistry).get('project.withdrawLapsedGrants');
    expect(definition).toMatchObject({ queue: 'projects', repeat: { pattern: WITHDRAWAL_PATTERN } });
  });

  it('withdraws, through the queue, exactly the grants of people whose certificate lapsed or was revoked; tells them and their ISV managers why; a second run changes nothing', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const managers = [await makeUser(t.app, 'isv_manager', isv.id), await makeUser(t.app, 'isv_manager', isv.id)];
    const otherIsvManager = await makeUser(t.app, 'isv_manager', (await makeOrganisation(t.app, 'isv')).id);
    const expired = await makeUser(t.app, 'candidate', isv.id, { name: '过期 甲' });
    const revoked = await makeUser(t.app, 'candidate', isv.id, { name: '吊销 乙' });
    const valid = await makeUser(t.app, 'candidate', isv.id, { name: '有效 丙' });
    const freelancer = await makeUser(t.app, 'candidate', null, { name: '自由 丁' });
    const [p1, p2] = [await project('撤回测试 1'), await project('撤回测试 2')];
    const certs = {
      expired: await makeCertificate(t.app, expired),
      revoked: await makeCertificate(t.app, revoked),
      valid: await makeCertificate(t.app, valid),
      freelancer: await makeCertificate(t.app, freelancer),
    };
    const grants = {
      expired1: await grant(p1.id, expired),
      expired2: await grant(p2.id, expired, 'lead'),
      revoked: await grant(p1.id, revoked),
      valid: await grant(p1.id, valid),
      freelancer: await grant(p2.id, freelancer),
    };
    await t.db.query(`UPDATE certificates SET issued_at = now() - interval '2 years', expires_at = now() - interval '3 days' WHERE id = ANY($1::uuid[])`, [[certs.expired.certificateId, certs.freelancer.certificateId]]);
    await t.db.query(`UPDATE certificates SET status = 'revoked', revoked_at = now() - interval '1 hour' WHERE id = $1`, [certs.revoked.certificateId]);

    await t.app.get(QueueService).enqueue('project.withdrawLapsedGrants', {}, { jobId: `withdraw-test-1` });
    const statusOf = async () =>
      Object.fromEntries(
        (await t.db.query<{ id: string; status: string; withdrawal_reason: string | null }[]>(`SELECT id, status, withdrawal_reason FROM project_grants WHERE id = ANY($1::uuid[])`, [Object.values(grants).map((g) => g.id)])).map((r) => [
          r.id,
          `${r.status}${r.withdrawal_reason ? `:${r.withdrawal_reason}` : ''}`,
        ]),
      );
    const after = await eventually(async () => {
      const s = await statusOf();
      return Object.values(s).filter((v) => v.startsWith('withdrawn')).length === 4 ? s : null;
    });
    expect(after).toEqual({
      [grants.expired1.id]: 'withdrawn:certificate_expired',
      [grants.expired2.id]: 'withdrawn:certificate_expired',
      [grants.revoked.id]: 'withdrawn:certificate_revoked',
      [grants.valid.id]: 'active',
      [grants.freelancer.id]: 'withdrawn:certificate_expired',
    });

    const audits: { target_id: string; detail: Record<string, unknown> }[] = await t.db.query(
      `SELECT target_id, detail FROM audit_events WHERE action = 'project.grant_withdrawn' AND target_id = ANY($1::text[]) ORDER BY id`,
      [Object.values(grants).map((g) => g.id)],
    );
    expect(audits).toHaveLength(4);
    expect(audits.find((a) => a.target_id === grants.revoked.id)!.detail).toMatchObject({ reason: 'certificate_revoked', certificateSerial: certs.revoked.serial, revokedAt: expect.any(String) });
    expect(audits.find((a) => a.target_id === grants.expired2.id)!.detail).toMatchObject({ reason: 'certificate_expired', certificateSerial: certs.expired.serial, role: 'lead', project: '撤回测试 2' });

    const kindsOf = (u: Person) => t.db.query<{ kind: string; params: Record<string, unknown> }[]>(`SELECT kind, params FROM notifications WHERE user_id = $1 AND kind ILIKE 'projects.notifications.%withdrawn%'`, [u.id]);
    // One notification per person, listing every project they lost.
    expect(await kindsOf(expired)).toEqual([{ kind: 'projects.notifications.withdrawn.expired', params: expect.objectContaining({ count: 2, serial: certs.expired.serial }) }]);
    expect(await kindsOf(revoked)).toEqual([{ kind: 'projects.notifications.withdrawn.revoked', params: expect.objectContaining({ count: 1 }) }]);
    expect(await kindsOf(valid)).toEqual([]);
    expect((await kindsOf(freelancer)).map((n) => n.kind)).toEqual(['projects.notifications.withdrawn.expired']);
    for (const m of managers) {
      expect((await kindsOf(m)).map((n) => `${n.kind}|${String(n.params.name)}`).sort()).toEqual([
        'projects.notifications.staffWithdrawn.expired|过期 甲',
        'projects.notifications.staffWithdrawn.revoked|吊销 乙',
      ]);
    }
    expect(await kindsOf(otherIsvManager)).toEqual([]);

    // Again (the job retried, or run by hand): nothing more is withdrawn, audited or sent.
    expect(await t.app.get(ProjectGrantsService).withdrawLapsedGrants()).toBe(0);
    await t.app.get(QueueService).enqueue('project.withdrawLapsedGrants', {}, { jobId: `withdraw-test-2` });
    await new Promise((r) => setTimeout(r, 1500));
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'project.grant_withdrawn' AND target_id = ANY($1::text[])`, [Object.values(grants).map((g) => g.id)]);
    expect(n).toBe(4);
    expect((await kindsOf(managers[0])).length).toBe(2);
  });

  it('says why access is refused: no grant; a certificate gone with no successor (missing); then the withdrawn grant', async () => {
    const access = t.app.get(ProjectAccessService);
    const isv = await makeOrganisation(t.app, 'isv');
    const p = await project('原因测试');
    const person = await makeUser(t.app, 'candidate', isv.id);
    const reasonOf = (u: Person) => access.admit(principal(u), p.id).then(() => 'admitted', (e: { data?: { reason?: string } }) => e.data?.reason ?? 'error');
    expect(await reasonOf(person)).toBe('NO_GRANT');
    const cert = await makeCertificate(t.app, person);
    await grant(p.id, person);
    expect(await reasonOf(person)).toBe('admitted');
    await t.db.query(`UPDATE certificates SET status = 'superseded' WHERE id = $1`, [cert.certificateId]);
    expect(await reasonOf(person)).toBe('CERTIFICATE_MISSING');
    expect(await access.certificateStanding(person.id)).toMatchObject({ valid: null, problem: { reason: 'CERTIFICATE_MISSING' } });
    expect(await t.app.get(ProjectGrantsService).withdrawLapsedGrantsOf(person.id)).toBe(1);
    expect(await reasonOf(person)).toBe('GRANT_WITHDRAWN');
    const [row] = await t.db.query(`SELECT withdrawal_reason, withdrawal_certificate_serial FROM project_grants WHERE project_id = $1 AND user_id = $2`, [p.id, person.id]);
    expect(row).toEqual({ withdrawal_reason: 'certificate_missing', withdrawal_certificate_serial: null });
  });

  it('relays a confirmed delivery’s score event to ISV scoring after commit', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const planner = await makeUser(t.app, 'candidate', isv.id);
    await makeCertificate(t.app, planner);
    const p = await project('交付测试');
    await grant(p.id, planner);
    const deliveries = t.app.get(ProjectDeliveriesService);
    const delivery = await deliveries.recordDelivery(principal(staff), p.id, { organisationId: isv.id, outcome: 'launched', deliveredAt: new Date(Date.now() - 20 * 86_400_000), note: '' }, actor(staff));
    const brandUser = await makeUser(t.app, 'candidate', brandId);
    await deliveries.confirm(principal(brandUser), delivery.id, actor(brandUser));
    const [event] = await t.db.query(`SELECT id FROM score_events WHERE source_type = 'project_delivery' AND source_id = $1`, [delivery.id]);
    const relayed = await eventually(async () => {
      const rows: { relayed_at: Date | null; last_error: string | null }[] = await t.db.query(`SELECT relayed_at, last_error FROM outbox WHERE job_name = 'isv.scoreEvent' AND payload->>'scoreEventId' = $1`, [String(event.id)]);
      return rows[0]?.relayed_at ? rows[0] : null;
    });
    expect(relayed.last_error).toBeNull();
  });

  it('loads the demo projects once, granting roles only to demo planners who hold a valid certificate', async () => {
    await seedDemo(t.app);
    const certified = (await t.app.get(UsersService).findByEmail('candidate1@demo.example'))!;
    await makeCertificate(t.app, certified);
    expect(await seedProjectsDemo(t.app)).toEqual({ projects: 2, grants: 2, skippedUncertified: ['candidate2@demo.example', 'candidate3@demo.example'], deliveries: 1 });
    expect(await seedProjectsDemo(t.app)).toEqual({ projects: 0, grants: 0, skippedUncertified: ['candidate2@demo.example', 'candidate3@demo.example'], deliveries: 0 });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM project_deliveries d JOIN projects p ON p.id = d.project_id WHERE p.name LIKE '燕麦星球%' AND d.brand_confirmed_at IS NULL`);
    expect(n).toBe(1);
  });
});
