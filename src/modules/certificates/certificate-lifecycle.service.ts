import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { Principal } from '../../infra/http/access';
import { AuditService } from '../audit/audit.service';
import { AuditAction } from '../audit/audit.types';
import { NotificationsService } from '../notifications/notifications.service';
import { ScoreEventsService } from '../score-events/score-events.service';
import { ScoreEventKind } from '../score-events/score-events.types';
import { CertificateEvent, nextStatus } from './domain/certificate-state';
import { formatSerial } from './domain/serial';
import { daysUntil, dueReminder, planValidity, REMINDER_DAYS } from './domain/validity';
import { CertificatesError } from './certificates.errors';
import { CertificatesRepository, DecidedAttemptRow } from './certificates.repository';
import { CertificateRecord } from './certificates.types';

/** Who asked for a change: a person (staff) or the system (a job). */
export interface LifecycleActor {
  id: string | null;
  label: string;
  ip?: string | null;
  requestId?: string | null;
}

export const SYSTEM: LifecycleActor = { id: null, label: 'system' };

export const REVOCATION_REASON_MAX = 1000;
const EXPIRY_BATCH = 200;
const REMINDER_BATCH = 500;

export type IssueOutcome =
  | { outcome: 'issued' | 'renewed' | 'replaced'; certificateId: string; serial: string }
  | { outcome: 'exists'; certificateId: string; serial: string }
  | { outcome: 'skipped'; reason: 'attempt_missing' | 'not_passed' | 'not_certification' };

/**
 * Every change of a certificate's state: issue (or renew) on a pass, revoke (staff, or the attempt
 * invalidated), expire, remind. Each use case is one transaction holding the change, its audit
 * entry, its score event (through the outbox) and the holder's notification; transitions follow
 * domain/certificate-state.ts. Everything here is safe to run twice: jobs retry.
 */
@Injectable()
export class CertificateLifecycleService {
  private readonly logger = new Logger('certificates');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: CertificatesRepository,
    private readonly audit: AuditService,
    private readonly scoreEvents: ScoreEventsService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Issues the certificate an attempt earned — exactly once (the holder is locked for the
   * transaction, and attempt_id is UNIQUE with ON CONFLICT DO NOTHING besides). A pass inside the
   * renewal window of the holder's current certificate renews it.
   */
  async issueForAttempt(attemptId: string): Promise<IssueOutcome> {
    const peek = await this.repository.findDecidedAttempt(attemptId);
    if (!peek) return { outcome: 'skipped', reason: 'attempt_missing' };
    if (peek.exam_mode !== 'certification') return { outcome: 'skipped', reason: 'not_certification' };
    return this.repository.dataSource.transaction(async (manager) => {
      await this.repository.lockHolder(peek.user_id, manager);
      const existing = await this.repository.findByAttempt(attemptId, manager);
      if (existing) return { outcome: 'exists', certificateId: existing.id, serial: existing.serial };
      // Re-read under the lock: the attempt may have been invalidated since the job was queued.
      const attempt = await this.repository.findDecidedAttempt(attemptId, manager);
      if (!attempt || attempt.state !== 'passed') return { outcome: 'skipped', reason: 'not_passed' };
      return this.issue(attempt, manager);
    });
  }

  private async issue(attempt: DecidedAttemptRow, manager: EntityManager): Promise<IssueOutcome> {
    const issuedAt = attempt.decided_at ?? new Date();
    const submittedAt = attempt.submitted_at ?? issuedAt;
    const validityMonths = attempt.validity_months ?? this.config.certificates.defaultValidityMonths;
    const current = await this.repository.findCurrentForUpdate(attempt.user_id, manager);
    const plan = planValidity({
      issuedAt,
      validityMonths,
      windowDays: this.config.certificates.renewalWindowDays,
      submittedAt,
      predecessor: current ? { id: current.id, status: current.status, expiresAt: current.expiresAt } : null,
    });
    const serial = formatSerial(issuedAt.getUTCFullYear(), await this.repository.nextSerialNumber(issuedAt.getUTCFullYear(), manager));
    const scorePercent = Number(attempt.score_percent ?? 0);
    const certificateId = await this.repository.insertCertificate(
      {
        serial,
        holderId: attempt.user_id,
        holderName: attempt.holder_name,
        examId: attempt.exam_id,
        attemptId: attempt.attempt_id,
        scorePercent,
        issuedAt,
        expiresAt: plan.expiresAt,
        // 192 random bits, URL-safe: the code is the only key to the public record.
        verificationCode: randomBytes(24).toString('base64url'),
        renewsId: plan.kind === 'renewal' ? plan.supersedesId : null,
        evidence: {
          attemptId: attempt.attempt_id,
          examId: attempt.exam_id,
          examKey: attempt.exam_key,
          sittingId: attempt.sitting_id,
          scorePercent,
          scorePoints: attempt.score_points === null ? null : Number(attempt.score_points),
          maxPoints: attempt.max_points === null ? null : Number(attempt.max_points),
          passMarkPercent: Number(attempt.pass_mark_percent),
          submittedAt: attempt.submitted_at?.toISOString() ?? null,
          decidedAt: attempt.decided_at?.toISOString() ?? null,
          validityMonths,
          basis: plan.kind,
        },
      },
      manager,
    );
    // The holder lock makes a conflict impossible; if it ever happens, roll back rather than burn a serial.
    if (!certificateId) throw new Error(`certificate for attempt ${attempt.attempt_id} already exists`);
    const organisationId = await this.scoreEvents.isvOf(manager, attempt.user_id);
    const action: AuditAction = plan.kind === 'renewal' ? 'certificate.renewed' : 'certificate.issued';
    await this.audit.record(
      {
        action,
        actorId: null,
        actorLabel: SYSTEM.label,
        targetType: 'certificate',
        targetId: certificateId,
        targetLabel: serial,
        organisationId,
        detail: { holderId: attempt.user_id, attemptId: attempt.attempt_id, expiresAt: plan.expiresAt.toISOString(), basis: plan.kind, renews: plan.supersedesId },
      },
      manager,
    );
    if (organisationId) {
      await this.scoreEvents.record(manager, {
        organisationId,
        kind: plan.kind === 'renewal' ? 'certificate.renewed' : 'certificate.issued',
        sourceType: 'certificate',
        sourceId: certificateId,
        userId: attempt.user_id,
        occurredAt: issuedAt,
        detail: { serial, expiresAt: plan.expiresAt.toISOString(), renews: plan.supersedesId },
      });
    }
    if (plan.supersedesId) {
      await this.transition(plan.supersedesId, 'supersede', manager, SYSTEM, { supersededById: certificateId, reason: `${plan.kind}: ${serial}` });
    }
    await this.notifications.notify(manager, {
      userId: attempt.user_id,
      kind: plan.kind === 'renewal' ? 'certificates.notice.renewed' : 'certificates.notice.issued',
      params: { serial, expiresAt: plan.expiresAt.toISOString().slice(0, 10) },
      link: `/certificates/${certificateId}`,
      email: true,
    });
    const outcome = plan.kind === 'renewal' ? 'renewed' : plan.kind === 'replacement' ? 'replaced' : 'issued';
    return { outcome, certificateId, serial };
  }

  /** The attempt behind a certificate was invalidated: the certificate is revoked with the review's reason. */
  async revokeForInvalidatedAttempt(attemptId: string): Promise<'revoked' | 'none' | 'already' | 'not_invalidated'> {
    return this.repository.dataSource.transaction(async (manager) => {
      const attempt = await this.repository.findDecidedAttempt(attemptId, manager);
      // An upheld appeal may have reopened the attempt before this job ran: only act on the state now.
      if (!attempt || attempt.state !== 'invalidated') return 'not_invalidated';
      await this.repository.lockHolder(attempt.user_id, manager);
      const certificate = await this.repository.findByAttempt(attemptId, manager);
      if (!certificate) return 'none';
      if (certificate.status === 'revoked') return 'already';
      const why = await this.repository.invalidationReason(attemptId, manager);
      const reason = `attempt invalidated: ${why?.reason ?? 'no reason recorded'}`.slice(0, REVOCATION_REASON_MAX);
      await this.transition(certificate.id, 'revoke', manager, { id: null, label: SYSTEM.label }, { reason, revokedBy: why?.actorId ?? null });
      return 'revoked';
    });
  }

  /** Staff revoke a certificate; the reason is required and shown on the holder's notice and in the audit log. */
  async revokeByStaff(principal: Principal, certificateId: string, reasonInput: unknown, actor: LifecycleActor): Promise<CertificateRecord> {
    const reason = typeof reasonInput === 'string' ? reasonInput.trim() : '';
    if (!reason) throw new CertificatesError('REVOCATION_REASON_REQUIRED', {}, { reason: ['certificates.errors.REVOCATION_REASON_REQUIRED'] });
    if (reason.length > REVOCATION_REASON_MAX) {
      throw new CertificatesError('REVOCATION_REASON_REQUIRED', {}, { reason: ['certificates.validation.reasonTooLong'] });
    }
    return this.repository.dataSource.transaction(async (manager) => {
      const certificate = await this.repository.findById(certificateId, manager);
      if (!certificate) throw new CertificatesError('CERTIFICATE_NOT_FOUND');
      await this.repository.lockHolder(certificate.holderId, manager);
      const done = await this.transition(certificateId, 'revoke', manager, actor, { reason, revokedBy: principal.id });
      if (!done) throw new CertificatesError('ALREADY_REVOKED', { serial: certificate.serial });
      return (await this.repository.findById(certificateId, manager))!;
    });
  }

  /** The daily job: active certificates past their expiry become 'expired'. Returns how many. */
  async expireDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.repository.dataSource.transaction(async (manager) => {
        const ids = await this.repository.lockDueForExpiry(EXPIRY_BATCH, manager);
        for (const id of ids) await this.transition(id, 'expire', manager, SYSTEM, {});
        return ids.length;
      });
      total += count;
      if (count < EXPIRY_BATCH) break;
    }
    if (total) this.logger.log(`expired ${total} certificate(s)`);
    return total;
  }

  /**
   * The daily reminder run: each active certificate gets the 60-, 30- and 7-day reminders once
   * each (certificate_reminders' primary key), in-app and by email. Returns how many were sent.
   */
  async remindExpiring(now = new Date()): Promise<number> {
    let sent = 0;
    let cursor: string | null = null;
    for (;;) {
      const batch = await this.repository.expiringWithin(Math.max(...REMINDER_DAYS), cursor, REMINDER_BATCH);
      for (const candidate of batch) {
        const days = dueReminder(candidate.expiresAt, now);
        if (days === null || candidate.sentDays.includes(days)) continue;
        if (await this.sendReminder(candidate.id, days, now)) sent++;
      }
      if (batch.length < REMINDER_BATCH) break;
      cursor = batch[batch.length - 1].id;
    }
    if (sent) this.logger.log(`sent ${sent} expiry reminder(s)`);
    return sent;
  }

  private async sendReminder(certificateId: string, days: number, now: Date): Promise<boolean> {
    return this.repository.dataSource.transaction(async (manager) => {
      if (!(await this.repository.recordReminder(certificateId, days, manager))) return false;
      const certificate = await this.repository.findById(certificateId, manager);
      if (!certificate || certificate.status !== 'active') return false;
      await this.notifications.notify(manager, {
        userId: certificate.holderId,
        kind: 'certificates.notice.expiring',
        params: { serial: certificate.serial, days: daysUntil(certificate.expiresAt, now), expiresAt: certificate.expiresAt.toISOString().slice(0, 10) },
        link: `/certificates/${certificate.id}`,
        email: true,
      });
      return true;
    });
  }

  /**
   * One transition by the table, with its audit entry, score event and the holder's notice.
   * Returns false when the certificate's state did not allow it (e.g. already revoked).
   */
  private async transition(
    certificateId: string,
    event: CertificateEvent,
    manager: EntityManager,
    actor: LifecycleActor,
    extra: { reason?: string; revokedBy?: string | null; supersededById?: string },
  ): Promise<boolean> {
    const before = await this.repository.findById(certificateId, manager);
    if (!before) return false;
    const to = nextStatus(before.status, event);
    if (!to) return false;
    const at = new Date();
    if (!(await this.repository.applyTransition(certificateId, event, to, manager, { ...extra, at }))) return false;
    const organisationId = await this.scoreEvents.isvOf(manager, before.holderId);
    const action = AUDIT_ACTION_OF[event];
    await this.audit.record(
      {
        action,
        actorId: actor.id,
        actorLabel: actor.label,
        targetType: 'certificate',
        targetId: certificateId,
        targetLabel: before.serial,
        organisationId,
        ip: actor.ip ?? null,
        requestId: actor.requestId ?? null,
        detail: { holderId: before.holderId, from: before.status, to, reason: extra.reason ?? null, supersededBy: extra.supersededById ?? null },
      },
      manager,
    );
    if (organisationId) {
      await this.scoreEvents.record(manager, {
        organisationId,
        kind: SCORE_KIND_OF[event],
        sourceType: 'certificate',
        sourceId: certificateId,
        userId: before.holderId,
        occurredAt: at,
        detail: { serial: before.serial, from: before.status, to },
      });
    }
    // A renewal already tells the holder about the new certificate; the superseded one needs no notice of its own.
    if (event !== 'supersede') {
      await this.notifications.notify(manager, {
        userId: before.holderId,
        kind: event === 'expire' ? 'certificates.notice.expired' : 'certificates.notice.revoked',
        params: { serial: before.serial, reason: extra.reason ?? '', expiresAt: before.expiresAt.toISOString().slice(0, 10) },
        link: `/certificates/${certificateId}`,
        email: true,
      });
    }
    return true;
  }
}

const AUDIT_ACTION_OF: Record<CertificateEvent, AuditAction> = {
  expire: 'certificate.expired',
  revoke: 'certificate.revoked',
  supersede: 'certificate.superseded',
};

const SCORE_KIND_OF: Record<CertificateEvent, ScoreEventKind> = {
  expire: 'certificate.expired',
  revoke: 'certificate.revoked',
  supersede: 'certificate.superseded',
};
