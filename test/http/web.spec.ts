import request from 'supertest';
import { makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { startTestApp, TestApp } from '../support/app';

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function webSignIn(url: string, email: string, password = PASSWORD) {
  const agent = request.agent(url);
  const page = await agent.get('/login');
  const response = await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), email, password, next: '/' });
  return { agent, response };
}

describe('web face', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('serves the sign-in page in Chinese by default with security headers', async () => {
    const page = await request(t.url).get('/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="zh-CN">');
    expect(page.text).toContain('登录');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-request-id']).toBeDefined();
    expect(page.text).toMatch(/<label for="email">/);
  });

  it('refuses a form post without a CSRF token', async () => {
    const user = await makeUser(t.app, 'candidate');
    const agent = request.agent(t.url);
    await agent.get('/login');
    const response = await agent.post('/login').type('form').send({ email: user.email, password: PASSWORD });
    expect(response.status).toBe(403);
    expect(response.text).toContain('表单已过期');
  });

  it('signs in through the form and shows the navigation of the role', async () => {
    const org = await makeOrganisation(t.app, 'isv');
    const manager = await makeUser(t.app, 'isv_manager', org.id);
    const { agent, response } = await webSignIn(t.url, manager.email);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('href="/people"');
    expect(home.text).not.toContain('href="/admin/audit"');
  });

  it('re-renders the sign-in form with the typed email and a message on a wrong password', async () => {
    const user = await makeUser(t.app, 'candidate');
    const { response } = await webSignIn(t.url, user.email, 'wrong-password');
    expect(response.status).toBe(401);
    expect(response.text).toContain('邮箱或密码不正确');
    expect(response.text).toContain(`value="${user.email}"`);
  });

  it('redirects an anonymous visitor to sign in and back', async () => {
    const response = await request(t.url).get('/people?q=x');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2Fpeople%3Fq%3Dx');
  });

  it('shows 403 and 404 pages with the request id', async () => {
    const candidate = await makeUser(t.app, 'candidate');
    const { agent } = await webSignIn(t.url, candidate.email);
    const forbidden = await agent.get('/admin/audit');
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain(String(forbidden.headers['x-request-id']));
    const missing = await agent.get('/no/such/page');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('data-request-id');
  });

  it('switches the language and remembers it on the account', async () => {
    const user = await makeUser(t.app, 'candidate');
    const { agent } = await webSignIn(t.url, user.email);
    const home = await agent.get('/');
    await agent.post('/language').type('form').send({ _csrf: csrfOf(home.text), locale: 'en', next: '/' });
    const english = await agent.get('/');
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Sign out');
    const [row] = await t.db.query('SELECT locale FROM users WHERE id = $1', [user.id]);
    expect(row.locale).toBe('en');
  });

  it('lets staff create an organisation and a person through the forms, keeping input on mistakes', async () => {
    const staff = await makeUser(t.app, 'platform_staff');
    const { agent } = await webSignIn(t.url, staff.email);
    const form = await agent.get('/admin/organisations/new');
    const bad = await agent.post('/admin/organisations').type('form').send({ _csrf: csrfOf(form.text), name: '', type: 'isv' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('必填');
    const good = await agent.post('/admin/organisations').type('form').send({ _csrf: csrfOf(form.text), name: '青禾营销', type: 'isv' });
    expect(good.status).toBe(303);
    const orgPage = await agent.get(good.headers.location);
    expect(orgPage.text).toContain('已创建组织');
    const personForm = await agent.get('/people/new');
    const badPerson = await agent
      .post('/people')
      .type('form')
      .send({ _csrf: csrfOf(personForm.text), name: '小王', email: 'not-email', role: 'candidate', organisationId: '' });
    expect(badPerson.status).toBe(400);
    expect(badPerson.text).toContain('value="小王"');
    expect(badPerson.text).toContain('请输入有效的邮箱地址');
  });

  it('serves the OpenAPI document', async () => {
    const doc = await request(t.url).get('/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/me', '/api/v1/users']));
  });
});
