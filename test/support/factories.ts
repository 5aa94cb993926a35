/** Rows for tests, made through the real services so every rule applies. */
import { INestApplicationContext } from '@nestjs/common';
import { Role } from '../../src/infra/http/access';
import { UsersService } from '../../src/modules/accounts/users.service';
import { OrganisationsService, SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { OrganisationType } from '../../src/modules/organisations/organisations.types';
import { ScoreEventsService } from '../../src/modules/score-events/score-events.service';
import { DataSource } from 'typeorm';

export const PASSWORD = 'correct-horse-battery';
let n = 0;

export async function makeOrganisation(app: INestApplicationContext, type: OrganisationType = 'isv', name?: string) {
  return app.get(OrganisationsService).create({ name: name ?? `Org ${++n} ${Date.now()}`, type }, SYSTEM_ACTOR);
}

export async function makeUser(app: INestApplicationContext, role: Role, organisationId: string | null = null, overrides: { email?: string; name?: string } = {}) {
  const id = ++n;
  const { user } = await app
    .get(UsersService)
    .create({ email: overrides.email ?? `${role}.${id}.${Date.now()}@test.example`, name: overrides.name ?? `${role} ${id}`, role, password: PASSWORD, organisationId }, SYSTEM_ACTOR);
  return user;
}

// ---- ISV scoring (isv-scoring) ----
const scoringExams = new WeakMap<object, string>();
let certificateCounter = 0;

/**
 * A certificate row for a person and its score event, in one transaction — what issuance does,
 * without sitting an exam. Returns the certificate id and the score event id.
 */
export async function issueScoredCertificate(
  app: INestApplicationContext,
  holder: { id: string; name: string; organisationId: string | null },
  options: { issuedAt?: Date; expiresAt?: Date } = {},
): Promise<{ certificateId: string; scoreEventId: string | null }> {
  const db = app.get(DataSource);
  let examId = scoringExams.get(db);
  if (!examId) {
    [{ id: examId }] = await db.query(
      `INSERT INTO exams (key, title, mode, status, time_limit_seconds, pass_mark_percent, attempts_allowed, cooldown_hours, requires_course, review_policy, grace_seconds, integrity_thresholds, published_at)
       VALUES ($1, '{"zh-CN":"认证考试","en":"Certification exam"}', 'certification', 'published', 3600, 60, NULL, 0, false, 'responses', 1, '{}', now()) RETURNING id`,
      [`scoring-exam-${Date.now()}-${++certificateCounter}`],
    );
    scoringExams.set(db, examId!);
  }
  const issuedAt = options.issuedAt ?? new Date();
  const expiresAt = options.expiresAt ?? new Date(issuedAt.getTime() + 2 * 365 * 24 * 3600 * 1000);
  const serialNo = ++certificateCounter;
  return db.transaction(async (manager) => {
    const [{ id: attemptId }] = await manager.query(
      `INSERT INTO attempts (exam_id, user_id, state, seed, score_percent, passed, decided_at) VALUES ($1, $2, 'passed', 1, 80, true, $3) RETURNING id`,
      [examId, holder.id, issuedAt],
    );
    const [{ id: certificateId }] = await manager.query(
      `INSERT INTO certificates (serial, holder_id, holder_name, exam_id, attempt_id, score_percent, issued_at, expires_at, verification_code)
       VALUES ($1, $2, $3, $4, $5, 80, $6, $7, $8) RETURNING id`,
      [`TMIC-NPP-T${process.pid}-${Date.now()}-${serialNo}`, holder.id, holder.name, examId, attemptId, issuedAt, expiresAt, `code-${process.pid}-${Date.now()}-${serialNo}`],
    );
    const scoreEventId = holder.organisationId
      ? await app.get(ScoreEventsService).record(manager, {
          organisationId: holder.organisationId,
          kind: 'certificate.issued',
          sourceType: 'certificate',
          sourceId: certificateId as string,
          userId: holder.id,
          occurredAt: issuedAt,
        })
      : null;
    return { certificateId: certificateId as string, scoreEventId };
  });
}

// ---- certificates ----
let certificationExamCounter = 0;

/** A published certification exam row (no blueprint: certificate tests do not sit it). `key` marks the renewal exam. */
export async function makeCertificationExam(app: INestApplicationContext, options: { key?: string; validityMonths?: number | null; mode?: 'practice' | 'certification' } = {}): Promise<string> {
  const [{ id }] = await app.get(DataSource).query(
    `INSERT INTO exams (key, title, mode, status, time_limit_seconds, pass_mark_percent, attempts_allowed, cooldown_hours, requires_course, review_policy, grace_seconds, integrity_thresholds, validity_months, published_at)
     VALUES ($1, '{"zh-CN":"新品策划师认证考试","en":"New-Product Planner certification exam"}', $2, 'published', 3600, 70, NULL, 0, false, 'score', 1, '{}', $3, now()) RETURNING id`,
    [options.key ?? `certification-exam-${Date.now()}-${++certificationExamCounter}`, options.mode ?? 'certification', options.validityMonths === undefined ? 24 : options.validityMonths],
  );
  return id as string;
}

/** An attempt the exams module has decided 'passed' (how issuance finds it), without sitting the exam. */
export async function makePassedAttempt(
  app: INestApplicationContext,
  userId: string,
  examId: string,
  options: { scorePercent?: number; submittedAt?: Date; decidedAt?: Date; state?: string } = {},
): Promise<string> {
  const decidedAt = options.decidedAt ?? new Date();
  const [{ id }] = await app.get(DataSource).query(
    `INSERT INTO attempts (exam_id, user_id, state, seed, submitted_at, submitted_by, score_points, max_points, score_percent, passed, decided_at)
     VALUES ($1, $2, $3, 1, $4, 'candidate', $5, 40, $6, true, $7) RETURNING id`,
    [examId, userId, options.state ?? 'passed', options.submittedAt ?? decidedAt, ((options.scorePercent ?? 85) * 40) / 100, options.scorePercent ?? 85, decidedAt],
  );
  return id as string;
}

/**
 * A person holding a certificate issued by the real issuance (serial, code, audit, score event,
 * notification), optionally with its dates moved (e.g. `expiresAt` in the past to test lapses).
 */
export async function makeCertifiedUser(
  app: INestApplicationContext,
  options: { role?: Role; organisationId?: string | null; expiresAt?: Date; name?: string } = {},
): Promise<{ user: Awaited<ReturnType<typeof makeUser>>; certificateId: string; serial: string; verificationCode: string }> {
  // Loaded lazily so test files that never certify anyone do not load the certificates module's code.
  const { CertificateLifecycleService } = await import('../../src/modules/certificates/certificate-lifecycle.service');
  const user = await makeUser(app, options.role ?? 'candidate', options.organisationId ?? null, options.name ? { name: options.name } : {});
  const examId = await makeCertificationExam(app);
  const attemptId = await makePassedAttempt(app, user.id, examId);
  const issued = await app.get(CertificateLifecycleService).issueForAttempt(attemptId);
  if (issued.outcome !== 'issued') throw new Error(`certificate not issued: ${JSON.stringify(issued)}`);
  const db = app.get(DataSource);
  if (options.expiresAt) {
    // Keep issued_at before expires_at (a table CHECK) when the expiry is moved into the past.
    await db.query(`UPDATE certificates SET issued_at = LEAST(issued_at, $2::timestamptz - interval '1 day'), expires_at = $2 WHERE id = $1`, [issued.certificateId, options.expiresAt]);
  }
  const [{ verification_code }] = await db.query(`SELECT verification_code FROM certificates WHERE id = $1`, [issued.certificateId]);
  return { user, certificateId: issued.certificateId, serial: issued.serial, verificationCode: verification_code as string };
}

// ---- projects ----
let projectCertificateCounter = 0;

/**
 * A certificate row for an existing person, inserted directly (with the exam and passed attempt
 * its foreign keys need): active, valid until `expiresAt` (default two years), so tests can move
 * it into the past or revoke it with one UPDATE.
 */
export async function makeCertificate(
  app: INestApplicationContext,
  holder: { id: string; name: string },
  options: { issuedAt?: Date; expiresAt?: Date } = {},
): Promise<{ certificateId: string; serial: string }> {
  const db = app.get(DataSource);
  const examId = await makeCertificationExam(app);
  const attemptId = await makePassedAttempt(app, holder.id, examId);
  const expiresAt = options.expiresAt ?? new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000);
  const issuedAt = options.issuedAt ?? new Date(Math.min(Date.now(), expiresAt.getTime() - 24 * 3600 * 1000));
  const n = ++projectCertificateCounter;
  const serial = `TMIC-NPP-P${process.pid}-${Date.now()}-${n}`;
  const [{ id }] = await db.query(
    `INSERT INTO certificates (serial, holder_id, holder_name, exam_id, attempt_id, score_percent, issued_at, expires_at, verification_code)
     VALUES ($1, $2, $3, $4, $5, 85, $6, $7, $8) RETURNING id`,
    [serial, holder.id, holder.name, examId, attemptId, issuedAt, expiresAt, `projects-code-${process.pid}-${Date.now()}-${n}`],
  );
  return { certificateId: id as string, serial };
}
