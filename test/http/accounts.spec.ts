import request from 'supertest';
import { makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';
import { startTestApp, TestApp } from '../support/app';

describe('accounts API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('signs in with email and password, sets a session cookie and returns the person', async () => {
    const user = await makeUser(t.app, 'candidate');
    const response = await request(t.url).post('/api/v1/auth/login').send({ email: user.email.toUpperCase(), password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: user.id, email: user.email, name: user.name, role: 'candidate', organisationId: null, locale: 'zh-CN' });
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/pa_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('answers /me for the signed-in person and 401 once signed out', async () => {
    const user = await makeUser(t.app, 'proctor');
    const agent = await signedInAgent(t.url, user.email, PASSWORD);
    const me = await agent.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, email: user.email, role: 'proctor', organisationId: null, locale: 'zh-CN' });
    expect((await agent.post('/api/v1/auth/logout')).status).toBe(200);
    expect((await agent.get('/api/v1/me')).status).toBe(401);
  });

  it('refuses a wrong password with 401 and records the failure', async () => {
    const user = await makeUser(t.app, 'candidate');
    const response = await request(t.url).post('/api/v1/auth/login').send({ email: user.email, password: 'wrong-password' });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('INVALID_CREDENTIALS');
    const rows = await t.db.query(`SELECT action FROM audit_events WHERE target_id = $1`, [user.id]);
    expect(rows.map((r: { action: string }) => r.action)).toContain('auth.login_failed');
  });

  it('throttles the 11th wrong password within 15 minutes with 429 and keeps the failures in the audit log', async () => {
    const user = await makeUser(t.app, 'candidate');
    for (let i = 0; i < 10; i++) {
      const r = await request(t.url).post('/api/v1/auth/login').set('x-forwarded-for', `10.0.0.${i}`).send({ email: user.email, password: `wrong-${i}` });
      expect(r.status).toBe(401);
    }
    const eleventh = await request(t.url).post('/api/v1/auth/login').send({ email: user.email, password: 'wrong-again' });
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.code).toBe('LOGIN_THROTTLED');
    expect(eleventh.body.message).toMatch(/15/);
    // Even the right password is refused while throttled.
    expect((await request(t.url).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD })).status).toBe(429);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.login_failed' AND target_id = $1`, [user.id]);
    expect(n).toBe(10);
  });

  it('lets a candidate see only themself: staff-only API is 403, anonymous is 401', async () => {
    const candidate = await makeUser(t.app, 'candidate');
    const agent = await signedInAgent(t.url, candidate.email, PASSWORD);
    expect((await agent.get('/api/v1/users')).status).toBe(403);
    expect((await agent.get('/api/v1/organisations')).status).toBe(403);
    expect((await agent.get('/api/v1/audit')).status).toBe(403);
    expect((await request(t.url).get('/api/v1/users')).status).toBe(401);
    expect((await request(t.url).get('/api/v1/organisations')).status).toBe(401);
  });

  it("gives an ISV manager only their own organisation's people", async () => {
    const mine = await makeOrganisation(t.app, 'isv');
    const other = await makeOrganisation(t.app, 'isv');
    const manager = await makeUser(t.app, 'isv_manager', mine.id);
    const colleague = await makeUser(t.app, 'candidate', mine.id);
    const stranger = await makeUser(t.app, 'candidate', other.id);
    const agent = await signedInAgent(t.url, manager.email, PASSWORD);
    const list = await agent.get('/api/v1/users?perPage=100');
    expect(list.status).toBe(200);
    const ids = list.body.items.map((u: { id: string }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([manager.id, colleague.id]));
    expect(ids).not.toContain(stranger.id);
    expect(list.body.items.every((u: { organisationId: string }) => u.organisationId === mine.id)).toBe(true);
    expect((await agent.get(`/api/v1/users/${stranger.id}`)).status).toBe(404);
    // Filtering by another organisation does not widen the scope.
    const sneaky = await agent.get(`/api/v1/users?organisationId=${other.id}`);
    expect(sneaky.body.items).toEqual([]);
  });

  it('returns 400 with field messages for malformed JSON, missing fields, wrong types and overlong strings', async () => {
    const malformed = await request(t.url).post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('INVALID_JSON');
    const missing = await request(t.url).post('/api/v1/auth/login').send({});
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.fields).sort()).toEqual(['email', 'password']);
    const wrongType = await request(t.url).post('/api/v1/auth/login').send({ email: 42, password: ['x'] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.fields.email).toHaveLength(1);
    const staff = await makeUser(t.app, 'platform_staff');
    const agent = await signedInAgent(t.url, staff.email, PASSWORD);
    const overlong = await agent.post('/api/v1/organisations').send({ name: 'x'.repeat(201), type: 'isv' });
    expect(overlong.status).toBe(400);
    expect(overlong.body.fields.name[0]).toMatch(/200/);
    const badEnum = await agent.post('/api/v1/users').send({ email: 'not-an-email', name: '', role: 'emperor' });
    expect(badEnum.status).toBe(400);
    expect(Object.keys(badEnum.body.fields).sort()).toEqual(['email', 'name', 'role']);
    const unknownField = await agent.post('/api/v1/organisations').send({ name: 'Fine', type: 'isv', admin: true });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.fields.admin).toBeDefined();
    const notObject = await agent.post('/api/v1/organisations').send([1, 2]);
    expect(notObject.status).toBe(400);
  });

  it('answers in English when the person chose English', async () => {
    const user = await makeUser(t.app, 'candidate');
    const agent = await signedInAgent(t.url, user.email, PASSWORD);
    expect((await agent.patch('/api/v1/me').send({ locale: 'en' })).body.locale).toBe('en');
    const forbidden = await agent.get('/api/v1/users');
    expect(forbidden.body.message).toBe('Your role may not see this.');
    // Remembered on the account: a new session speaks English too.
    const again = await signedInAgent(t.url, user.email, PASSWORD);
    expect((await again.get('/api/v1/me')).body.locale).toBe('en');
  });
});

describe('people and organisations, managed by staff', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('creates, edits, changes role and organisation, and deactivates people, all audited', async () => {
    const staff = await makeUser(t.app, 'platform_staff');
    const agent = await signedInAgent(t.url, staff.email, PASSWORD);
    const org = (await agent.post('/api/v1/organisations').send({ name: '星河数据', type: 'isv' })).body;
    expect(org.id).toBeDefined();
    expect((await agent.post('/api/v1/organisations').send({ name: '星河数据', type: 'brand' })).status).toBe(409);

    const created = await agent.post('/api/v1/users').send({ email: 'new.person@test.example', name: '新人', role: 'candidate', organisationId: org.id });
    expect(created.status).toBe(201);
    expect(created.body.generatedPassword).toHaveLength(16);
    const personAgent = await signedInAgent(t.url, 'new.person@test.example', created.body.generatedPassword);

    const promoted = await agent.patch(`/api/v1/users/${created.body.id}`).send({ role: 'isv_manager' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.role).toBe('isv_manager');
    // A role change ends the person's sessions: they sign in again with the new role.
    expect((await personAgent.get('/api/v1/me')).status).toBe(401);

    const deactivated = await agent.patch(`/api/v1/users/${created.body.id}`).send({ active: false });
    expect(deactivated.body.active).toBe(false);
    const refused = await request(t.url).post('/api/v1/auth/login').send({ email: 'new.person@test.example', password: created.body.generatedPassword });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('ACCOUNT_DEACTIVATED');
    // Their record stays.
    expect((await agent.get(`/api/v1/users/${created.body.id}`)).status).toBe(200);

    const actions = (await agent.get(`/api/v1/audit?target=${created.body.id}&perPage=100`)).body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.created', 'user.role_changed', 'user.deactivated']));
    expect(actions.filter((a: string) => a === 'auth.login_failed')).toHaveLength(1);
  });

  it('refuses an ISV manager without an ISV organisation, with a field message', async () => {
    const staff = await makeUser(t.app, 'platform_staff');
    const agent = await signedInAgent(t.url, staff.email, PASSWORD);
    const brand = await makeOrganisation(t.app, 'brand');
    const response = await agent.post('/api/v1/users').send({ email: 'm@test.example', name: 'M', role: 'isv_manager', organisationId: brand.id, password: 'long-enough-pw' });
    expect(response.status).toBe(400);
    expect(response.body.fields.organisationId).toBeDefined();
  });

  it('lists people paginated and searchable', async () => {
    const staff = await makeUser(t.app, 'platform_staff');
    const org = await makeOrganisation(t.app, 'isv');
    for (let i = 0; i < 7; i++) await makeUser(t.app, 'candidate', org.id, { name: `Paginated Person ${i}` });
    const agent = await signedInAgent(t.url, staff.email, PASSWORD);
    const first = await agent.get(`/api/v1/users?organisationId=${org.id}&perPage=5`);
    expect(first.body).toMatchObject({ page: 1, perPage: 5, total: 7, totalPages: 2 });
    expect(first.body.items).toHaveLength(5);
    const second = await agent.get(`/api/v1/users?organisationId=${org.id}&perPage=5&page=2`);
    expect(second.body.items).toHaveLength(2);
    const search = await agent.get('/api/v1/users?q=Person%203');
    expect(search.body.items.map((u: { name: string }) => u.name)).toEqual(['Paginated Person 3']);
    expect((await agent.get('/api/v1/users?perPage=1000')).status).toBe(400);
  });
});

describe('personal API tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('shows a token once, stores only its hash, authenticates with it, and stops after revocation', async () => {
    const manager = await makeUser(t.app, 'isv_manager', (await makeOrganisation(t.app)).id);
    const agent = await signedInAgent(t.url, manager.email, PASSWORD);
    const issued = await agent.post('/api/v1/me/tokens').send({ name: 'sync' });
    expect(issued.status).toBe(201);
    const token: string = issued.body.token;
    expect(token).toMatch(/^pa_/);
    const stored = await t.db.query(`SELECT token_hash FROM api_tokens WHERE id = $1`, [issued.body.id]);
    expect(stored[0].token_hash).not.toContain(token);
    expect((await agent.get('/api/v1/me/tokens')).body[0].token).toBeUndefined();

    const withToken = await request(t.url).get('/api/v1/users').set('authorization', `Bearer ${token}`);
    expect(withToken.status).toBe(200);
    expect((await agent.delete(`/api/v1/me/tokens/${issued.body.id}`)).status).toBe(204);
    expect((await request(t.url).get('/api/v1/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
    expect((await request(t.url).get('/api/v1/me').set('authorization', 'Bearer pa_madeup')).status).toBe(401);
  });

  it('changes a password: the old one stops working, a wrong current password is a field error', async () => {
    const user = await makeUser(t.app, 'candidate');
    const agent = await signedInAgent(t.url, user.email, PASSWORD);
    const wrong = await agent.post('/api/v1/me/password').send({ currentPassword: 'nope', newPassword: 'a-new-password-1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.fields.currentPassword).toBeDefined();
    const short = await agent.post('/api/v1/me/password').send({ currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.body.fields.newPassword).toBeDefined();
    expect((await agent.post('/api/v1/me/password').send({ currentPassword: PASSWORD, newPassword: 'a-new-password-1' })).status).toBe(200);
    expect((await request(t.url).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD })).status).toBe(401);
    expect((await request(t.url).post('/api/v1/auth/login').send({ email: user.email, password: 'a-new-password-1' })).status).toBe(200);
  });

  it('refuses cookie-authenticated API writes that are not JSON (CSRF for the API)', async () => {
    const staff = await makeUser(t.app, 'platform_staff');
    const agent = await signedInAgent(t.url, staff.email, PASSWORD);
    const form = await agent.post('/api/v1/organisations').type('form').send({ name: 'Via form', type: 'isv' });
    expect(form.status).toBe(415);
  });
});
