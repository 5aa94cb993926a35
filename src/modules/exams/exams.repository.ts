import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { LocalizedText } from '../question-banks/domain/question';
import type { AttemptState } from './domain/attempt-state';
import { Attempt, AttemptItemRow, Exam, ExamSection } from './exams.types';

interface ExamRow {
  id: string;
  key: string | null;
  title: LocalizedText;
  description: LocalizedText | null;
  mode: Exam['mode'];
  status: Exam['status'];
  time_limit_seconds: number;
  pass_mark_percent: string;
  attempts_allowed: number | null;
  cooldown_hours: number;
  requires_course: boolean;
  shuffle_questions: boolean;
  shuffle_options: boolean;
  review_policy: Exam['reviewPolicy'];
  review_from: Exam['reviewFrom'];
  validity_months: number | null;
  grace_seconds: number;
  integrity_thresholds: Exam['integrityThresholds'];
  published_at: Date | null;
}

const toExam = (r: ExamRow): Exam => ({
  id: r.id,
  key: r.key,
  title: r.title,
  description: r.description,
  mode: r.mode,
  status: r.status,
  timeLimitSeconds: r.time_limit_seconds,
  passMarkPercent: Number(r.pass_mark_percent),
  attemptsAllowed: r.attempts_allowed,
  cooldownHours: r.cooldown_hours,
  requiresCourse: r.requires_course,
  shuffleQuestions: r.shuffle_questions,
  shuffleOptions: r.shuffle_options,
  reviewPolicy: r.review_policy,
  reviewFrom: r.review_from,
  validityMonths: r.validity_months,
  graceSeconds: r.grace_seconds,
  integrityThresholds: r.integrity_thresholds,
  publishedAt: r.published_at,
});

interface AttemptRow {
  id: string;
  exam_id: string;
  user_id: string;
  sitting_id: string | null;
  state: AttemptState;
  seed: number;
  time_multiplier: string;
  started_at: Date | null;
  deadline_at: Date | null;
  paused_at: Date | null;
  added_seconds: number;
  submitted_at: Date | null;
  submitted_by: string | null;
  receipt_sha256: string | null;
  answered_count: number | null;
  score_points: string | null;
  max_points: string | null;
  score_percent: string | null;
  passed: boolean | null;
  topic_scores: Attempt['topicScores'];
  flagged: boolean;
  flag_reasons: string[];
  client_session: string | null;
  last_ip: string | null;
  last_seen_at: Date | null;
  not_before: Date | null;
  created_at: Date;
}

const num = (v: string | null) => (v === null ? null : Number(v));
export const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  examId: r.exam_id,
  userId: r.user_id,
  sittingId: r.sitting_id,
  state: r.state,
  seed: r.seed,
  timeMultiplier: Number(r.time_multiplier),
  startedAt: r.started_at,
  deadlineAt: r.deadline_at,
  pausedAt: r.paused_at,
  addedSeconds: r.added_seconds,
  submittedAt: r.submitted_at,
  submittedBy: r.submitted_by,
  receiptSha256: r.receipt_sha256,
  answeredCount: r.answered_count,
  scorePoints: num(r.score_points),
  maxPoints: num(r.max_points),
  scorePercent: num(r.score_percent),
  passed: r.passed,
  topicScores: r.topic_scores,
  flagged: r.flagged,
  flagReasons: r.flag_reasons,
  clientSession: r.client_session,
  lastIp: r.last_ip,
  lastSeenAt: r.last_seen_at,
  notBefore: r.not_before,
  createdAt: r.created_at,
});

interface ItemRow {
  position: number;
  item_id: string;
  section_id: string;
  question_id: string;
  question_version_id: string;
  points: number;
  topic: string;
  response: unknown;
  seq: string;
  saved_at: Date | null;
  marked: boolean;
  credit: string | null;
  grade_status: string | null;
}

const toItem = (r: ItemRow): AttemptItemRow => ({
  position: r.position,
  itemId: r.item_id,
  sectionId: r.section_id,
  questionId: r.question_id,
  questionVersionId: r.question_version_id,
  points: r.points,
  topic: r.topic,
  response: r.response,
  seq: Number(r.seq),
  savedAt: r.saved_at,
  marked: r.marked,
  credit: num(r.credit),
  gradeStatus: r.grade_status,
});

export type SaveOutcome =
  | { kind: 'saved'; seq: number; savedAt: Date }
  | { kind: 'stale'; seq: number; savedAt: Date | null }
  | { kind: 'refused'; state: AttemptState | null; reason: 'not_found' | 'not_in_progress' | 'deadline_passed' | 'session_replaced' | 'signed_out' };

@Injectable()
export class ExamsRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // ---- exams -------------------------------------------------------------------------------

  async findExam(id: string, manager?: EntityManager): Promise<Exam | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: ExamRow[] = await this.m(manager).query(`SELECT * FROM exams WHERE id = $1`, [id]);
    return rows[0] ? toExam(rows[0]) : null;
  }

  async findExamByKey(key: string, manager?: EntityManager): Promise<Exam | null> {
    const rows: ExamRow[] = await this.m(manager).query(`SELECT * FROM exams WHERE key = $1`, [key]);
    return rows[0] ? toExam(rows[0]) : null;
  }

  async listExams(status?: Exam['status']): Promise<Exam[]> {
    const rows: ExamRow[] = await this.dataSource.query(
      `SELECT * FROM exams ${status ? 'WHERE status = $1' : ''} ORDER BY mode, created_at LIMIT 500`,
      status ? [status] : [],
    );
    return rows.map(toExam);
  }

  async upsertExam(exam: Omit<Exam, 'id' | 'publishedAt'> & { id?: string }, manager: EntityManager): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO exams (key, title, description, mode, status, time_limit_seconds, pass_mark_percent, attempts_allowed, cooldown_hours,
                          requires_course, shuffle_questions, shuffle_options, review_policy, review_from, validity_months, grace_seconds,
                          integrity_thresholds, published_at)
       VALUES ($1,$2,$3,$4,$5::varchar,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17, CASE WHEN $5::varchar = 'published' THEN now() END)
       ON CONFLICT (key) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description, mode = EXCLUDED.mode,
             time_limit_seconds = EXCLUDED.time_limit_seconds, pass_mark_percent = EXCLUDED.pass_mark_percent,
             attempts_allowed = EXCLUDED.attempts_allowed, cooldown_hours = EXCLUDED.cooldown_hours, requires_course = EXCLUDED.requires_course,
             shuffle_questions = EXCLUDED.shuffle_questions, shuffle_options = EXCLUDED.shuffle_options, review_policy = EXCLUDED.review_policy,
             review_from = EXCLUDED.review_from, validity_months = EXCLUDED.validity_months, grace_seconds = EXCLUDED.grace_seconds,
             integrity_thresholds = EXCLUDED.integrity_thresholds, updated_at = now()
       RETURNING id`,
      [
        exam.key,
        JSON.stringify(exam.title),
        exam.description ? JSON.stringify(exam.description) : null,
        exam.mode,
        exam.status,
        exam.timeLimitSeconds,
        exam.passMarkPercent,
        exam.attemptsAllowed,
        exam.cooldownHours,
        exam.requiresCourse,
        exam.shuffleQuestions,
        exam.shuffleOptions,
        exam.reviewPolicy,
        exam.reviewFrom,
        exam.validityMonths,
        exam.graceSeconds,
        JSON.stringify(exam.integrityThresholds),
      ],
    );
    return rows[0].id;
  }

  async setExamStatus(id: string, status: Exam['status'], manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE exams SET status = $2::varchar, published_at = CASE WHEN $2::varchar = 'published' THEN coalesce(published_at, now()) ELSE published_at END, updated_at = now() WHERE id = $1`, [id, status]);
  }

  async replaceSections(examId: string, sections: Omit<ExamSection, 'id' | 'examId'>[], manager: EntityManager): Promise<void> {
    // Sections that attempts already point at are kept (history); the blueprint is rewritten in place by position.
    for (const s of sections) {
      await manager.query(
        `INSERT INTO exam_sections (exam_id, position, title, bank_id, tags, types, difficulties, question_count, points_each)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
         ON CONFLICT (exam_id, position) DO UPDATE SET title = EXCLUDED.title, bank_id = EXCLUDED.bank_id, tags = EXCLUDED.tags, types = EXCLUDED.types,
               difficulties = EXCLUDED.difficulties, question_count = EXCLUDED.question_count, points_each = EXCLUDED.points_each`,
        [examId, s.position, JSON.stringify(s.title), s.bankId, s.tags, s.types, s.difficulties, s.questionCount, s.pointsEach],
      );
    }
    await manager.query(
      `DELETE FROM exam_sections s WHERE s.exam_id = $1 AND s.position >= $2 AND NOT EXISTS (SELECT 1 FROM attempt_items i WHERE i.section_id = s.id)`,
      [examId, sections.length],
    );
  }

  async sections(examId: string, manager?: EntityManager): Promise<ExamSection[]> {
    const rows: {
      id: string;
      exam_id: string;
      position: number;
      title: LocalizedText;
      bank_id: string | null;
      tags: string[];
      types: string[];
      difficulties: number[];
      question_count: number;
      points_each: number;
    }[] = await this.m(manager).query(`SELECT * FROM exam_sections WHERE exam_id = $1 ORDER BY position`, [examId]);
    return rows.map((r) => ({
      id: r.id,
      examId: r.exam_id,
      position: r.position,
      title: r.title,
      bankId: r.bank_id,
      tags: r.tags,
      types: r.types,
      difficulties: r.difficulties.map(Number),
      questionCount: r.question_count,
      pointsEach: r.points_each,
    }));
  }

  // ---- attempts ----------------------------------------------------------------------------

  async findAttempt(id: string, manager?: EntityManager, lock = false): Promise<Attempt | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: AttemptRow[] = await this.m(manager).query(`SELECT * FROM attempts WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toAttempt(rows[0]) : null;
  }

  /** Several attempts locked at once, in id order (so concurrent batches cannot deadlock). */
  async lockAttempts(ids: string[], manager: EntityManager): Promise<Attempt[]> {
    const rows: AttemptRow[] = await manager.query(`SELECT * FROM attempts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
    return rows.map(toAttempt);
  }

  /** The items of several attempts, by attempt, in position order. */
  async itemsOfAttempts(ids: string[], manager: EntityManager): Promise<Map<string, AttemptItemRow[]>> {
    const rows: (ItemRow & { attempt_id: string })[] = await manager.query(`SELECT * FROM attempt_items WHERE attempt_id = ANY($1::uuid[]) ORDER BY attempt_id, position`, [ids]);
    const byAttempt = new Map<string, AttemptItemRow[]>();
    for (const row of rows) {
      const item = toItem(row);
      const list = byAttempt.get(row.attempt_id) ?? [];
      list.push(item);
      byAttempt.set(row.attempt_id, list);
    }
    return byAttempt;
  }

  /** Closes several attempts with one statement (state, receipt and when). */
  async closeAttempts(
    closed: { id: string; state: AttemptState; submittedAt: Date; submittedBy: string; receiptSha256: string; answeredCount: number }[],
    manager: EntityManager,
  ): Promise<void> {
    if (!closed.length) return;
    await manager.query(
      `UPDATE attempts a SET state = x.state, submitted_at = x.submitted_at, submitted_by = x.submitted_by, receipt_sha256 = x.receipt_sha256,
              answered_count = x.answered_count, paused_at = NULL, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, state text, submitted_at timestamptz, submitted_by text, receipt_sha256 text, answered_count int)
        WHERE a.id = x.id`,
      [
        JSON.stringify(
          closed.map((c) => ({ id: c.id, state: c.state, submitted_at: c.submittedAt.toISOString(), submitted_by: c.submittedBy, receipt_sha256: c.receiptSha256, answered_count: c.answeredCount })),
        ),
      ],
    );
  }

  /** Which of these sign-in sessions are still live (sign-out and deactivation delete them). */
  async liveSessions(sessionIds: string[], manager?: EntityManager): Promise<Set<string>> {
    const rows: { sid: string }[] = await this.m(manager).query(`SELECT sid FROM http_sessions WHERE sid = ANY($1::text[]) AND expires_at > now()`, [sessionIds]);
    return new Set(rows.map((r) => r.sid));
  }

  /** A submission's receipt if it has one, read without a lock (a receipt never changes once written). */
  async receiptRow(attemptId: string): Promise<{ userId: string; submittedAt: Date | null; answeredCount: number | null; receiptSha256: string | null } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(attemptId)) return null;
    const { rows } = await this.pool().query<{ user_id: string; submitted_at: Date | null; answered_count: number | null; receipt_sha256: string | null }>({
      name: 'exams.receiptRow',
      text: `SELECT user_id, submitted_at, answered_count, receipt_sha256 FROM attempts WHERE id = $1`,
      values: [attemptId],
    });
    const row = rows[0];
    return row ? { userId: row.user_id, submittedAt: row.submitted_at, answeredCount: row.answered_count, receiptSha256: row.receipt_sha256 } : null;
  }

  async liveAttempt(userId: string, examId: string, manager?: EntityManager): Promise<Attempt | null> {
    const rows: AttemptRow[] = await this.m(manager).query(
      `SELECT * FROM attempts WHERE user_id = $1 AND exam_id = $2 AND state IN ('registered','admitted','in_progress','paused') FOR UPDATE`,
      [userId, examId],
    );
    return rows[0] ? toAttempt(rows[0]) : null;
  }

  async attemptsOf(userId: string, examId: string, manager?: EntityManager): Promise<Attempt[]> {
    const rows: AttemptRow[] = await this.m(manager).query(
      `SELECT * FROM attempts WHERE user_id = $1 AND exam_id = $2 ORDER BY created_at DESC LIMIT 200`,
      [userId, examId],
    );
    return rows.map(toAttempt);
  }

  async attemptsOfUser(userId: string): Promise<Attempt[]> {
    const rows: AttemptRow[] = await this.dataSource.query(`SELECT * FROM attempts WHERE user_id = $1 ORDER BY created_at DESC LIMIT 200`, [userId]);
    return rows.map(toAttempt);
  }

  async seenQuestionIds(userId: string, examId: string, manager: EntityManager): Promise<Set<string>> {
    const rows: { question_id: string }[] = await manager.query(
      `SELECT DISTINCT i.question_id FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id WHERE a.user_id = $1 AND a.exam_id = $2`,
      [userId, examId],
    );
    return new Set(rows.map((r) => r.question_id));
  }

  async insertAttempt(
    a: { examId: string; userId: string; sittingId: string | null; state: AttemptState; seed: number; timeMultiplier: number; notBefore?: Date | null },
    manager: EntityManager,
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO attempts (exam_id, user_id, sitting_id, state, seed, time_multiplier, not_before) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
      [a.examId, a.userId, a.sittingId, a.state, a.seed, a.timeMultiplier, a.notBefore ?? null],
    );
    return rows[0].id;
  }

  async updateAttempt(id: string, fields: Record<string, unknown>, manager: EntityManager): Promise<void> {
    const keys = Object.keys(fields);
    if (!keys.length) return;
    const sets = keys.map((k, i) => `${k} = $${i + 2}`);
    await manager.query(`UPDATE attempts SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [id, ...keys.map((k) => fields[k])]);
  }

  async insertItems(
    attemptId: string,
    items: { position: number; itemId: string; sectionId: string; questionId: string; versionId: string; points: number; topic: string }[],
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO attempt_items (attempt_id, position, item_id, section_id, question_id, question_version_id, points, topic)
       SELECT $1, x.position, x.item_id, x.section_id, x.question_id, x.version_id, x.points, x.topic
         FROM jsonb_to_recordset($2::jsonb) AS x(position int, item_id text, section_id uuid, question_id uuid, version_id uuid, points int, topic text)`,
      [attemptId, JSON.stringify(items.map((i) => ({ position: i.position, item_id: i.itemId, section_id: i.sectionId, question_id: i.questionId, version_id: i.versionId, points: i.points, topic: i.topic })))],
    );
  }

  async items(attemptId: string, manager?: EntityManager): Promise<AttemptItemRow[]> {
    const rows: ItemRow[] = await this.m(manager).query(`SELECT * FROM attempt_items WHERE attempt_id = $1 ORDER BY position`, [attemptId]);
    return rows.map(toItem);
  }

  /**
   * The autosave: one guarded UPDATE, the highest seq wins. With a session id the statement also
   * checks that the session is still live (sign-out and deactivation delete it), so callers may
   * cache who the session belongs to without letting an ended session write. Runs on the pg pool
   * as a named (prepared) statement: this is the hottest statement in the app.
   */
  async saveAnswer(
    attemptId: string,
    itemId: string,
    userId: string,
    response: unknown,
    seq: number,
    marked: boolean | null,
    clientSession: string | null,
    graceSeconds: number,
    sessionId: string | null = null,
  ): Promise<SaveOutcome> {
    const { rows } = await this.pool().query<{ seq: string; saved_at: Date }>({
      name: 'exams.saveAnswer',
      text: `UPDATE attempt_items i SET response = $4, seq = $5, saved_at = now(), marked = coalesce($6, i.marked)
         FROM attempts a
        WHERE i.attempt_id = $1 AND i.item_id = $2 AND a.id = i.attempt_id AND a.user_id = $3
          AND a.state = 'in_progress' AND now() <= a.deadline_at + make_interval(secs => $8)
          AND ($7::text IS NULL OR a.client_session IS NULL OR a.client_session = $7)
          AND i.seq < $5
          AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM http_sessions s WHERE s.sid = $9 AND s.user_id = $3 AND s.expires_at > now()))
        RETURNING i.seq, i.saved_at`,
      values: [attemptId, itemId, userId, JSON.stringify(response), seq, marked, clientSession, graceSeconds, sessionId],
    });
    if (rows[0]) return { kind: 'saved', seq: Number(rows[0].seq), savedAt: rows[0].saved_at };
    // Not saved: say why (a second, cheap read only on the unhappy path).
    const why: { state: AttemptState; overdue: boolean; session: string | null; seq: string | null; saved_at: Date | null; signed_in: boolean }[] = await this.dataSource.query(
      `SELECT a.state, now() > a.deadline_at + make_interval(secs => $4) AS overdue, a.client_session AS session, i.seq, i.saved_at,
              ($5::text IS NULL OR EXISTS (SELECT 1 FROM http_sessions s WHERE s.sid = $5 AND s.user_id = $3 AND s.expires_at > now())) AS signed_in
         FROM attempts a LEFT JOIN attempt_items i ON i.attempt_id = a.id AND i.item_id = $2
        WHERE a.id = $1 AND a.user_id = $3`,
      [attemptId, itemId, userId, graceSeconds, sessionId],
    );
    const found = why[0];
    if (found && !found.signed_in) return { kind: 'refused', state: found.state, reason: 'signed_out' };
    if (!found || found.seq === null) return { kind: 'refused', state: found?.state ?? null, reason: 'not_found' };
    if (found.state !== 'in_progress') return { kind: 'refused', state: found.state, reason: 'not_in_progress' };
    if (found.overdue) return { kind: 'refused', state: found.state, reason: 'deadline_passed' };
    if (clientSession && found.session && found.session !== clientSession) return { kind: 'refused', state: found.state, reason: 'session_replaced' };
    return { kind: 'stale', seq: Number(found.seq), savedAt: found.saved_at };
  }

  private pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  async setItemGrades(attemptId: string, grades: { position: number; credit: number | null; status: string }[], manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE attempt_items i SET credit = x.credit, grade_status = x.status
         FROM jsonb_to_recordset($2::jsonb) AS x(position int, credit numeric, status text)
        WHERE i.attempt_id = $1 AND i.position = x.position`,
      [attemptId, JSON.stringify(grades)],
    );
  }

  async insertEvent(
    e: { attemptId: string; kind: 'transition' | 'signal' | 'proctor' | 'message' | 'note'; type: string; actorId?: string | null; from?: string | null; to?: string | null; reason?: string | null; detail?: Record<string, unknown>; at?: Date },
    manager?: EntityManager,
  ): Promise<void> {
    await this.m(manager).query(
      `INSERT INTO attempt_events (attempt_id, at, kind, type, actor_id, from_state, to_state, reason, detail) VALUES ($1, coalesce($2, now()), $3, $4, $5, $6, $7, $8, $9)`,
      [e.attemptId, e.at ?? null, e.kind, e.type, e.actorId ?? null, e.from ?? null, e.to ?? null, e.reason ?? null, JSON.stringify(e.detail ?? {})],
    );
  }

  /** Several events in one statement, in the given order (ids ascend with it). */
  async insertEvents(
    events: { attemptId: string; kind: 'transition' | 'signal' | 'proctor' | 'message' | 'note'; type: string; actorId?: string | null; from?: string | null; to?: string | null; reason?: string | null; detail?: Record<string, unknown> }[],
    manager: EntityManager,
  ): Promise<void> {
    if (!events.length) return;
    await manager.query(
      `INSERT INTO attempt_events (attempt_id, at, kind, type, actor_id, from_state, to_state, reason, detail)
       SELECT x.attempt_id, now(), x.kind, x.type, x.actor_id, x.from_state, x.to_state, x.reason, coalesce(x.detail, '{}'::jsonb)
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (attempt_id uuid, kind text, type text, actor_id uuid, from_state text, to_state text, reason text, detail jsonb))
              WITH ORDINALITY AS x(attempt_id, kind, type, actor_id, from_state, to_state, reason, detail, n)
        ORDER BY n`,
      [
        JSON.stringify(
          events.map((e) => ({ attempt_id: e.attemptId, kind: e.kind, type: e.type, actor_id: e.actorId ?? null, from_state: e.from ?? null, to_state: e.to ?? null, reason: e.reason ?? null, detail: e.detail ?? {} })),
        ),
      ],
    );
  }

  async events(attemptId: string, afterId = 0): Promise<{ id: string; at: Date; kind: string; type: string; actorId: string | null; fromState: string | null; toState: string | null; reason: string | null; detail: Record<string, unknown> }[]> {
    const rows: { id: string; at: Date; kind: string; type: string; actor_id: string | null; from_state: string | null; to_state: string | null; reason: string | null; detail: Record<string, unknown> }[] =
      await this.dataSource.query(`SELECT * FROM attempt_events WHERE attempt_id = $1 AND id > $2 ORDER BY id LIMIT 2000`, [attemptId, afterId]);
    return rows.map((r) => ({ id: r.id, at: r.at, kind: r.kind, type: r.type, actorId: r.actor_id, fromState: r.from_state, toState: r.to_state, reason: r.reason, detail: r.detail }));
  }

  async signalCounts(attemptId: string, manager?: EntityManager): Promise<Record<string, number>> {
    const rows: { type: string; n: string }[] = await this.m(manager).query(
      `SELECT type, count(*) AS n FROM attempt_events WHERE attempt_id = $1 AND kind = 'signal' GROUP BY type`,
      [attemptId],
    );
    return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
  }

  /** Submitted attempts still ungraded after 45 s (a grade job lost with a crash or a Redis flush; grading takes well under a second). */
  async ungradedAttemptIds(limit = 500): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM attempts WHERE state IN ('submitted', 'auto_submitted') AND submitted_at < now() - interval '45 seconds' ORDER BY submitted_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /** Attempts past their deadline (plus grace) still open: the safety net behind the delayed jobs. */
  async overdueAttemptIds(limit = 500): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT a.id FROM attempts a JOIN exams e ON e.id = a.exam_id
        WHERE a.state = 'in_progress' AND a.deadline_at + make_interval(secs => e.grace_seconds) < now() ORDER BY a.deadline_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  async countAttemptsInSitting(sittingId: string, manager: EntityManager): Promise<number> {
    const [{ n }]: { n: string }[] = await manager.query(`SELECT count(*) AS n FROM attempts WHERE sitting_id = $1 AND state <> 'withdrawn'`, [sittingId]);
    return Number(n);
  }
}
