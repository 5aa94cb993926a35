import request from 'supertest';
import { NotificationsService } from '../../src/modules/notifications/notifications.service';
import { startTestApp, TestApp } from '../support/app';
import { makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';

type Agent = Awaited<ReturnType<typeof signedInAgent>>;

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('notifications over HTTP', () => {
  let t: TestApp;
  let service: NotificationsService;
  let alice: { id: string; email: string; name: string };
  let bob: { id: string; email: string };
  let aliceAgent: Agent;
  let bobAgent: Agent;

  const notify = (userId: string, name: string, link: string | null = '/certificates') =>
    t.db.transaction((manager) => service.notify(manager, { userId, kind: 'notifications.kinds.test', params: { name }, link }));

  beforeAll(async () => {
    t = await startTestApp();
    service = t.app.get(NotificationsService);
    alice = await makeUser(t.app, 'candidate', null, { name: 'Alice' });
    bob = await makeUser(t.app, 'candidate');
    aliceAgent = await signedInAgent(t.url, alice.email, PASSWORD);
    bobAgent = await signedInAgent(t.url, bob.email, PASSWORD);
    expect((await aliceAgent.patch('/api/v1/me').send({ locale: 'en' })).status).toBe(200);
  });
  afterAll(async () => t.close());

  it('lists my notifications newest first, paginated, in my language, with the unread count', async () => {
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) ids.push(await notify(alice.id, name));
    const first = await aliceAgent.get('/api/v1/me/notifications?perPage=2');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, perPage: 2, total: 3, totalPages: 2, unread: 3 });
    expect(first.body.items.map((n: { id: string }) => n.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.items[0]).toMatchObject({ kind: 'notifications.kinds.test', title: 'Test notification', unread: true, readAt: null, link: '/certificates', emailStatus: 'none' });
    expect(first.body.items[0].body).toContain('Hello three,');
    const second = await aliceAgent.get('/api/v1/me/notifications?page=2&perPage=2');
    expect(second.body.items.map((n: { id: string }) => n.id)).toEqual([ids[0]]);
    expect((await aliceAgent.get('/api/v1/me/notifications?page=0')).status).toBe(400);

    const bobs = await bobAgent.get('/api/v1/me/notifications');
    expect(bobs.body).toMatchObject({ total: 0, unread: 0, items: [] });
  });

  it("marks one read and then all read; someone else's is not found", async () => {
    const mine = await notify(alice.id, 'mark');
    const bobsId = await notify(bob.id, 'bobs');

    const stranger = await aliceAgent.post(`/api/v1/me/notifications/${bobsId}/read`);
    expect(stranger.status).toBe(404);
    expect(stranger.body.code).toBe('NOTIFICATION_NOT_FOUND');
    expect((await aliceAgent.post('/api/v1/me/notifications/not-a-uuid/read')).status).toBe(404);
    expect((await bobAgent.get('/api/v1/me/notifications')).body.items[0]).toMatchObject({ id: bobsId, unread: true });

    const before = (await aliceAgent.get('/api/v1/me/notifications')).body.unread as number;
    const read = await aliceAgent.post(`/api/v1/me/notifications/${mine}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ id: mine, read: true, unread: before - 1 });

    const all = await aliceAgent.post('/api/v1/me/notifications/read-all');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ marked: before - 1, unread: 0 });
    expect((await bobAgent.get('/api/v1/me/notifications')).body.unread).toBe(1);
  });

  it('refuses a cookie-authenticated API write sent as a form, and anonymous callers', async () => {
    const id = await notify(alice.id, 'form');
    expect((await aliceAgent.post(`/api/v1/me/notifications/${id}/read`).type('form').send({ x: '1' })).status).toBe(415);
    expect((await request(t.url).get('/api/v1/me/notifications')).status).toBe(401);
    expect((await request(t.url).get('/notifications')).status).toBe(303);
  });

  it('shows the page with unread highlighted and the count as a menu badge; forms mark read with CSRF', async () => {
    await aliceAgent.post('/api/v1/me/notifications/read-all');
    const unread = await notify(alice.id, '<i>page</i>');
    await notify(alice.id, 'nowhere', null);
    const page = await aliceAgent.get('/notifications');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<a href="\/notifications" aria-current="page">Notifications <span class="badge badge-required" data-nav-badge>2<\/span><\/a>/);
    expect(page.text).toContain(`data-notification="${unread}" data-unread="true"`);
    expect(page.text).toContain('Hello &lt;i&gt;page&lt;/i&gt;,');
    expect(page.text).toContain(`action="/notifications/${unread}/open"`);
    expect(page.text).not.toContain('data-send-test');

    // The badge is on every page, not only this one.
    expect((await aliceAgent.get('/')).text).toContain('<span class="badge badge-required" data-nav-badge>2</span>');

    const withoutToken = await aliceAgent.post(`/notifications/${unread}/read`).type('form').send({});
    expect(withoutToken.status).toBe(403);

    const marked = await aliceAgent.post(`/notifications/${unread}/read`).type('form').send({ _csrf: csrfOf(page.text), page: '1' });
    expect(marked.status).toBe(303);
    expect(marked.headers.location).toBe('/notifications');
    const after = await aliceAgent.get('/notifications');
    expect(after.text).toContain(`data-notification="${unread}" data-unread="false"`);
    expect(after.text).toContain('<span class="badge badge-required" data-nav-badge>1</span>');

    const all = await aliceAgent.post('/notifications/read-all').type('form').send({ _csrf: csrfOf(after.text), page: '2' });
    expect(all.status).toBe(303);
    expect(all.headers.location).toBe('/notifications?page=2');
    const none = await aliceAgent.get('/notifications');
    expect(none.text).not.toContain('data-nav-badge');
    expect(none.text).toContain('1 notification(s) marked as read.');
  });

  it('opening a notification marks it read and goes to its target', async () => {
    const id = await notify(alice.id, 'open', '/certificates');
    const page = await aliceAgent.get('/notifications');
    const opened = await aliceAgent.post(`/notifications/${id}/open`).type('form').send({ _csrf: csrfOf(page.text) });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/certificates');
    const items = (await aliceAgent.get('/api/v1/me/notifications')).body.items as { id: string; unread: boolean }[];
    expect(items.find((n) => n.id === id)?.unread).toBe(false);

    const bobsId = await notify(bob.id, 'not yours');
    const refused = await aliceAgent.post(`/notifications/${bobsId}/open`).type('form').send({ _csrf: csrfOf(page.text) });
    expect(refused.status).toBe(404);
  });

  it('shows the page in Chinese to a Chinese reader, with a message when there is nothing', async () => {
    const reader = await makeUser(t.app, 'proctor');
    const agent = await signedInAgent(t.url, reader.email, PASSWORD);
    const empty = await agent.get('/notifications');
    expect(empty.text).toContain('您还没有任何通知。');
    await notify(reader.id, '韩梅梅');
    const page = await agent.get('/notifications');
    expect(page.text).toContain('测试通知');
    expect(page.text).toContain('韩梅梅，您好！');
    expect(page.text).toContain('data-nav-badge>1<');
  });

  it('lets staff, and only staff, send themselves a test notification', async () => {
    const staffUser = await makeUser(t.app, 'platform_staff', null, { name: 'Staff Sam' });
    const staff = await signedInAgent(t.url, staffUser.email, PASSWORD);
    const page = await staff.get('/notifications');
    expect(page.text).toContain('data-send-test');
    const sent = await staff.post('/notifications/test').type('form').send({ _csrf: csrfOf(page.text) });
    expect(sent.status).toBe(303);
    const flashed = await staff.get('/notifications');
    expect(flashed.text).toContain('SMTP');
    expect(flashed.text).toContain('Staff Sam，您好！');

    const api = await staff.post('/api/v1/me/notifications/test');
    expect(api.status).toBe(201);
    expect(api.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), emailQueued: false });
    expect((await aliceAgent.post('/api/v1/me/notifications/test')).status).toBe(403);
  });
});
