/**
 * Expiry reminders end to end over a real SMTP server: 60, 30 and 7 days before expiry, once
 * each, in-app and by email, in the holder's language — through the scheduled job's handler,
 * the outbox and the notification email job.
 */
import { QueueService } from '../../src/infra/queue/queue.service';
import { eventually } from '../support/exams';
import { makeCertifiedUser } from '../support/factories';
import { startSmtpServer, TestSmtpServer } from '../support/smtp';
import { startTestApp, TestApp } from '../support/app';

describe('certificate expiry reminders over SMTP', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ roles: { web: true, worker: true }, env: { SMTP_URL: smtp.url } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('emails the 60-, 30- and 7-day reminders once each, as the daily job runs', async () => {
    const { user, certificateId, serial } = await makeCertifiedUser(t.app, { name: 'Reminder Holder' });
    // Emails are written in the reader's language.
    await t.db.query(`UPDATE users SET locale = 'en' WHERE id = $1`, [user.id]);
    await smtp.waitForMessage((m) => m.to.includes(user.email) && m.subject.includes(serial));
    smtp.clear();

    const queues = t.app.get(QueueService);
    let run = 0;
    const runDailyJob = async () => {
      const before = await queues.queue('certificates').getCompletedCount();
      await queues.enqueue('certificate.remindExpiring', {}, { jobId: `remind-test-${certificateId}-${++run}` });
      await eventually(async () => (await queues.queue('certificates').getCompletedCount()) > before);
    };
    const setDaysLeft = (days: number) => t.db.query(`UPDATE certificates SET expires_at = now() + make_interval(secs => $2) WHERE id = $1`, [certificateId, days * 86400 - 600]);

    for (const days of [60, 30, 7]) {
      await setDaysLeft(days);
      await runDailyJob();
      await runDailyJob();
      const mail = await smtp.waitForMessage((m) => m.to.includes(user.email) && m.subject.includes(`expires in ${days} days`));
      expect(mail.subject).toContain(`Your certificate ${serial} expires in ${days} days`);
      expect(mail.text).toContain('renewal exam');
    }
    // Give any duplicate a chance to arrive before counting.
    await new Promise((r) => setTimeout(r, 1500));
    const reminderMails = smtp.messages.filter((m) => m.to.includes(user.email) && /expires in \d+ days/.test(m.subject));
    expect(reminderMails.map((m) => m.subject.match(/in (\d+) days/)![1])).toEqual(['60', '30', '7']);
    const inApp = await t.db.query(`SELECT params, email_status FROM notifications WHERE user_id = $1 AND kind = 'certificates.notice.expiring' ORDER BY created_at`, [user.id]);
    expect(inApp.map((n: { params: { days: number } }) => n.params.days)).toEqual([60, 30, 7]);
    expect(inApp.every((n: { email_status: string }) => n.email_status === 'sent')).toBe(true);
  });
});
