import { DataSource } from 'typeorm';
import { Outbox } from '../../src/infra/queue/outbox';
import { QueueService } from '../../src/infra/queue/queue.service';
import { CertificateLifecycleService } from '../../src/modules/certificates/certificate-lifecycle.service';
import { CertificatesService } from '../../src/modules/certificates/certificates.service';
import { addMonths } from '../../src/modules/certificates/domain/validity';
import { CredentialsService } from '../../src/modules/credentials/credentials.service';
import { ExamEligibility } from '../../src/modules/exams/exam-eligibility';
import { ExamsService } from '../../src/modules/exams/exams.service';
import { seedCertificatesDemo } from '../../src/modules/certificates/demo';
import { seedDemo } from '../../src/modules/demo/demo-data';
import { eventually } from '../support/exams';
import { makeCertificationExam, makeCertifiedUser, makeOrganisation, makePassedAttempt, makeUser } from '../support/factories';
import { startTestApp, TestApp } from '../support/app';

const DAY = 86_400_000;

describe('certificate lifecycle (real Postgres, Redis and BullMQ workers)', () => {
  let t: TestApp;
  let lifecycle: CertificateLifecycleService;
  let certificates: CertificatesService;
  let db: DataSource;
  let examId: string;
  let isvId: string;

  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    lifecycle = t.app.get(CertificateLifecycleService);
    certificates = t.app.get(CertificatesService);
    db = t.db;
    examId = await makeCertificationExam(t.app, { validityMonths: 24 });
    isvId = (await makeOrganisation(t.app, 'isv')).id;
  }, 120_000);
  afterAll(async () => t.close());

  const certificateRows = (attemptId: string) => db.query(`SELECT * FROM certificates WHERE attempt_id = $1`, [attemptId]);
  const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);
  const certificateOf = async (id: string) => (await db.query(`SELECT * FROM certificates WHERE id = $1`, [id]))[0];

  describe('issuance', () => {
    it('issues exactly one certificate when the job runs twice at the same time and is retried', async () => {
      const holder = await makeUser(t.app, 'candidate', isvId);
      const attemptId = await makePassedAttempt(t.app, holder.id, examId, { scorePercent: 82.5 });
      const outcomes = await Promise.all([lifecycle.issueForAttempt(attemptId), lifecycle.issueForAttempt(attemptId), lifecycle.issueForAttempt(attemptId)]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['exists', 'exists', 'issued']);
      // A retry after success changes nothing.
      expect((await lifecycle.issueForAttempt(attemptId)).outcome).toBe('exists');
      // And the real job, delivered twice under different job ids, still changes nothing.
      const queues = t.app.get(QueueService);
      await queues.enqueue('attempt.passed', { attemptId }, { jobId: `dup-a-${attemptId}` });
      await queues.enqueue('attempt.passed', { attemptId }, { jobId: `dup-b-${attemptId}` });
      await eventually(async () => (await queues.queue('certificates').getCompletedCount()) >= 2 || null);

      const rows = await certificateRows(attemptId);
      expect(rows).toHaveLength(1);
      const c = rows[0];
      expect(c).toMatchObject({ holder_id: holder.id, holder_name: holder.name, status: 'active', exam_id: examId, programme: 'TMIC-NPP' });
      expect(Number(c.score_percent)).toBe(82.5);
      expect(c.evidence).toMatchObject({ attemptId, scorePercent: 82.5, passMarkPercent: 70, validityMonths: 24, basis: 'first' });
      expect(c.verification_code).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(new Date(c.expires_at).toISOString()).toBe(addMonths(new Date(c.issued_at), 24).toISOString());
      expect(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'certificate.issued' AND target_id = $1`, [c.id])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM score_events WHERE kind = 'certificate.issued' AND source_id = $1 AND organisation_id = $2`, [c.id, isvId])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND kind = 'certificates.notice.issued'`, [holder.id])).toBe(1);
    });

    it('follows an attempt.passed announced through the outbox', async () => {
      const holder = await makeUser(t.app, 'candidate');
      const attemptId = await makePassedAttempt(t.app, holder.id, examId);
      await db.transaction((manager) => t.app.get(Outbox).add(manager, 'attempt.passed', { attemptId }, { jobId: `attempt.passed-${attemptId}` }));
      const [row] = await eventually(async () => {
        const rows = await certificateRows(attemptId);
        return rows.length ? rows : null;
      });
      expect(row.status).toBe('active');
      // Brand or unaffiliated people have no ISV: no score event.
      expect(await count(`SELECT count(*) AS n FROM score_events WHERE source_id = $1`, [row.id])).toBe(0);
    });

    it('numbers serials TMIC-NPP-<year>-<6 digits> per year, in sequence without gaps', async () => {
      const holders = await Promise.all([0, 1, 2].map(() => makeUser(t.app, 'candidate')));
      const decidedAt = new Date('2025-06-30T12:00:00Z');
      const attempts = await Promise.all(holders.map((h) => makePassedAttempt(t.app, h.id, examId, { decidedAt })));
      const issued = await Promise.all(attempts.map((a) => lifecycle.issueForAttempt(a)));
      const serials = issued.map((i) => (i.outcome === 'issued' ? i.serial : '')).sort();
      expect(serials).toEqual(['TMIC-NPP-2025-000001', 'TMIC-NPP-2025-000002', 'TMIC-NPP-2025-000003']);
      expect((await db.query(`SELECT last_value FROM certificate_serial_counters WHERE year = 2025`))[0].last_value).toBe(3);
      const thisYear = (await makeCertifiedUser(t.app)).serial;
      expect(thisYear).toMatch(new RegExp(`^TMIC-NPP-${new Date().getUTCFullYear()}-\\d{6}$`));
    });

    it('issues nothing for a practice exam, or for an attempt that is no longer passed', async () => {
      const holder = await makeUser(t.app, 'candidate');
      const practice = await makeCertificationExam(t.app, { mode: 'practice' });
      expect(await lifecycle.issueForAttempt(await makePassedAttempt(t.app, holder.id, practice))).toEqual({ outcome: 'skipped', reason: 'not_certification' });
      expect(await lifecycle.issueForAttempt(await makePassedAttempt(t.app, holder.id, examId, { state: 'invalidated' }))).toEqual({ outcome: 'skipped', reason: 'not_passed' });
      expect(await count(`SELECT count(*) AS n FROM certificates WHERE holder_id = $1`, [holder.id])).toBe(0);
    });

    it('uses the default validity when the exam sets none', async () => {
      const holder = await makeUser(t.app, 'candidate');
      const noValidity = await makeCertificationExam(t.app, { validityMonths: null });
      const issued = await lifecycle.issueForAttempt(await makePassedAttempt(t.app, holder.id, noValidity));
      const c = await certificateOf(issued.outcome === 'issued' ? issued.certificateId : '');
      expect(new Date(c.expires_at).toISOString()).toBe(addMonths(new Date(c.issued_at), t.config.certificates.defaultValidityMonths).toISOString());
    });
  });

  describe('expiry', () => {
    it('is invalid at once by the clock, and the daily job marks it expired once, with audit, score event and notice', async () => {
      const { user, certificateId } = await makeCertifiedUser(t.app, { organisationId: isvId });
      expect(await certificates.validCertificateFor(user.id)).toMatchObject({ id: certificateId, status: 'active' });
      await db.query(`UPDATE certificates SET issued_at = now() - interval '800 days', expires_at = now() - interval '1 minute' WHERE id = $1`, [certificateId]);

      expect(await certificates.validCertificateFor(user.id)).toBeNull();
      expect((await certificates.certificatesOf([user.id])).get(user.id)).toMatchObject({ id: certificateId, status: 'active', effectiveStatus: 'expired' });

      expect(await lifecycle.expireDue()).toBeGreaterThanOrEqual(1);
      expect((await certificateOf(certificateId)).status).toBe('expired');
      expect(await lifecycle.expireDue()).toBe(0);
      expect((await certificates.certificatesOf([user.id])).get(user.id)).toMatchObject({ status: 'expired', effectiveStatus: 'expired' });
      expect(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'certificate.expired' AND target_id = $1`, [certificateId])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM score_events WHERE kind = 'certificate.expired' AND source_id = $1`, [certificateId])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND kind = 'certificates.notice.expired'`, [user.id])).toBe(1);
    });

    it('runs as the scheduled job certificate.expireDue', async () => {
      const { certificateId } = await makeCertifiedUser(t.app, { expiresAt: new Date(Date.now() - 60_000) });
      await t.app.get(QueueService).enqueue('certificate.expireDue', {}, { jobId: `expire-now-${certificateId}` });
      await eventually(async () => (await certificateOf(certificateId)).status === 'expired');
    });

    it('registers the daily jobs as repeatable, in UTC', async () => {
      const schedulers = await t.app.get(QueueService).queue('certificates').getJobSchedulers();
      expect(schedulers.map((s) => [s.name, s.pattern, s.tz]).sort()).toEqual([
        ['certificate.expireDue', '10 0 * * *', 'UTC'],
        ['certificate.remindExpiring', '20 0 * * *', 'UTC'],
      ]);
    });
  });

  describe('revocation', () => {
    it('revokes on staff request with the reason, once, and the status list then carries it', async () => {
      const staff = await makeUser(t.app, 'platform_staff');
      const { user, certificateId, verificationCode } = await makeCertifiedUser(t.app, { organisationId: isvId });
      const principal = { id: staff.id, email: staff.email, name: staff.name, role: 'platform_staff' as const, organisationId: null, locale: 'en' as const, via: 'session' as const };
      const before = await certificates.credential(verificationCode);
      const revoked = await lifecycle.revokeByStaff(principal, certificateId, '  Exam content was leaked  ', { id: staff.id, label: staff.email });
      expect(revoked).toMatchObject({ status: 'revoked', revocationReason: 'Exam content was leaked' });
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect((await certificateOf(certificateId)).revoked_by).toBe(staff.id);
      await expect(lifecycle.revokeByStaff(principal, certificateId, 'again', { id: staff.id, label: staff.email })).rejects.toMatchObject({ code: 'ALREADY_REVOKED', status: 409 });
      await expect(lifecycle.revokeByStaff(principal, certificateId, '   ', { id: staff.id, label: staff.email })).rejects.toMatchObject({ code: 'REVOCATION_REASON_REQUIRED', status: 400 });
      expect(await certificates.validCertificateFor(user.id)).toBeNull();
      expect(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'certificate.revoked' AND target_id = $1 AND actor_id = $2`, [certificateId, staff.id])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM score_events WHERE kind = 'certificate.revoked' AND source_id = $1`, [certificateId])).toBe(1);
      expect((await db.query(`SELECT params FROM notifications WHERE user_id = $1 AND kind = 'certificates.notice.revoked'`, [user.id]))[0].params).toMatchObject({ reason: 'Exam content was leaked' });
      // The credential signed before the revocation now fails its status check.
      const credentials = t.app.get(CredentialsService);
      const verdict = await credentials.verify(before, { statusListCredential: await certificates.revocationStatusList() });
      expect(verdict).toMatchObject({ verified: false, revoked: true });
    });

    it('revokes automatically when the attempt behind it is invalidated, with the review reason', async () => {
      const reviewer = await makeUser(t.app, 'platform_staff');
      const { user, certificateId } = await makeCertifiedUser(t.app);
      const [{ attempt_id: attemptId }] = await db.query(`SELECT attempt_id FROM certificates WHERE id = $1`, [certificateId]);
      await db.query(`UPDATE attempts SET state = 'invalidated' WHERE id = $1`, [attemptId]);
      await db.query(
        `INSERT INTO attempt_events (attempt_id, kind, type, actor_id, from_state, to_state, reason) VALUES ($1, 'transition', 'invalidate', $2, 'passed', 'invalidated', 'phone used during the exam')`,
        [attemptId, reviewer.id],
      );
      await db.transaction((manager) => t.app.get(Outbox).add(manager, 'attempt.invalidated', { attemptId }, { jobId: `attempt.invalidated-${attemptId}-1` }));
      await eventually(async () => (await certificateOf(certificateId)).status === 'revoked');
      const c = await certificateOf(certificateId);
      expect(c.revocation_reason).toBe('attempt invalidated: phone used during the exam');
      expect(c.revoked_by).toBe(reviewer.id);
      expect(await certificates.validCertificateFor(user.id)).toBeNull();
      // Run again (a retried job): nothing more happens.
      expect(await lifecycle.revokeForInvalidatedAttempt(attemptId)).toBe('already');
      expect(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'certificate.revoked' AND target_id = $1`, [certificateId])).toBe(1);
    });

    it('leaves the certificate alone when the attempt was reopened before the job ran', async () => {
      const { certificateId } = await makeCertifiedUser(t.app);
      const [{ attempt_id: attemptId }] = await db.query(`SELECT attempt_id FROM certificates WHERE id = $1`, [certificateId]);
      await db.query(`UPDATE attempts SET state = 'under_review' WHERE id = $1`, [attemptId]);
      expect(await lifecycle.revokeForInvalidatedAttempt(attemptId)).toBe('not_invalidated');
      expect((await certificateOf(certificateId)).status).toBe('active');
    });
  });

  describe('renewal', () => {
    it('counts the new validity from the old expiry and supersedes the old certificate', async () => {
      const { user, certificateId: oldId } = await makeCertifiedUser(t.app, { organisationId: isvId });
      const oldExpiry = new Date(Date.now() + 30 * DAY);
      await db.query(`UPDATE certificates SET expires_at = $2 WHERE id = $1`, [oldId, oldExpiry]);
      const renewalExam = await makeCertificationExam(t.app, { validityMonths: 12 });
      const issued = await lifecycle.issueForAttempt(await makePassedAttempt(t.app, user.id, renewalExam));
      expect(issued.outcome).toBe('renewed');
      const fresh = await certificateOf(issued.outcome === 'renewed' ? issued.certificateId : '');
      const old = await certificateOf(oldId);
      expect(new Date(fresh.expires_at).toISOString()).toBe(addMonths(oldExpiry, 12).toISOString());
      expect(fresh.renews_id).toBe(oldId);
      expect(fresh.evidence.basis).toBe('renewal');
      expect(old).toMatchObject({ status: 'superseded', superseded_by_id: fresh.id });
      expect(await certificates.validCertificateFor(user.id)).toMatchObject({ id: fresh.id });
      expect((await certificates.certificatesOf([user.id])).get(user.id)).toMatchObject({ id: fresh.id, effectiveStatus: 'active' });
      expect(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'certificate.renewed' AND target_id = $1`, [fresh.id])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'certificate.superseded' AND target_id = $1`, [oldId])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM score_events WHERE kind = 'certificate.renewed' AND source_id = $1`, [fresh.id])).toBe(1);
    });

    it('limits the renewal exam to holders inside the window, and keeps holders outside it from re-sitting the certification exam', async () => {
      const renewalExamId = await makeCertificationExam(t.app, { key: 'tmic-planner-renewal' });
      const renewal = await t.app.get(ExamsService).get(renewalExamId);
      const initial = await t.app.get(ExamsService).get(examId);
      const eligibility = t.app.get(ExamEligibility);

      const newcomer = await makeUser(t.app, 'candidate');
      expect(await eligibility.check(newcomer.id, renewal)).toMatchObject({ eligible: false, reasonCode: 'NO_CERTIFICATE_TO_RENEW' });
      expect(await eligibility.check(newcomer.id, initial)).toMatchObject({ eligible: true });

      const { user: holder, certificateId } = await makeCertifiedUser(t.app);
      const early = await eligibility.check(holder.id, renewal);
      expect(early).toMatchObject({ eligible: false, reasonCode: 'RENEWAL_NOT_OPEN' });
      const [{ expires_at }] = await db.query(`SELECT expires_at FROM certificates WHERE id = $1`, [certificateId]);
      expect(early.retryAt!.toISOString()).toBe(new Date(new Date(expires_at).getTime() - t.config.certificates.renewalWindowDays * DAY).toISOString());
      expect(await eligibility.check(holder.id, initial)).toMatchObject({ eligible: false, reasonCode: 'ALREADY_CERTIFIED' });

      await db.query(`UPDATE certificates SET expires_at = now() + interval '20 days' WHERE id = $1`, [certificateId]);
      expect(await eligibility.check(holder.id, renewal)).toMatchObject({ eligible: true });
    });
  });

  describe('reminders', () => {
    it('reminds 60, 30 and 7 days before expiry, once each', async () => {
      const { user, certificateId } = await makeCertifiedUser(t.app);
      const setDaysLeft = (days: number) => db.query(`UPDATE certificates SET expires_at = now() + make_interval(secs => $2) WHERE id = $1`, [certificateId, days * 86400 - 3600]);
      const reminders = async () => (await db.query(`SELECT days_before FROM certificate_reminders WHERE certificate_id = $1 ORDER BY days_before DESC`, [certificateId])).map((r: { days_before: number }) => r.days_before);

      await setDaysLeft(75);
      await lifecycle.remindExpiring();
      expect(await reminders()).toEqual([]);
      for (const days of [60, 30, 7]) {
        await setDaysLeft(days);
        await lifecycle.remindExpiring();
        await lifecycle.remindExpiring();
      }
      expect(await reminders()).toEqual([60, 30, 7]);
      const notices = await db.query(`SELECT params FROM notifications WHERE user_id = $1 AND kind = 'certificates.notice.expiring' ORDER BY created_at`, [user.id]);
      expect(notices.map((n: { params: { days: number } }) => n.params.days)).toEqual([60, 30, 7]);
    });
  });

  describe('demo data', () => {
    it('certifies candidate1 and leaves candidate2 expiring inside the renewal window, once', async () => {
      await seedDemo(t.app);
      expect(await seedCertificatesDemo(t.app)).toEqual({ issued: 2 });
      expect(await seedCertificatesDemo(t.app)).toEqual({ issued: 0 });
      const rows = await db.query(
        `SELECT u.email, c.status, c.expires_at FROM certificates c JOIN users u ON u.id = c.holder_id WHERE u.email LIKE '%@demo.example' ORDER BY u.email`,
      );
      expect(rows.map((r: { email: string; status: string }) => [r.email, r.status])).toEqual([
        ['candidate1@demo.example', 'active'],
        ['candidate2@demo.example', 'active'],
      ]);
      const daysLeft = (r: { expires_at: Date }) => (new Date(r.expires_at).getTime() - Date.now()) / DAY;
      expect(daysLeft(rows[0])).toBeGreaterThan(250);
      expect(daysLeft(rows[1])).toBeGreaterThan(40);
      expect(daysLeft(rows[1])).toBeLessThan(50);
    });
  });
});
