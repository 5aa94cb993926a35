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
