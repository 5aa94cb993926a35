import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { offsetOf, Page, PageRequest, toPage } from '../../infra/http/pagination';
import type { LocalizedText } from '../question-banks/domain/question';
import type { AttemptState } from './domain/attempt-state';
import { Exam, ExamSection } from './exams.types';

/** An exam definition as staff write it (everything but identity, status and publication). */
export type ExamFields = Omit<Exam, 'id' | 'key' | 'status' | 'publishedAt'>;
export type SectionFields = Omit<ExamSection, 'id' | 'examId' | 'position' | 'bankId'>;

export interface ExamListRow {
  id: string;
  key: string | null;
  title: LocalizedText;
  mode: Exam['mode'];
  status: Exam['status'];
  timeLimitSeconds: number;
  passMarkPercent: number;
  sectionCount: number;
  questionCount: number;
  attemptCount: number;
  updatedAt: Date;
}

/** One graded item of one attempt: the raw material of item statistics. */
export interface ItemScoreRow {
  attemptId: string;
  position: number;
  questionId: string;
  credit: number | null;
  gradeStatus: string | null;
}

export interface QuestionLabel {
  id: string;
  bankName: string;
  externalId: string;
  type: string;
  difficulty: number | null;
  stem: LocalizedText;
}

export interface CandidateAttemptRow {
  id: string;
  examId: string;
  examTitle: LocalizedText;
  state: AttemptState;
  startedAt: Date | null;
  submittedAt: Date | null;
  createdAt: Date;
}

/** States whose items carry final (or at least automatic) grades: what statistics are computed over. */
export const GRADED_STATES: readonly AttemptState[] = ['graded', 'under_review', 'passed', 'failed'];

/**
 * SQL for staff authoring (exam definitions and their blueprints), item statistics and the
 * candidate's own attempt list. The attempt hot paths stay in ExamsRepository.
 */
@Injectable()
export class ExamAuthoringRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async listExams(request: PageRequest): Promise<Page<ExamListRow>> {
    const rows: {
      id: string;
      key: string | null;
      title: LocalizedText;
      mode: Exam['mode'];
      status: Exam['status'];
      time_limit_seconds: number;
      pass_mark_percent: string;
      section_count: string;
      question_count: string | null;
      attempt_count: string;
      updated_at: Date;
      total: string;
    }[] = await this.dataSource.query(
      `SELECT e.id, e.key, e.title, e.mode, e.status, e.time_limit_seconds, e.pass_mark_percent, e.updated_at,
              (SELECT count(*) FROM exam_sections s WHERE s.exam_id = e.id) AS section_count,
              (SELECT sum(s.question_count) FROM exam_sections s WHERE s.exam_id = e.id) AS question_count,
              (SELECT count(*) FROM attempts a WHERE a.exam_id = e.id AND a.started_at IS NOT NULL) AS attempt_count,
              count(*) OVER () AS total
         FROM exams e
        ORDER BY CASE e.status WHEN 'published' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, e.mode, e.created_at
        LIMIT $1 OFFSET $2`,
      [request.perPage, offsetOf(request)],
    );
    const total = rows[0] ? Number(rows[0].total) : await this.countExams();
    return toPage(
      rows.map((r) => ({
        id: r.id,
        key: r.key,
        title: r.title,
        mode: r.mode,
        status: r.status,
        timeLimitSeconds: r.time_limit_seconds,
        passMarkPercent: Number(r.pass_mark_percent),
        sectionCount: Number(r.section_count),
        questionCount: Number(r.question_count ?? 0),
        attemptCount: Number(r.attempt_count),
        updatedAt: r.updated_at,
      })),
      total,
      request,
    );
  }

  private async countExams(): Promise<number> {
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM exams`);
    return Number(n);
  }

  /** Locks the exam row for the rest of the transaction (two staff saving at once serialise). */
  async lockExam(id: string, manager: EntityManager): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
    const rows: unknown[] = await manager.query(`SELECT id FROM exams WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length > 0;
  }

  async insertExam(exam: ExamFields, manager: EntityManager): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO exams (title, description, mode, status, time_limit_seconds, pass_mark_percent, attempts_allowed, cooldown_hours, requires_course,
                          shuffle_questions, shuffle_options, review_policy, review_from, validity_months, grace_seconds, integrity_thresholds)
       VALUES ($1,$2,$3,'draft',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`,
      this.params(exam),
    );
    return rows[0].id;
  }

  async updateExam(id: string, exam: ExamFields, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE exams SET title = $1, description = $2, mode = $3, time_limit_seconds = $4, pass_mark_percent = $5, attempts_allowed = $6,
              cooldown_hours = $7, requires_course = $8, shuffle_questions = $9, shuffle_options = $10, review_policy = $11, review_from = $12,
              validity_months = $13, grace_seconds = $14, integrity_thresholds = $15, updated_at = now()
        WHERE id = $16`,
      [...this.params(exam), id],
    );
  }

  private params(exam: ExamFields): unknown[] {
    return [
      JSON.stringify(exam.title),
      exam.description ? JSON.stringify(exam.description) : null,
      exam.mode,
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
    ];
  }

  async setStatus(id: string, status: Exam['status'], manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(`UPDATE exams SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  }

  /** Positions of the sections that attempts have drawn from (they cannot be deleted: history). */
  async sectionPositionsInUse(examId: string, manager?: EntityManager): Promise<number[]> {
    const rows: { position: number }[] = await (manager ?? this.dataSource.manager).query(
      `SELECT s.position FROM exam_sections s WHERE s.exam_id = $1 AND EXISTS (SELECT 1 FROM attempt_items i WHERE i.section_id = s.id) ORDER BY s.position`,
      [examId],
    );
    return rows.map((r) => r.position);
  }

  /**
   * Rewrites the blueprint by position: sections 0…n-1 are inserted or updated in place (so
   * attempts keep pointing at the section they drew from), every section from n on is deleted.
   * The caller has checked that none of the deleted ones is in use.
   */
  async replaceBlueprint(examId: string, sections: SectionFields[], manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO exam_sections (exam_id, position, title, tags, types, difficulties, question_count, points_each)
       SELECT $1, x.position, x.title, ARRAY(SELECT jsonb_array_elements_text(x.tags)), ARRAY(SELECT jsonb_array_elements_text(x.types)),
              ARRAY(SELECT jsonb_array_elements_text(x.difficulties))::smallint[], x.question_count, x.points_each
         FROM jsonb_to_recordset($2::jsonb) AS x(position int, title jsonb, tags jsonb, types jsonb, difficulties jsonb, question_count int, points_each int)
       ON CONFLICT (exam_id, position) DO UPDATE SET title = EXCLUDED.title, tags = EXCLUDED.tags, types = EXCLUDED.types,
             difficulties = EXCLUDED.difficulties, question_count = EXCLUDED.question_count, points_each = EXCLUDED.points_each`,
      [
        examId,
        JSON.stringify(
          sections.map((s, position) => ({
            position,
            title: s.title,
            tags: s.tags,
            types: s.types,
            difficulties: s.difficulties,
            question_count: s.questionCount,
            points_each: s.pointsEach,
          })),
        ),
      ],
    );
    await manager.query(`DELETE FROM exam_sections WHERE exam_id = $1 AND position >= $2`, [examId, sections.length]);
  }

  /** How many attempts of this exam are in each state. */
  async attemptStates(examId: string): Promise<Record<string, number>> {
    const rows: { state: string; n: string }[] = await this.dataSource.query(`SELECT state, count(*) AS n FROM attempts WHERE exam_id = $1 GROUP BY state`, [examId]);
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /**
   * Item scores of the exam's most recent graded attempts (at most `limit` attempts, so a
   * popular exam's statistics stay one bounded query).
   */
  async gradedItemScores(examId: string, limit: number): Promise<ItemScoreRow[]> {
    const rows: { attempt_id: string; position: number; question_id: string; credit: string | null; grade_status: string | null }[] = await this.dataSource.query(
      `WITH recent AS (
         SELECT id FROM attempts WHERE exam_id = $1 AND state = ANY($2::text[]) ORDER BY submitted_at DESC NULLS LAST LIMIT $3
       )
       SELECT i.attempt_id, i.position, i.question_id, i.credit, i.grade_status
         FROM attempt_items i JOIN recent r ON r.id = i.attempt_id
        ORDER BY i.attempt_id, i.position`,
      [examId, GRADED_STATES, limit],
    );
    return rows.map((r) => ({ attemptId: r.attempt_id, position: r.position, questionId: r.question_id, credit: r.credit === null ? null : Number(r.credit), gradeStatus: r.grade_status }));
  }

  async questionLabels(ids: string[]): Promise<Map<string, QuestionLabel>> {
    if (!ids.length) return new Map();
    const rows: { id: string; bank_name: string; external_id: string; type: string; difficulty: number | null; stem: LocalizedText }[] = await this.dataSource.query(
      `SELECT q.id, b.name AS bank_name, q.external_id, q.type, q.difficulty, v.content->'stem' AS stem
         FROM questions q JOIN question_banks b ON b.id = q.bank_id LEFT JOIN question_versions v ON v.id = q.current_version_id
        WHERE q.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { id: r.id, bankName: r.bank_name, externalId: r.external_id, type: r.type, difficulty: r.difficulty, stem: r.stem ?? {} }]));
  }

  /** A candidate's own attempts, newest first, with the exam's title (no score: the result page applies the review policy). */
  async attemptsOfCandidate(userId: string, limit = 50): Promise<CandidateAttemptRow[]> {
    const rows: { id: string; exam_id: string; title: LocalizedText; state: AttemptState; started_at: Date | null; submitted_at: Date | null; created_at: Date }[] =
      await this.dataSource.query(
        `SELECT a.id, a.exam_id, e.title, a.state, a.started_at, a.submitted_at, a.created_at
           FROM attempts a JOIN exams e ON e.id = a.exam_id
          WHERE a.user_id = $1 AND a.started_at IS NOT NULL
          ORDER BY a.created_at DESC LIMIT $2`,
        [userId, limit],
      );
    return rows.map((r) => ({
      id: r.id,
      examId: r.exam_id,
      examTitle: r.title,
      state: r.state,
      startedAt: r.started_at,
      submittedAt: r.submitted_at,
      createdAt: r.created_at,
    }));
  }
}
