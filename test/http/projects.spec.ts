/**
 * TMIC projects on the real app: the Done-when chain over the API (refused grant, grant,
 * readable project, expiry → 403 on the very next request, the daily job withdrawing with its
 * reason, reinstatement only after renewal), revocation closing access at once, deliveries that
 * count only when the brand confirms them, who may administer projects, every :projectId route
 * behind the gate, and the pages in both languages.
 */
import request from 'supertest';
import { UsersService } from '../../src/modules/accounts/users.service';
import { SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { ProjectGateCheck } from '../../src/modules/projects/project-gate';
import { ProjectGrantsService } from '../../src/modules/projects/project-grants.service';
import { startTestApp, TestApp } from '../support/app';
import { makeCertificate, makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';

jest.setTimeout(120_000);

type Agent = ReturnType<typeof request.agent>;
type Person = Awaited<ReturnType<typeof makeUser>>;

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const DAY = 86_400_000;

async function webSignIn(url: string, email: string): Promise<Agent> {
  const agent = request.agent(url);
  const page = await agent.get('/login');
  const response = await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), email, password: PASSWORD, next: '/' });
  if (response.status !== 303) throw new Error(`web sign-in failed for ${email}: ${response.status}`);
  return agent;
}

describe('TMIC projects over HTTP', () => {
  let t: TestApp;
  let staff: Person;
  let staffApi: Agent;
  let isv: { id: string; name: string };
  let otherIsv: { id: string; name: string };
  let brand: { id: string; name: string };
  let manager: Person;

  const audit = (action: string, targetId?: string): Promise<{ detail: Record<string, unknown>; target_id: string; actor_label: string }[]> =>
    t.db.query(`SELECT detail, target_id, actor_label FROM audit_events WHERE action = $1 AND ($2::text IS NULL OR target_id = $2) ORDER BY id`, [action, targetId ?? null]);
  const notificationsOf = (userId: string): Promise<{ kind: string; params: Record<string, unknown> }[]> =>
    t.db.query(`SELECT kind, params FROM notifications WHERE user_id = $1 ORDER BY created_at, id`, [userId]);

  async function newProject(name: string, brandId = brand.id): Promise<string> {
    const created = await staffApi.post('/api/v1/projects').send({ brandOrganisationId: brandId, name, stage: 'simulation_lab' });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  beforeAll(async () => {
    t = await startTestApp();
    isv = await makeOrganisation(t.app, 'isv');
    otherIsv = await makeOrganisation(t.app, 'isv');
    brand = await makeOrganisation(t.app, 'brand');
    staff = await makeUser(t.app, 'platform_staff');
    manager = await makeUser(t.app, 'isv_manager', isv.id);
    staffApi = await signedInAgent(t.url, staff.email, PASSWORD);
  });
  afterAll(async () => t?.close());

  it('refuses an uncertified person, grants a certified one, and closes the project on the request after the certificate expires; the daily job then withdraws the grant with its reason', async () => {
    const projectId = await newProject('燕麦奶仿真测试');
    const planner = await makeUser(t.app, 'candidate', isv.id, { name: '策划师 甲' });
    const plannerApi = await signedInAgent(t.url, planner.email, PASSWORD);

    const refused = await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: planner.id, role: 'planner' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'CERTIFICATE_REQUIRED', reason: 'CERTIFICATE_MISSING', certificate: null });
    expect(refused.body.message).toContain('策划师 甲');
    const [refusal] = await audit('project.grant_refused', planner.id);
    expect(refusal.detail).toMatchObject({ reason: 'CERTIFICATE_MISSING', projectId, role: 'planner' });
    expect(await t.db.query(`SELECT 1 FROM project_grants WHERE user_id = $1`, [planner.id])).toHaveLength(0);

    const certificate = await makeCertificate(t.app, planner);
    const granted = await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: planner.id, role: 'planner' });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ projectId, role: 'planner', status: 'active', user: { id: planner.id } });
    expect((await audit('project.granted', granted.body.id))[0].detail).toMatchObject({ userId: planner.id, certificateSerial: certificate.serial });
    expect((await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: planner.id, role: 'lead' })).body.code).toBe('ALREADY_GRANTED');

    const readable = await plannerApi.get(`/api/v1/projects/${projectId}`);
    expect(readable.status).toBe(200);
    expect(readable.body).toMatchObject({ id: projectId, name: '燕麦奶仿真测试', stage: 'simulation_lab', myRole: 'planner', brand: { id: brand.id } });
    expect(readable.body.team).toEqual([expect.objectContaining({ userId: planner.id, role: 'planner' })]);
    expect((await plannerApi.get('/api/v1/projects')).body.items.map((p: { id: string }) => p.id)).toEqual([projectId]);

    // The certificate lapses by the clock; no job has run, the stored status still says 'active'.
    await t.db.query(`UPDATE certificates SET issued_at = now() - interval '2 years', expires_at = now() - interval '1 minute' WHERE id = $1`, [certificate.certificateId]);
    const closed = await plannerApi.get(`/api/v1/projects/${projectId}`);
    expect(closed.status).toBe(403);
    expect(closed.body).toMatchObject({ code: 'PROJECT_ACCESS_DENIED', reason: 'CERTIFICATE_EXPIRED', certificate: { serial: certificate.serial } });
    expect(closed.body.message).toContain(certificate.serial);
    const mine = await plannerApi.get('/api/v1/projects');
    expect(mine.body).toMatchObject({ items: [], total: 0, suspended: { grants: 1, reason: 'CERTIFICATE_EXPIRED' } });
    expect(await t.db.query(`SELECT status FROM project_grants WHERE id = $1`, [granted.body.id])).toEqual([{ status: 'active' }]);

    const withdrawn = await t.app.get(ProjectGrantsService).withdrawLapsedGrants();
    expect(withdrawn).toBeGreaterThanOrEqual(1);
    const [row] = await t.db.query(`SELECT status, withdrawal_reason, withdrawal_certificate_serial, withdrawn_at FROM project_grants WHERE id = $1`, [granted.body.id]);
    expect(row).toMatchObject({ status: 'withdrawn', withdrawal_reason: 'certificate_expired', withdrawal_certificate_serial: certificate.serial });
    const [withdrawal] = await audit('project.grant_withdrawn', granted.body.id);
    expect(withdrawal.detail).toMatchObject({ reason: 'certificate_expired', certificateSerial: certificate.serial, projectId, userId: planner.id });
    expect(withdrawal.actor_label).toBe('system');
    expect((await notificationsOf(planner.id)).map((n) => n.kind)).toContain('projects.notifications.withdrawn.expired');
    const managerNotes = await notificationsOf(manager.id);
    expect(managerNotes).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'projects.notifications.staffWithdrawn.expired', params: expect.objectContaining({ name: '策划师 甲', serial: certificate.serial }) })]));

    const afterJob = await plannerApi.get(`/api/v1/projects/${projectId}`);
    expect(afterJob.status).toBe(403);
    expect(afterJob.body.reason).toBe('GRANT_WITHDRAWN');
  });

  it('refuses reinstatement without a valid certificate, does not restore access on renewal by itself, and reinstates with one staff action after renewal', async () => {
    const projectId = await newProject('试销诊断 A');
    const planner = await makeUser(t.app, 'candidate', isv.id);
    const plannerApi = await signedInAgent(t.url, planner.email, PASSWORD);
    const first = await makeCertificate(t.app, planner);
    const grant = (await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: planner.id, role: 'lead' })).body as { id: string };
    await t.db.query(`UPDATE certificates SET issued_at = now() - interval '2 years', expires_at = now() - interval '1 day' WHERE id = $1`, [first.certificateId]);
    await t.app.get(ProjectGrantsService).withdrawLapsedGrantsOf(planner.id);

    const tooEarly = await staffApi.post(`/api/v1/projects/${projectId}/grants/${grant.id}/reinstatement`).send({});
    expect(tooEarly.status).toBe(422);
    expect(tooEarly.body).toMatchObject({ code: 'CERTIFICATE_REQUIRED', reason: 'CERTIFICATE_EXPIRED', certificate: { serial: first.serial } });
    expect((await audit('project.grant_refused', planner.id)).at(-1)!.detail).toMatchObject({ reinstatementOf: grant.id, reason: 'CERTIFICATE_EXPIRED' });

    await makeCertificate(t.app, planner); // renewed
    const stillClosed = await plannerApi.get(`/api/v1/projects/${projectId}`);
    expect(stillClosed.status).toBe(403);
    expect(stillClosed.body.reason).toBe('GRANT_WITHDRAWN');

    const reinstated = await staffApi.post(`/api/v1/projects/${projectId}/grants/${grant.id}/reinstatement`).send({});
    expect(reinstated.status).toBe(201);
    expect(reinstated.body).toMatchObject({ status: 'active', role: 'lead', reinstates: grant.id });
    expect((await audit('project.grant_reinstated', reinstated.body.id))[0].detail).toMatchObject({ reinstates: grant.id, withdrawalReason: 'certificate_expired' });
    expect((await plannerApi.get(`/api/v1/projects/${projectId}`)).status).toBe(200);
    expect((await staffApi.post(`/api/v1/projects/${projectId}/grants/${grant.id}/reinstatement`).send({})).body.code).toBe('GRANT_ALREADY_REINSTATED');

    const members = await staffApi.get(`/api/v1/projects/${projectId}/grants`);
    expect(members.status).toBe(200);
    expect(members.body.items.map((m: { id: string; status: string; certification: string }) => [m.id, m.status, m.certification])).toEqual([
      [reinstated.body.id, 'active', 'active'],
      [grant.id, 'withdrawn', 'active'],
    ]);
  });

  it('closes the project at once when the certificate is revoked, and staff revocation of a grant closes it too', async () => {
    const projectId = await newProject('趋势情报 B');
    const a = await makeUser(t.app, 'candidate', isv.id);
    const b = await makeUser(t.app, 'candidate', isv.id);
    const aCert = await makeCertificate(t.app, a);
    await makeCertificate(t.app, b);
    await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: a.id, role: 'viewer' });
    const bGrant = (await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: b.id, role: 'planner' })).body as { id: string };
    const aApi = await signedInAgent(t.url, a.email, PASSWORD);
    const bApi = await signedInAgent(t.url, b.email, PASSWORD);
    expect((await aApi.get(`/api/v1/projects/${projectId}`)).status).toBe(200);

    await t.db.query(`UPDATE certificates SET status = 'revoked', revoked_at = now(), revocation_reason = 'exam misconduct' WHERE id = $1`, [aCert.certificateId]);
    const revoked = await aApi.get(`/api/v1/projects/${projectId}`);
    expect(revoked.status).toBe(403);
    expect(revoked.body).toMatchObject({ reason: 'CERTIFICATE_REVOKED', certificate: { serial: aCert.serial } });

    const staffRevoked = await staffApi.post(`/api/v1/projects/${projectId}/grants/${bGrant.id}/revocation`).send({ reason: 'left the project' });
    expect(staffRevoked.status).toBe(200);
    expect(staffRevoked.body).toMatchObject({ status: 'revoked_by_staff', revocationReason: 'left the project' });
    expect((await bApi.get(`/api/v1/projects/${projectId}`)).body.reason).toBe('GRANT_REVOKED');
    expect((await staffApi.post(`/api/v1/projects/${projectId}/grants/${bGrant.id}/reinstatement`).send({})).body.code).toBe('GRANT_NOT_WITHDRAWN');
    expect((await audit('project.grant_revoked', bGrant.id))[0].detail).toMatchObject({ reason: 'left the project' });
  });

  it('counts a delivery only when the brand confirms it: score event and outbox row in the confirming transaction, nothing before; back-filling is limited to 12 months', async () => {
    const projectId = await newProject('新品合伙人 C');
    const planner = await makeUser(t.app, 'candidate', isv.id);
    await makeCertificate(t.app, planner);
    await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: planner.id, role: 'planner' });
    const brandUser = await makeUser(t.app, 'candidate', brand.id);
    const otherBrand = await makeOrganisation(t.app, 'brand');
    const otherBrandUser = await makeUser(t.app, 'candidate', otherBrand.id);
    const day = (offsetDays: number) => new Date(Date.now() + 8 * 3600_000 + offsetDays * DAY).toISOString().slice(0, 10);

    const tooOld = await staffApi.post(`/api/v1/projects/${projectId}/deliveries`).send({ organisationId: isv.id, outcome: 'launched', deliveredAt: day(-400) });
    expect(tooOld.status).toBe(400);
    expect(tooOld.body.code).toBe('DELIVERED_TOO_OLD');
    expect(tooOld.body.message).toMatch(/12/);
    expect(tooOld.body.fields.deliveredAt).toHaveLength(1);
    expect((await staffApi.post(`/api/v1/projects/${projectId}/deliveries`).send({ organisationId: isv.id, outcome: 'launched', deliveredAt: day(2) })).body.code).toBe('DELIVERED_IN_FUTURE');
    expect((await staffApi.post(`/api/v1/projects/${projectId}/deliveries`).send({ organisationId: otherIsv.id, outcome: 'launched', deliveredAt: day(-3) })).body.code).toBe('ISV_NOT_PARTICIPANT');
    expect((await staffApi.post(`/api/v1/projects/${projectId}/deliveries`).send({ organisationId: isv.id, outcome: 'won', deliveredAt: 'yesterday' })).status).toBe(400);

    const recorded = await staffApi.post(`/api/v1/projects/${projectId}/deliveries`).send({ organisationId: isv.id, outcome: 'launched', deliveredAt: day(-300), note: '首批上市' });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ isv: { id: isv.id }, outcome: 'launched', confirmed: false, brandConfirmedAt: null });
    const deliveryId = recorded.body.id as string;
    expect((await staffApi.post(`/api/v1/projects/${projectId}/deliveries`).send({ organisationId: isv.id, outcome: 'partial', deliveredAt: day(-1) })).body.code).toBe('DELIVERY_EXISTS');
    expect(await t.db.query(`SELECT 1 FROM score_events WHERE source_id = $1`, [deliveryId])).toHaveLength(0);
    expect((await notificationsOf(brandUser.id)).map((n) => n.kind)).toContain('projects.notifications.deliveryToConfirm');

    const brandApi = await signedInAgent(t.url, brandUser.email, PASSWORD);
    const pending = await brandApi.get('/api/v1/brand/deliveries?status=pending');
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((d: { id: string }) => d.id)).toEqual([deliveryId]);
    const stranger = await signedInAgent(t.url, otherBrandUser.email, PASSWORD);
    expect((await stranger.post(`/api/v1/brand/deliveries/${deliveryId}/confirmation`).send({})).status).toBe(403);
    const plannerApi = await signedInAgent(t.url, planner.email, PASSWORD);
    expect((await plannerApi.post(`/api/v1/brand/deliveries/${deliveryId}/confirmation`).send({})).status).toBe(403);
    expect((await plannerApi.get('/api/v1/brand/deliveries')).status).toBe(403);
    expect(await t.db.query(`SELECT 1 FROM score_events WHERE source_id = $1`, [deliveryId])).toHaveLength(0);

    const confirmed = await brandApi.post(`/api/v1/brand/deliveries/${deliveryId}/confirmation`).send({});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ confirmed: true, confirmedOnBehalfOfBrand: false, brandConfirmedBy: { id: brandUser.id } });
    const [event] = await t.db.query(`SELECT id, organisation_id, kind, source_type, occurred_at, created_at FROM score_events WHERE source_id = $1`, [deliveryId]);
    expect(event).toMatchObject({ organisation_id: isv.id, kind: 'project.delivered', source_type: 'project_delivery' });
    const [outbox] = await t.db.query(`SELECT created_at FROM outbox WHERE job_name = 'isv.scoreEvent' AND payload->>'scoreEventId' = $1`, [String(event.id)]);
    const [delivery] = await t.db.query(`SELECT brand_confirmed_at, delivered_at FROM project_deliveries WHERE id = $1`, [deliveryId]);
    // now() is the transaction's start: equal timestamps mean one transaction wrote all three.
    expect(outbox.created_at.getTime()).toBe(delivery.brand_confirmed_at.getTime());
    expect(event.created_at.getTime()).toBe(delivery.brand_confirmed_at.getTime());
    expect(event.occurred_at.getTime()).toBe(delivery.delivered_at.getTime());
    expect((await brandApi.post(`/api/v1/brand/deliveries/${deliveryId}/confirmation`).send({})).body.code).toBe('DELIVERY_ALREADY_CONFIRMED');
    expect(await t.db.query(`SELECT 1 FROM score_events WHERE source_id = $1`, [deliveryId])).toHaveLength(1);
    expect((await audit('project.delivery_confirmed', deliveryId))[0].detail).toMatchObject({ onBehalfOfBrand: false });
    expect(await audit('project.delivery_recorded', deliveryId)).toHaveLength(1);
  });

  it('lets staff confirm on the brand’s behalf (recorded as such) and remove only unconfirmed deliveries', async () => {
    const projectId = await newProject('仿真实验 D');
    const planner = await makeUser(t.app, 'candidate', otherIsv.id);
    await makeCertificate(t.app, planner);
    await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: planner.id, role: 'viewer' });
    const first = await staffApi.post(`/api/v1/projects/${projectId}/deliveries`).send({ organisationId: otherIsv.id, outcome: 'stopped', deliveredAt: new Date(Date.now() - 10 * DAY).toISOString() });
    expect((await staffApi.delete(`/api/v1/projects/${projectId}/deliveries/${first.body.id}`)).status).toBe(204);
    const second = await staffApi.post(`/api/v1/projects/${projectId}/deliveries`).send({ organisationId: otherIsv.id, outcome: 'partial', deliveredAt: new Date(Date.now() - 5 * DAY).toISOString() });
    const confirmed = await staffApi.post(`/api/v1/projects/${projectId}/deliveries/${second.body.id}/confirmation`).send({});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ confirmed: true, confirmedOnBehalfOfBrand: true });
    expect((await staffApi.delete(`/api/v1/projects/${projectId}/deliveries/${second.body.id}`)).body.code).toBe('DELIVERY_ALREADY_CONFIRMED');
    const list = await staffApi.get(`/api/v1/projects/${projectId}/deliveries?status=confirmed`);
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([second.body.id]);
  });

  it('lets only staff administer projects: an ISV manager, a candidate and a brand user get 403', async () => {
    const projectId = await newProject('权限测试 E');
    const certified = await makeUser(t.app, 'candidate', isv.id);
    await makeCertificate(t.app, certified);
    const brandUser = await makeUser(t.app, 'candidate', brand.id);
    for (const person of [manager, certified, brandUser]) {
      const api = await signedInAgent(t.url, person.email, PASSWORD);
      expect((await api.post('/api/v1/projects').send({ brandOrganisationId: brand.id, name: 'x', stage: 'simulation_lab' })).status).toBe(403);
      expect((await api.post(`/api/v1/projects/${projectId}/grants`).send({ userId: certified.id, role: 'lead' })).status).toBe(403);
      expect((await api.patch(`/api/v1/projects/${projectId}`).send({ status: 'closed' })).status).toBe(403);
      const read = await api.get(`/api/v1/projects/${projectId}`);
      expect(read.status).toBe(403);
      expect(read.body).toMatchObject({ code: 'PROJECT_ACCESS_DENIED', reason: 'NO_GRANT' });
    }
    expect((await staffApi.get(`/api/v1/projects/${projectId}`)).status).toBe(200);
    expect((await staffApi.get('/api/v1/projects/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const bad = await staffApi.post('/api/v1/projects').send({ brandOrganisationId: isv.id, name: 'not a brand', stage: 'simulation_lab' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BRAND_NOT_FOUND');
    const badStage = await staffApi.post('/api/v1/projects').send({ brandOrganisationId: brand.id, name: 'bad', stage: 'launch' });
    expect(badStage.status).toBe(400);
    expect(badStage.body.fields.stage[0]).toMatch(/trend_intelligence/);
    const listed = await staffApi.get(`/api/v1/projects?q=${encodeURIComponent('权限测试')}&stage=simulation_lab`);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([projectId]);
  });

  it('gates every :projectId route, web and API: a member whose certificate lapsed and a person without a grant are refused on each', async () => {
    const routes = t.app.get(ProjectGateCheck).routes;
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'GET', path: '/api/v1/projects/:projectId' }), expect.objectContaining({ method: 'GET', path: '/projects/:projectId' })]));

    const projectId = await newProject('门禁测试 F');
    const lapsed = await makeUser(t.app, 'candidate', isv.id);
    const lapsedCert = await makeCertificate(t.app, lapsed);
    const grant = (await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: lapsed.id, role: 'planner' })).body as { id: string };
    await t.db.query(`UPDATE certificates SET issued_at = now() - interval '2 years', expires_at = now() - interval '1 second' WHERE id = $1`, [lapsedCert.certificateId]);
    const outsider = await makeUser(t.app, 'candidate', isv.id);
    await makeCertificate(t.app, outsider);
    const [{ id: deliveryId }] = await t.db.query(
      `INSERT INTO project_deliveries (project_id, organisation_id, outcome, delivered_at, recorded_by) VALUES ($1, $2, 'launched', now() - interval '1 day', $3) RETURNING id`,
      [projectId, isv.id, staff.id],
    );

    for (const person of [lapsed, outsider]) {
      const web = await webSignIn(t.url, person.email);
      const csrf = csrfOf((await web.get('/projects')).text);
      for (const route of routes) {
        const path = route.path.replace(':projectId', projectId).replace(':grantId', grant.id).replace(':deliveryId', String(deliveryId));
        const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete' | 'put';
        const isApi = path.startsWith('/api/');
        const response = isApi ? await web[method](path).send({}) : method === 'get' ? await web.get(path) : await web[method](path).type('form').send({ _csrf: csrf });
        expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 403 });
      }
    }
    // The gate itself (not only the role policy) refused the member routes, with the reason.
    const api = await signedInAgent(t.url, lapsed.email, PASSWORD);
    expect((await api.get(`/api/v1/projects/${projectId}`)).body.reason).toBe('CERTIFICATE_EXPIRED');
    const page = await (await webSignIn(t.url, lapsed.email)).get(`/projects/${projectId}`);
    expect(page.status).toBe(403);
    expect(page.text).toContain(lapsedCert.serial);
  });

  it('renders the staff, member and brand pages in both languages, and shows a refused grant on the form', async () => {
    const projectId = await newProject('页面测试 G');
    const member = await makeUser(t.app, 'candidate', isv.id);
    await makeCertificate(t.app, member);
    await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: member.id, role: 'lead' });
    const uncertified = await makeUser(t.app, 'candidate', isv.id, { name: '未认证 乙' });
    const brandUser = await makeUser(t.app, 'candidate', brand.id);
    await t.db.query(`INSERT INTO project_deliveries (project_id, organisation_id, outcome, delivered_at, recorded_by) VALUES ($1, $2, 'partial', now() - interval '2 days', $3)`, [projectId, isv.id, staff.id]);

    for (const locale of ['zh-CN', 'en'] as const) {
      for (const person of [staff, member, brandUser]) await t.app.get(UsersService).update(person.id, { locale }, SYSTEM_ACTOR);
      const staffWeb = await webSignIn(t.url, staff.email);
      for (const path of ['/projects', '/projects?status=active&stage=simulation_lab&q=%E9%A1%B5%E9%9D%A2', '/projects/new', `/projects/${projectId}`, `/projects/${projectId}/edit`, `/projects/${projectId}/deliveries`]) {
        const response = await staffWeb.get(path);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
      const detail = await staffWeb.get(`/projects/${projectId}`);
      expect(detail.text).toContain(locale === 'en' ? 'Members and grants' : '成员与授权');
      expect(detail.text).toContain(locale === 'en' ? 'Active' : '有效');

      const memberWeb = await webSignIn(t.url, member.email);
      expect((await memberWeb.get('/projects')).text).toContain('页面测试 G');
      const memberPage = await memberWeb.get(`/projects/${projectId}`);
      expect(memberPage.status).toBe(200);
      expect(memberPage.text).toContain(locale === 'en' ? 'Lead' : '负责人');

      const brandWeb = await webSignIn(t.url, brandUser.email);
      const brandPage = await brandWeb.get('/brand/deliveries');
      expect(brandPage.status).toBe(200);
      expect(brandPage.text).toContain('页面测试 G');
    }

    const staffWeb = await webSignIn(t.url, staff.email);
    const form = await staffWeb.get(`/projects/${projectId}`);
    const refused = await staffWeb.post(`/projects/${projectId}/grants`).type('form').send({ _csrf: csrfOf(form.text), email: uncertified.email, role: 'planner' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('未认证 乙');
    expect(refused.text).toContain(uncertified.email);

    // A withdrawn grant shows why, with a reinstate button; reinstating without a valid certificate says why not.
    const lapsed = await makeUser(t.app, 'candidate', isv.id, { name: '过期 丙' });
    const lapsedCert = await makeCertificate(t.app, lapsed);
    const lapsedGrant = (await staffApi.post(`/api/v1/projects/${projectId}/grants`).send({ userId: lapsed.id, role: 'viewer' })).body as { id: string };
    await t.db.query(`UPDATE certificates SET issued_at = now() - interval '2 years', expires_at = now() - interval '2 days' WHERE id = $1`, [lapsedCert.certificateId]);
    await t.app.get(ProjectGrantsService).withdrawLapsedGrantsOf(lapsed.id);
    const withReason = await staffWeb.get(`/projects/${projectId}`);
    expect(withReason.text).toContain('data-withdrawal-reason="certificate_expired"');
    expect(withReason.text).toContain(lapsedCert.serial);
    expect(withReason.text).toContain(`/projects/${projectId}/grants/${lapsedGrant.id}/reinstate`);
    const notYet = await staffWeb.post(`/projects/${projectId}/grants/${lapsedGrant.id}/reinstate`).type('form').send({ _csrf: csrfOf(withReason.text) });
    expect(notYet.status).toBe(303);
    // The flash on the next page says why (the staff member reads English by now).
    expect((await staffWeb.get(`/projects/${projectId}`)).text).toContain(`${lapsedCert.serial} expired on`);
    await makeCertificate(t.app, lapsed);
    const reinstated = await staffWeb.post(`/projects/${projectId}/grants/${lapsedGrant.id}/reinstate`).type('form').send({ _csrf: csrfOf(withReason.text) });
    expect(reinstated.status).toBe(303);
    expect(await t.db.query(`SELECT status FROM project_grants WHERE reinstates_grant_id = $1`, [lapsedGrant.id])).toEqual([{ status: 'active' }]);
    const [active] = await t.db.query(`SELECT id FROM project_grants WHERE reinstates_grant_id = $1`, [lapsedGrant.id]);
    const revoked = await staffWeb.post(`/projects/${projectId}/grants/${active.id}/revoke`).type('form').send({ _csrf: csrfOf(withReason.text), reason: '换人' });
    expect(revoked.status).toBe(303);
    expect(await t.db.query(`SELECT status, revocation_reason FROM project_grants WHERE id = $1`, [active.id])).toEqual([{ status: 'revoked_by_staff', revocation_reason: '换人' }]);

    const created = await staffWeb.post('/projects').type('form').send({ _csrf: csrfOf(form.text), name: '网页新建项目', brandOrganisationId: brand.id, stage: 'trend_intelligence', status: 'active', description: '' });
    expect(created.status).toBe(303);
    const missing = await staffWeb.post('/projects').type('form').send({ _csrf: csrfOf(form.text), name: '', brandOrganisationId: '', stage: '', status: 'active', description: '' });
    expect(missing.status).toBe(400);
  });
});
