import { DataSource } from 'typeorm';
import { QueueService } from '../../src/infra/queue/queue.service';
import { NotificationsService } from '../../src/modules/notifications/notifications.service';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../support/exams';
import { makeUser } from '../support/factories';
import { startSmtpServer, TestSmtpServer } from '../support/smtp';

const BASE = 'https://academy.test';

interface Row {
  id: string;
  email_status: string;
  emailed_at: Date | null;
  email_error: string | null;
  read_at: Date | null;
}

const rowOf = async (db: DataSource, id: string): Promise<Row | undefined> =>
  (await db.query(`SELECT id, email_status, emailed_at, email_error, read_at FROM notifications WHERE id = $1`, [id]))[0];
const outboxRowsFor = async (db: DataSource, id: string): Promise<{ job_id: string }[]> =>
  db.query(`SELECT job_id FROM outbox WHERE job_name = 'notification.email' AND payload->>'notificationId' = $1`, [id]);

describe('notifications with SMTP configured', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let service: NotificationsService;
  let english: { id: string; email: string; name: string };
  let chinese: { id: string; email: string; name: string };

  const notify = (userId: string, extra: Record<string, unknown> = {}) =>
    t.db.transaction((manager) => service.notify(manager, { userId, kind: 'notifications.kinds.test', params: { name: 'Ada <b>' }, link: '/notifications', ...extra }));

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ roles: { web: true, worker: true }, env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: BASE, MAIL_FROM: 'Academy Test <academy@test.example>' } });
    service = t.app.get(NotificationsService);
    english = await makeUser(t.app, 'candidate', null, { name: 'Ada Lovelace' });
    chinese = await makeUser(t.app, 'candidate', null, { name: '李雷' });
    await t.db.query(`UPDATE users SET locale = 'en' WHERE id = $1`, [english.id]);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.refuse(false);
  });

  it('stores the notification and its email job in the caller transaction, and neither when it rolls back', async () => {
    let rolledBackId = '';
    await expect(
      t.db.transaction(async (manager) => {
        rolledBackId = await service.notify(manager, { userId: english.id, kind: 'notifications.kinds.test', params: { name: 'x' } });
        throw new Error('the caller failed');
      }),
    ).rejects.toThrow('the caller failed');
    expect(rolledBackId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await rowOf(t.db, rolledBackId)).toBeUndefined();
    expect(await outboxRowsFor(t.db, rolledBackId)).toEqual([]);

    const id = await notify(english.id);
    expect((await rowOf(t.db, id))?.email_status).toMatch(/^(pending|sent)$/);
    expect(await outboxRowsFor(t.db, id)).toEqual([{ job_id: `notification.email-${id}` }]);
  });

  it('emails the reader in English through the real SMTP server, subject and body rendered and escaped', async () => {
    const id = await notify(english.id);
    const mail = await smtp.waitForMessage((m) => m.to.includes(english.email));
    expect(mail.subject).toBe('[Planner Academy] Test notification');
    expect(mail.from).toBe('Academy Test <academy@test.example>');
    expect(mail.text).toContain('Hello Ada Lovelace,');
    expect(mail.text).toContain('Hello Ada <b>, this is the test notification you asked for.');
    expect(mail.text).toContain(`Open in Planner Academy: ${BASE}/notifications`);
    expect(mail.html).toContain('Hello Ada &lt;b&gt;, this is the test notification');
    expect(mail.html).toContain(`<a href="${BASE}/notifications">Open in Planner Academy</a>`);
    const row = await eventually(async () => {
      const r = await rowOf(t.db, id);
      return r?.email_status === 'sent' ? r : null;
    });
    expect(row.emailed_at).toBeInstanceOf(Date);
    expect(row.email_error).toBeNull();
    expect(row.read_at).toBeNull();
  });

  it('emails a Chinese reader in Chinese', async () => {
    await notify(chinese.id, { params: { name: '李雷' } });
    const mail = await smtp.waitForMessage((m) => m.to.includes(chinese.email));
    expect(mail.subject).toBe('【Planner Academy】 测试通知');
    expect(mail.text).toContain('李雷，您好：');
    expect(mail.text).toContain('这是您请求的测试通知');
    expect(mail.html).toContain('<html lang="zh-CN">');
  });

  it('sends once when the job runs twice', async () => {
    const id = await notify(english.id, { params: { name: 'twice' } });
    await smtp.waitForMessage((m) => m.text.includes('Hello twice,'));
    await eventually(async () => (await rowOf(t.db, id))?.email_status === 'sent');
    expect(await service.sendEmail(id)).toBe('alreadySent');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.messages.filter((m) => m.text.includes('Hello twice,'))).toHaveLength(1);
  });

  it('keeps a notification in-app only when the caller asks for no email', async () => {
    const id = await notify(english.id, { email: false, params: { name: 'quiet' } });
    expect((await rowOf(t.db, id))?.email_status).toBe('none');
    expect(await outboxRowsFor(t.db, id)).toEqual([]);
  });

  it('records a refused email as failed, retries it with backoff, and sends it once the server accepts again', async () => {
    smtp.refuse(true);
    const id = await notify(english.id, { params: { name: 'retry' } });
    const failed = await eventually(async () => {
      const r = await rowOf(t.db, id);
      return r?.email_status === 'failed' ? r : null;
    });
    expect(failed.email_error).toMatch(/451/);
    expect(failed.email_error).not.toContain('secret');
    const job = await eventually(async () => {
      const found = await t.app.get(QueueService).queue('notifications').getJob(`notification.email-${id}`);
      return found && (await found.getState()) === 'delayed' ? found : null;
    });
    expect(job.attemptsMade).toBe(1);
    expect(job.opts.attempts).toBe(8);
    expect(job.opts.backoff).toEqual({ type: 'exponential', delay: 30_000 });
    // The in-app notification is there all along.
    expect((await service.list(english.id, 'en', { page: 1, perPage: 100 })).items.map((n) => n.id)).toContain(id);

    smtp.refuse(false);
    await job.promote();
    await smtp.waitForMessage((m) => m.text.includes('Hello retry,'));
    const sent = await eventually(async () => {
      const r = await rowOf(t.db, id);
      return r?.email_status === 'sent' ? r : null;
    });
    expect(sent.email_error).toBeNull();
  });

  it('lists newest first in the reader language, counts unread, and marks one and then all read', async () => {
    const reader = await makeUser(t.app, 'proctor');
    await t.db.query(`UPDATE users SET locale = 'en' WHERE id = $1`, [reader.id]);
    const first = await notify(reader.id, { email: false, params: { name: 'first' } });
    const second = await notify(reader.id, { email: false, params: { name: 'second' } });
    const third = await notify(reader.id, { email: false, params: { name: 'third' } });
    expect(await service.unreadCount(reader.id)).toBe(3);

    const page1 = await service.list(reader.id, 'en', { page: 1, perPage: 2 });
    expect(page1).toMatchObject({ total: 3, totalPages: 2, page: 1 });
    expect(page1.items.map((n) => n.id)).toEqual([third, second]);
    expect(page1.items[0]).toMatchObject({ title: 'Test notification', unread: true, link: '/notifications', kind: 'notifications.kinds.test' });
    expect(page1.items[0].body).toContain('Hello third,');
    expect((await service.list(reader.id, 'zh-CN', { page: 2, perPage: 2 })).items).toEqual([expect.objectContaining({ id: first, title: '测试通知' })]);

    await service.markRead(reader.id, second);
    const readAt = (await rowOf(t.db, second))?.read_at;
    expect(readAt).toBeInstanceOf(Date);
    await service.markRead(reader.id, second);
    expect((await rowOf(t.db, second))?.read_at).toEqual(readAt);
    expect(await service.unreadCount(reader.id)).toBe(2);

    expect(await service.markAllRead(reader.id)).toBe(2);
    expect(await service.unreadCount(reader.id)).toBe(0);
  });

  it("refuses to mark someone else's notification read, as not found", async () => {
    const id = await notify(chinese.id, { email: false });
    await expect(service.markRead(english.id, id)).rejects.toMatchObject({ code: 'NOTIFICATION_NOT_FOUND', status: 404 });
    await expect(service.markRead(english.id, 'not-a-uuid')).rejects.toMatchObject({ code: 'NOTIFICATION_NOT_FOUND' });
    expect((await rowOf(t.db, id))?.read_at).toBeNull();
  });

  it('refuses what a calling module got wrong, saying what to fix', async () => {
    await expect(notify(english.id, { kind: 'certificates.notice.noSuchKind' })).rejects.toMatchObject({
      code: 'NOTIFICATION_INVALID',
      params: { reason: expect.stringContaining('zh-CN: certificates.notice.noSuchKind.title') },
    });
    await expect(notify(english.id, { kind: 'Not a kind' })).rejects.toMatchObject({ params: { reason: expect.stringContaining('dotted i18n key prefix') } });
    await expect(notify(english.id, { link: '//evil.example' })).rejects.toMatchObject({ params: { reason: expect.stringContaining('must be an app path') } });
    await expect(notify(english.id, { params: { 'bad name': 'x' } })).rejects.toMatchObject({ params: { reason: expect.stringContaining('parameter name') } });
    await expect(notify('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ params: { reason: expect.stringContaining('does not exist') } });
  });

  it('does not email a deactivated reader and says why', async () => {
    const gone = await makeUser(t.app, 'candidate');
    await t.db.query(`UPDATE users SET active = false WHERE id = $1`, [gone.id]);
    const id = await notify(gone.id);
    const row = await eventually(async () => {
      const r = await rowOf(t.db, id);
      return r?.email_status === 'none' ? r : null;
    });
    expect(row.email_error).toBe('the recipient account is deactivated');
    expect(smtp.messages.some((m) => m.to.includes(gone.email))).toBe(false);
  });
});

describe('notifications without SMTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
  });
  afterAll(async () => t.close());

  it('stays in-app: no email job, status none', async () => {
    const user = await makeUser(t.app, 'candidate');
    const service = t.app.get(NotificationsService);
    const id = await t.db.transaction((manager) => service.notify(manager, { userId: user.id, kind: 'notifications.kinds.test', params: { name: 'x' } }));
    expect((await rowOf(t.db, id))?.email_status).toBe('none');
    expect(await outboxRowsFor(t.db, id)).toEqual([]);
    expect((await service.list(user.id, 'zh-CN', { page: 1, perPage: 25 })).items).toEqual([expect.objectContaining({ id, title: '测试通知', unread: true, emailStatus: 'none' })]);
  });
});

describe('notifications when the SMTP server is down', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A port nothing listens on: every connection is refused.
    const smtp = await startSmtpServer();
    await smtp.stop();
    t = await startTestApp({ roles: { web: true, worker: true }, env: { SMTP_URL: `smtp://user:topsecret@127.0.0.1:${smtp.port}` } });
  });
  afterAll(async () => t.close());

  it('records the failure without the password, keeps the job for retry, and keeps the notification', async () => {
    const user = await makeUser(t.app, 'candidate');
    const service = t.app.get(NotificationsService);
    const id = await t.db.transaction((manager) => service.notify(manager, { userId: user.id, kind: 'notifications.kinds.test', params: { name: 'x' } }));
    const row = await eventually(async () => {
      const r = await rowOf(t.db, id);
      return r?.email_status === 'failed' ? r : null;
    });
    expect(row.email_error).toMatch(/ECONNREFUSED/);
    expect(row.email_error).not.toContain('topsecret');
    const job = await t.app.get(QueueService).queue('notifications').getJob(`notification.email-${id}`);
    expect(job).toBeDefined();
    expect(await job!.getState()).toBe('delayed');
    expect(await service.unreadCount(user.id)).toBe(1);
  });
});
