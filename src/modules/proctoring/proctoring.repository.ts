import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import type { AttemptState } from '../exams/domain/attempt-state';
import type { LocalizedText } from '../question-banks/domain/question';
import {
  Appeal,
  AppealRow,
  AppealStatus,
  ConsoleRow,
  EssayQueueRow,
  IdentityCheck,
  MyRegistration,
  PersonRef,
  ReviewAttempt,
  ReviewRow,
  Sitting,
  SittingFilter,
} from './proctoring.types';

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
const num = (v: string | number | null) => (v === null ? null : Number(v));

interface SittingRow {
  id: string;
  exam_id: string;
  exam_title: LocalizedText;
  exam_mode: Sitting['examMode'];
  exam_status: Sitting['examStatus'];
  time_limit_seconds: number;
  title: string;
  opens_at: Date;
  closes_at: Date;
  capacity: number;
  access_code: string;
  auto_admit: boolean;
  stagger_seconds: number;
  created_at: Date;
  registered: string;
  proctors: PersonRef[];
}

const toSitting = (r: SittingRow): Sitting => ({
  id: r.id,
  examId: r.exam_id,
  examTitle: r.exam_title,
  examMode: r.exam_mode,
  examStatus: r.exam_status,
  timeLimitSeconds: r.time_limit_seconds,
  title: r.title,
  opensAt: r.opens_at,
  closesAt: r.closes_at,
  capacity: r.capacity,
  accessCode: r.access_code,
  autoAdmit: r.auto_admit,
  staggerSeconds: r.stagger_seconds,
  createdAt: r.created_at,
  registered: Number(r.registered),
  proctors: r.proctors,
});

const SITTING_SELECT = `
  SELECT s.id, s.exam_id, e.title AS exam_title, e.mode AS exam_mode, e.status AS exam_status, e.time_limit_seconds,
         s.title, s.opens_at, s.closes_at, s.capacity, s.access_code, s.auto_admit, s.stagger_seconds, s.created_at,
         (SELECT count(*) FROM attempts a WHERE a.sitting_id = s.id AND a.state <> 'withdrawn') AS registered,
         coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.name, 'email', u.email) ORDER BY u.name)
                     FROM sitting_proctors p JOIN users u ON u.id = p.user_id WHERE p.sitting_id = s.id), '[]'::json) AS proctors
    FROM sittings s JOIN exams e ON e.id = s.exam_id`;

const PHASE_WHERE: Record<SittingFilter, string> = {
  current: 's.closes_at > now()',
  upcoming: 's.opens_at > now()',
  open: 's.opens_at <= now() AND s.closes_at > now()',
  closed: 's.closes_at <= now()',
};

interface ConsoleSqlRow {
  id: string;
  sitting_id: string;
  user_id: string;
  name: string;
  email: string;
  organisation: string | null;
  state: AttemptState;
  registered_at: Date;
  admitted_at: Date | null;
  identity_check: IdentityCheck | null;
  not_before: Date | null;
  started_at: Date | null;
  deadline_at: Date | null;
  paused_at: Date | null;
  added_seconds: number;
  submitted_at: Date | null;
  flagged: boolean;
  flag_reasons: string[];
  last_seen_at: Date | null;
  time_multiplier: string;
  answered: string;
  total: string;
  signals: string;
}

const toConsoleRow = (r: ConsoleSqlRow): ConsoleRow => ({
  id: r.id,
  sittingId: r.sitting_id,
  userId: r.user_id,
  name: r.name,
  email: r.email,
  organisation: r.organisation,
  state: r.state,
  registeredAt: r.registered_at,
  admittedAt: r.admitted_at,
  identityCheck: r.identity_check,
  notBefore: r.not_before,
  startedAt: r.started_at,
  deadlineAt: r.deadline_at,
  pausedAt: r.paused_at,
  addedSeconds: r.added_seconds,
  submittedAt: r.submitted_at,
  flagged: r.flagged,
  flagReasons: r.flag_reasons,
  lastSeenAt: r.last_seen_at,
  timeMultiplier: Number(r.time_multiplier),
  answered: Number(r.answered),
  total: Number(r.total),
  signals: Number(r.signals),
});

// The console's one query: every attempt of the sitting with its answered count and signal
// count. Polled every 1–2 s per open console, so it reads only indexed rows of one sitting.
const CONSOLE_SELECT = `
  SELECT a.id, a.sitting_id, a.user_id, u.name, u.email, o.name AS organisation, a.state, a.registered_at, a.admitted_at, a.identity_check,
         a.not_before, a.started_at, a.deadline_at, a.paused_at, a.added_seconds, a.submitted_at, a.flagged, a.flag_reasons,
         a.last_seen_at, a.time_multiplier, c.answered, c.total, sg.signals
    FROM attempts a
    JOIN users u ON u.id = a.user_id
    LEFT JOIN organisations o ON o.id = u.organisation_id
    LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE i.response IS NOT NULL AND i.response <> 'null'::jsonb) AS answered, count(*) AS total
                         FROM attempt_items i WHERE i.attempt_id = a.id) c ON true
    LEFT JOIN LATERAL (SELECT count(*) AS signals FROM attempt_events ev WHERE ev.attempt_id = a.id AND ev.kind = 'signal') sg ON true`;

interface ReviewSqlRow {
  id: string;
  state: AttemptState;
  exam_id: string;
  user_id: string;
  name: string;
  email: string;
  organisation_id: string | null;
  organisation: string | null;
  exam_title: LocalizedText;
  pass_mark_percent: string;
  sitting_id: string | null;
  sitting_title: string | null;
  submitted_at: Date | null;
  score_percent: string | null;
  score_points: string | null;
  max_points: string | null;
  passed: boolean | null;
  flag_reasons: string[];
  identity_check: IdentityCheck | null;
  started_at: Date | null;
  deadline_at: Date | null;
  added_seconds: number;
  answered_count: number | null;
  decided_at: Date | null;
}

const toReviewAttempt = (r: ReviewSqlRow): ReviewAttempt => ({
  attemptId: r.id,
  state: r.state,
  examId: r.exam_id,
  userId: r.user_id,
  candidateName: r.name,
  candidateEmail: r.email,
  organisationId: r.organisation_id,
  organisation: r.organisation,
  examTitle: r.exam_title,
  passMarkPercent: Number(r.pass_mark_percent),
  sittingId: r.sitting_id,
  sittingTitle: r.sitting_title,
  submittedAt: r.submitted_at,
  scorePercent: num(r.score_percent),
  scorePoints: num(r.score_points),
  maxPoints: num(r.max_points),
  passed: r.passed,
  flagReasons: r.flag_reasons,
  identityCheck: r.identity_check,
  startedAt: r.started_at,
  deadlineAt: r.deadline_at,
  addedSeconds: r.added_seconds,
  answeredCount: r.answered_count,
  decidedAt: r.decided_at,
});

const REVIEW_SELECT = `
  SELECT a.id, a.state, a.exam_id, a.user_id, u.name, u.email, u.organisation_id, o.name AS organisation, e.title AS exam_title,
         e.pass_mark_percent, a.sitting_id, s.title AS sitting_title, a.submitted_at, a.score_percent, a.score_points, a.max_points,
         a.passed, a.flag_reasons, a.identity_check, a.started_at, a.deadline_at, a.added_seconds, a.answered_count, a.decided_at
    FROM attempts a
    JOIN users u ON u.id = a.user_id
    JOIN exams e ON e.id = a.exam_id
    LEFT JOIN organisations o ON o.id = u.organisation_id
    LEFT JOIN sittings s ON s.id = a.sitting_id`;

interface AppealSqlRow {
  id: string;
  attempt_id: string;
  reason: string;
  status: AppealStatus;
  resolution: string | null;
  resolved_by: string | null;
  resolved_by_name: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

const toAppeal = (r: AppealSqlRow): Appeal => ({
  id: r.id,
  attemptId: r.attempt_id,
  reason: r.reason,
  status: r.status,
  resolution: r.resolution,
  resolvedBy: r.resolved_by,
  resolvedByName: r.resolved_by_name,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
});

const APPEAL_SELECT = `
  SELECT p.id, p.attempt_id, p.reason, p.status, p.resolution, p.resolved_by, r.name AS resolved_by_name, p.created_at, p.resolved_at
    FROM attempt_appeals p LEFT JOIN users r ON r.id = p.resolved_by`;

/**
 * Every query of the proctoring module: sittings and their proctors, registrations (attempt
 * rows in state `registered`), the console snapshot, the review queue, appeals and the essay
 * queue. Attempt state changes themselves go through the exams module's AttemptsService.
 */
@Injectable()
export class ProctoringRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // ---- sittings -----------------------------------------------------------------------------

  async findSitting(id: string, manager?: EntityManager, lock = false): Promise<Sitting | null> {
    if (!isUuid(id)) return null;
    // FOR UPDATE OF s: registrations for one sitting queue behind each other (capacity).
    const rows: SittingRow[] = await this.m(manager).query(`${SITTING_SELECT} WHERE s.id = $1 ${lock ? 'FOR UPDATE OF s' : ''}`, [id]);
    return rows[0] ? toSitting(rows[0]) : null;
  }

  async listSittings(filter: { phase?: SittingFilter; proctorId?: string; examIds?: string[] }, page: PageRequest): Promise<{ items: Sitting[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = ['TRUE'];
    if (filter.phase) where.push(PHASE_WHERE[filter.phase]);
    if (filter.proctorId) {
      params.push(filter.proctorId);
      where.push(`EXISTS (SELECT 1 FROM sitting_proctors p WHERE p.sitting_id = s.id AND p.user_id = $${params.length})`);
    }
    if (filter.examIds) {
      params.push(filter.examIds);
      where.push(`s.exam_id = ANY($${params.length}::uuid[]) AND e.status = 'published' AND e.mode = 'certification'`);
    }
    const clause = where.join(' AND ');
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM sittings s JOIN exams e ON e.id = s.exam_id WHERE ${clause}`, params);
    // Closed sittings newest first; everything else by when it opens.
    const order = filter.phase === 'closed' ? 's.closes_at DESC' : 's.opens_at, s.title';
    const rows: SittingRow[] = await this.dataSource.query(`${SITTING_SELECT} WHERE ${clause} ORDER BY ${order}, s.id LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`, params);
    return { items: rows.map(toSitting), total: Number(n) };
  }

  async insertSitting(
    s: { examId: string; title: string; opensAt: Date; closesAt: Date; capacity: number; accessCode: string; autoAdmit: boolean; staggerSeconds: number; createdBy: string | null },
    manager: EntityManager,
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO sittings (exam_id, title, opens_at, closes_at, capacity, access_code, auto_admit, stagger_seconds, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
      [s.examId, s.title, s.opensAt, s.closesAt, s.capacity, s.accessCode, s.autoAdmit, s.staggerSeconds, s.createdBy],
    );
    return rows[0].id;
  }

  async updateSitting(
    id: string,
    s: { title: string; opensAt: Date; closesAt: Date; capacity: number; accessCode: string; autoAdmit: boolean; staggerSeconds: number },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE sittings SET title = $2, opens_at = $3, closes_at = $4, capacity = $5, access_code = $6, auto_admit = $7, stagger_seconds = $8 WHERE id = $1`,
      [id, s.title, s.opensAt, s.closesAt, s.capacity, s.accessCode, s.autoAdmit, s.staggerSeconds],
    );
  }

  async replaceProctors(sittingId: string, userIds: string[], manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM sitting_proctors WHERE sitting_id = $1 AND NOT (user_id = ANY($2::uuid[]))`, [sittingId, userIds]);
    await manager.query(`INSERT INTO sitting_proctors (sitting_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [sittingId, userIds]);
  }

  async isProctorOf(sittingId: string, userId: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await this.m(manager).query(`SELECT 1 FROM sitting_proctors WHERE sitting_id = $1 AND user_id = $2`, [sittingId, userId]);
    return rows.length > 0;
  }

  /** Active people with the proctor role, among the given ids (to check an assignment). */
  async activeProctorIds(ids: string[], manager?: EntityManager): Promise<string[]> {
    if (!ids.length) return [];
    const rows: { id: string }[] = await this.m(manager).query(`SELECT id FROM users WHERE id = ANY($1::uuid[]) AND role = 'proctor' AND active`, [ids]);
    return rows.map((r) => r.id);
  }

  /** Everyone who may be assigned to proctor a sitting, for the pick list. */
  async proctorOptions(): Promise<PersonRef[]> {
    return this.dataSource.query(`SELECT id, name, email FROM users WHERE role = 'proctor' AND active ORDER BY name LIMIT 1000`);
  }

  async certificationExamOptions(): Promise<{ id: string; title: LocalizedText; status: string }[]> {
    return this.dataSource.query(`SELECT id, title, status FROM exams WHERE mode = 'certification' AND status = 'published' ORDER BY created_at LIMIT 200`);
  }

  async countSeats(sittingId: string, manager: EntityManager): Promise<number> {
    const [{ n }]: { n: string }[] = await manager.query(`SELECT count(*) AS n FROM attempts WHERE sitting_id = $1 AND state <> 'withdrawn'`, [sittingId]);
    return Number(n);
  }

  // ---- registrations ------------------------------------------------------------------------

  async liveAttemptId(userId: string, examId: string, manager: EntityManager): Promise<{ id: string; sittingId: string | null } | null> {
    const rows: { id: string; sitting_id: string | null }[] = await manager.query(
      `SELECT id, sitting_id FROM attempts WHERE user_id = $1 AND exam_id = $2 AND state IN ('registered','admitted','in_progress','paused')`,
      [userId, examId],
    );
    return rows[0] ? { id: rows[0].id, sittingId: rows[0].sitting_id } : null;
  }

  /** A registration is an attempt row in state `registered`; the time multiplier is the person's accommodation. */
  async insertRegistration(r: { examId: string; userId: string; sittingId: string; seed: number }, manager: EntityManager): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO attempts (exam_id, user_id, sitting_id, state, seed, time_multiplier)
       SELECT $1, u.id, $3, 'registered', $4, u.time_multiplier FROM users u WHERE u.id = $2
       RETURNING id`,
      [r.examId, r.userId, r.sittingId, r.seed],
    );
    return rows[0].id;
  }

  /** Timeline entries the exams module has no method for (registration, appeals). */
  async insertAttemptEvent(
    e: { attemptId: string; kind: 'transition' | 'note'; type: string; actorId: string | null; from?: string | null; to?: string | null; reason?: string | null; detail?: Record<string, unknown> },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO attempt_events (attempt_id, kind, type, actor_id, from_state, to_state, reason, detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [e.attemptId, e.kind, e.type, e.actorId, e.from ?? null, e.to ?? null, e.reason ?? null, JSON.stringify(e.detail ?? {})],
    );
  }

  async setIdentityCheck(attemptId: string, check: IdentityCheck, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE attempts SET identity_check = $2, updated_at = now() WHERE id = $1`, [attemptId, JSON.stringify(check)]);
  }

  async myRegistrations(userId: string, limit = 50): Promise<MyRegistration[]> {
    const rows: {
      id: string;
      state: AttemptState;
      sitting_id: string;
      sitting_title: string;
      exam_id: string;
      exam_title: LocalizedText;
      opens_at: Date;
      closes_at: Date;
      auto_admit: boolean;
      not_before: Date | null;
      registered_at: Date;
      appeal_status: AppealStatus | null;
    }[] = await this.dataSource.query(
      `SELECT a.id, a.state, a.sitting_id, s.title AS sitting_title, a.exam_id, e.title AS exam_title, s.opens_at, s.closes_at, s.auto_admit,
              a.not_before, a.registered_at, p.status AS appeal_status
         FROM attempts a JOIN sittings s ON s.id = a.sitting_id JOIN exams e ON e.id = a.exam_id
         LEFT JOIN attempt_appeals p ON p.attempt_id = a.id
        WHERE a.user_id = $1 AND a.state <> 'withdrawn'
        ORDER BY a.created_at DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((r) => ({
      attemptId: r.id,
      state: r.state,
      sittingId: r.sitting_id,
      sittingTitle: r.sitting_title,
      examId: r.exam_id,
      examTitle: r.exam_title,
      opensAt: r.opens_at,
      closesAt: r.closes_at,
      autoAdmit: r.auto_admit,
      notBefore: r.not_before,
      registeredAt: r.registered_at,
      appealStatus: r.appeal_status,
    }));
  }

  // ---- the console --------------------------------------------------------------------------

  async consoleRows(sittingId: string): Promise<ConsoleRow[]> {
    const rows: ConsoleSqlRow[] = await this.dataSource.query(`${CONSOLE_SELECT} WHERE a.sitting_id = $1 ORDER BY (a.state = 'withdrawn'), u.name, a.created_at LIMIT 2000`, [sittingId]);
    return rows.map(toConsoleRow);
  }

  async consoleRow(attemptId: string, manager?: EntityManager): Promise<ConsoleRow | null> {
    if (!isUuid(attemptId)) return null;
    const rows: ConsoleSqlRow[] = await this.m(manager).query(`${CONSOLE_SELECT} WHERE a.id = $1`, [attemptId]);
    return rows[0] ? toConsoleRow(rows[0]) : null;
  }

  async userNames(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows: { id: string; name: string }[] = await this.dataSource.query(`SELECT id, name FROM users WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  // ---- review -------------------------------------------------------------------------------

  async reviewQueue(filter: { proctorId?: string }, page: PageRequest): Promise<{ items: ReviewRow[]; total: number }> {
    const params: unknown[] = [];
    const where = [`a.state = 'under_review'`];
    if (filter.proctorId) {
      params.push(filter.proctorId);
      where.push(`a.sitting_id IN (SELECT sitting_id FROM sitting_proctors WHERE user_id = $${params.length})`);
    }
    const clause = where.join(' AND ');
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM attempts a WHERE ${clause}`, params);
    const rows: ReviewSqlRow[] = await this.dataSource.query(
      `${REVIEW_SELECT} WHERE ${clause} ORDER BY a.submitted_at NULLS LAST, a.id LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      params,
    );
    return { items: rows.map(toReviewAttempt), total: Number(n) };
  }

  async reviewAttempt(attemptId: string, manager?: EntityManager): Promise<ReviewAttempt | null> {
    if (!isUuid(attemptId)) return null;
    const rows: ReviewSqlRow[] = await this.m(manager).query(`${REVIEW_SELECT} WHERE a.id = $1`, [attemptId]);
    return rows[0] ? toReviewAttempt(rows[0]) : null;
  }

  // ---- appeals ------------------------------------------------------------------------------

  async insertAppeal(attemptId: string, reason: string, manager: EntityManager): Promise<string> {
    const rows: { id: string }[] = await manager.query(`INSERT INTO attempt_appeals (attempt_id, reason) VALUES ($1, $2) RETURNING id`, [attemptId, reason]);
    return rows[0].id;
  }

  async appealOfAttempt(attemptId: string, manager?: EntityManager): Promise<Appeal | null> {
    if (!isUuid(attemptId)) return null;
    const rows: AppealSqlRow[] = await this.m(manager).query(`${APPEAL_SELECT} WHERE p.attempt_id = $1`, [attemptId]);
    return rows[0] ? toAppeal(rows[0]) : null;
  }

  async findAppeal(id: string, manager?: EntityManager, lock = false): Promise<Appeal | null> {
    if (!isUuid(id)) return null;
    const rows: AppealSqlRow[] = await this.m(manager).query(`${APPEAL_SELECT} WHERE p.id = $1 ${lock ? 'FOR UPDATE OF p' : ''}`, [id]);
    return rows[0] ? toAppeal(rows[0]) : null;
  }

  async resolveAppeal(id: string, status: Exclude<AppealStatus, 'open'>, resolution: string, resolvedBy: string, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE attempt_appeals SET status = $2, resolution = $3, resolved_by = $4, resolved_at = now() WHERE id = $1`, [id, status, resolution, resolvedBy]);
  }

  async listAppeals(filter: { status?: AppealStatus }, page: PageRequest): Promise<{ items: AppealRow[]; total: number }> {
    const params: unknown[] = [];
    const where = ['TRUE'];
    if (filter.status) {
      params.push(filter.status);
      where.push(`p.status = $${params.length}`);
    }
    const clause = where.join(' AND ');
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM attempt_appeals p WHERE ${clause}`, params);
    const rows: (AppealSqlRow & { candidate_name: string; candidate_email: string; exam_title: LocalizedText; attempt_state: AttemptState })[] = await this.dataSource.query(
      `SELECT p.id, p.attempt_id, p.reason, p.status, p.resolution, p.resolved_by, r.name AS resolved_by_name, p.created_at, p.resolved_at,
              u.name AS candidate_name, u.email AS candidate_email, e.title AS exam_title, a.state AS attempt_state
         FROM attempt_appeals p
         JOIN attempts a ON a.id = p.attempt_id JOIN users u ON u.id = a.user_id JOIN exams e ON e.id = a.exam_id
         LEFT JOIN users r ON r.id = p.resolved_by
        WHERE ${clause}
        ORDER BY (p.status = 'open') DESC, p.created_at LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      params,
    );
    return {
      items: rows.map((r) => ({ ...toAppeal(r), candidateName: r.candidate_name, candidateEmail: r.candidate_email, examTitle: r.exam_title, attemptState: r.attempt_state })),
      total: Number(n),
    };
  }

  // ---- essays -------------------------------------------------------------------------------

  async essayQueue(page: PageRequest): Promise<{ items: EssayQueueRow[]; total: number }> {
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM attempt_items WHERE grade_status = 'needs_human'`);
    const rows: { attempt_id: string; item_id: string; position: number; points: number; question_version_id: string; response: unknown; submitted_at: Date | null; exam_title: LocalizedText }[] =
      await this.dataSource.query(
        `SELECT i.attempt_id, i.item_id, i.position, i.points, i.question_version_id, i.response, a.submitted_at, e.title AS exam_title
           FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id JOIN exams e ON e.id = a.exam_id
          WHERE i.grade_status = 'needs_human'
          ORDER BY a.submitted_at NULLS LAST, i.attempt_id, i.position LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      );
    return {
      items: rows.map((r) => ({
        attemptId: r.attempt_id,
        itemId: r.item_id,
        position: r.position,
        points: r.points,
        questionVersionId: r.question_version_id,
        response: r.response,
        submittedAt: r.submitted_at,
        examTitle: r.exam_title,
      })),
      total: Number(n),
    };
  }
}
