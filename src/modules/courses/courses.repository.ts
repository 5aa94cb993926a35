import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DataScope } from '../../infra/http/access';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import {
  CheckSummary,
  ContentOrigin,
  CourseRow,
  CourseStatus,
  EnrolmentOrigin,
  EnrolmentRow,
  LearningStatus,
  LessonProgressRow,
  LessonRow,
  Link,
  LocalizedText,
  ModuleRow,
  StaffLearningFilter,
} from './courses.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** Lessons a learner sees and must finish: not archived, in a module that is not archived. */
const ACTIVE_LESSONS = `SELECT l.id, l.course_id, l.minutes FROM lessons l JOIN course_modules am ON am.id = l.module_id
                        WHERE l.archived_at IS NULL AND am.archived_at IS NULL`;

interface CourseDbRow {
  id: string;
  key: string;
  title: LocalizedText;
  summary: LocalizedText;
  status: CourseStatus;
  required_for_certification: boolean;
  origin: ContentOrigin;
  source_hash: string | null;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toCourse = (r: CourseDbRow): CourseRow => ({
  id: r.id,
  key: r.key,
  title: r.title,
  summary: r.summary,
  status: r.status,
  requiredForCertification: r.required_for_certification,
  origin: r.origin,
  publishedAt: r.published_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface ModuleDbRow {
  id: string;
  course_id: string;
  key: string;
  title: LocalizedText;
  position: number;
  check_tags: string[];
  check_questions: number;
  origin: ContentOrigin;
  source_hash: string | null;
  archived_at: Date | null;
}

const toModule = (r: ModuleDbRow): ModuleRow => ({
  id: r.id,
  courseId: r.course_id,
  key: r.key,
  title: r.title,
  position: r.position,
  checkTags: r.check_tags,
  checkQuestions: r.check_questions,
  origin: r.origin,
  archivedAt: r.archived_at,
});

interface LessonDbRow {
  id: string;
  course_id: string;
  module_id: string;
  key: string;
  title: LocalizedText;
  body?: LocalizedText;
  body_locales?: string[];
  minutes: number;
  attachments: Link[];
  videos: Link[];
  position: number;
  origin: ContentOrigin;
  source_hash: string | null;
  archived_at: Date | null;
}

const toLesson = (r: LessonDbRow): LessonRow => ({
  id: r.id,
  courseId: r.course_id,
  moduleId: r.module_id,
  key: r.key,
  title: r.title,
  body: r.body ?? {},
  bodyLocales: r.body_locales ?? Object.keys(r.body ?? {}),
  minutes: r.minutes,
  attachments: r.attachments,
  videos: r.videos,
  position: r.position,
  origin: r.origin,
  archivedAt: r.archived_at,
});

interface EnrolmentDbRow {
  id: string;
  course_id: string;
  user_id: string;
  origin: EnrolmentOrigin;
  assigned_by: string | null;
  assigned_at: Date | null;
  due_at: Date | null;
  enrolled_at: Date;
  last_lesson_id: string | null;
  last_activity_at: Date | null;
  completed_at: Date | null;
}

const toEnrolment = (r: EnrolmentDbRow): EnrolmentRow => ({
  id: r.id,
  courseId: r.course_id,
  userId: r.user_id,
  origin: r.origin,
  assignedBy: r.assigned_by,
  assignedAt: r.assigned_at,
  dueAt: r.due_at,
  enrolledAt: r.enrolled_at,
  lastLessonId: r.last_lesson_id,
  lastActivityAt: r.last_activity_at,
  completedAt: r.completed_at,
});

export interface CourseCardRow {
  course: CourseRow;
  moduleCount: number;
  lessonCount: number;
  totalMinutes: number;
  completedLessons: number;
  enrolment: EnrolmentRow | null;
}

export interface CourseAdminRow {
  course: CourseRow;
  moduleCount: number;
  lessonCount: number;
  enrolmentCount: number;
}

export interface AttemptRow {
  id: string;
  moduleId: string;
  userId: string;
  questionCount: number;
  startedAt: Date;
  submittedAt: Date | null;
  scorePercent: number | null;
  passed: boolean | null;
  answers: {
    position: number;
    versionId: string;
    response: unknown;
    status: string | null;
    credit: number | null;
    correct: boolean | null;
  }[];
}

export interface StaffLearningDbRow {
  user_id: string;
  name: string;
  email: string;
  organisation_name: string | null;
  course_id: string;
  course_title: LocalizedText;
  learning_status: LearningStatus;
  enrolled_at: Date | null;
  due_at: Date | null;
  completed_at: Date | null;
  total_lessons: string;
  completed_lessons: string;
  seconds_spent: string;
}

const escapeLike = (q: string) => `%${q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;

@Injectable()
export class CoursesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // ---- courses ------------------------------------------------------------------------------

  /** A course by id or by its key (the API accepts both). */
  async findCourse(idOrKey: string, manager?: EntityManager): Promise<CourseRow | null> {
    const column = isUuid(idOrKey) ? 'id' : 'key';
    const rows: CourseDbRow[] = await this.m(manager).query(`SELECT * FROM courses WHERE ${column} = $1`, [
      idOrKey,
    ]);
    return rows[0] ? toCourse(rows[0]) : null;
  }

  async findCourseWithHash(
    key: string,
    manager: EntityManager,
  ): Promise<{ course: CourseRow; sourceHash: string | null } | null> {
    const rows: CourseDbRow[] = await manager.query(`SELECT * FROM courses WHERE key = $1 FOR UPDATE`, [key]);
    return rows[0] ? { course: toCourse(rows[0]), sourceHash: rows[0].source_hash } : null;
  }

  async findRequiredCourse(manager?: EntityManager): Promise<CourseRow | null> {
    const rows: CourseDbRow[] = await this.m(manager).query(
      `SELECT * FROM courses WHERE required_for_certification`,
    );
    return rows[0] ? toCourse(rows[0]) : null;
  }

  async insertCourse(
    course: {
      key: string;
      title: LocalizedText;
      summary: LocalizedText;
      status: CourseStatus;
      required: boolean;
      origin: ContentOrigin;
      sourceHash: string | null;
      createdBy: string | null;
    },
    manager: EntityManager,
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO courses (key, title, summary, status, required_for_certification, origin, source_hash, created_by, published_at)
       VALUES ($1, $2, $3, $4::varchar, $5, $6, $7, $8, CASE WHEN $4::varchar = 'published' THEN now() END) RETURNING id`,
      [
        course.key,
        course.title,
        course.summary,
        course.status,
        course.required,
        course.origin,
        course.sourceHash,
        course.createdBy,
      ],
    );
    return rows[0].id;
  }

  async updateCourse(
    id: string,
    changes: { title?: LocalizedText; summary?: LocalizedText; required?: boolean; sourceHash?: string },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE courses SET title = coalesce($2, title), summary = coalesce($3, summary),
              required_for_certification = coalesce($4, required_for_certification), source_hash = coalesce($5, source_hash), updated_at = now()
        WHERE id = $1`,
      [
        id,
        changes.title ?? null,
        changes.summary ?? null,
        changes.required ?? null,
        changes.sourceHash ?? null,
      ],
    );
  }

  async setCourseStatus(id: string, status: CourseStatus, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE courses SET status = $2::varchar, published_at = CASE WHEN $2::varchar = 'published' THEN coalesce(published_at, now()) ELSE published_at END, updated_at = now() WHERE id = $1`,
      [id, status],
    );
  }

  async touchCourse(id: string, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE courses SET updated_at = now() WHERE id = $1`, [id]);
  }

  async publishedCourses(): Promise<CourseRow[]> {
    const rows: CourseDbRow[] = await this.dataSource.query(
      `SELECT * FROM courses WHERE status = 'published' ORDER BY required_for_certification DESC, published_at, key LIMIT 500`,
    );
    return rows.map(toCourse);
  }

  async listCoursesForAdmin(page: PageRequest): Promise<{ items: CourseAdminRow[]; total: number }> {
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM courses`);
    const rows: (CourseDbRow & { module_count: string; lesson_count: string; enrolment_count: string })[] =
      await this.dataSource.query(
        `SELECT c.*,
              (SELECT count(*) FROM course_modules m WHERE m.course_id = c.id AND m.archived_at IS NULL) AS module_count,
              (SELECT count(*) FROM (${ACTIVE_LESSONS}) a WHERE a.course_id = c.id) AS lesson_count,
              (SELECT count(*) FROM course_enrolments e WHERE e.course_id = c.id) AS enrolment_count
         FROM courses c ORDER BY c.created_at, c.key LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      );
    return {
      items: rows.map((r) => ({
        course: toCourse(r),
        moduleCount: Number(r.module_count),
        lessonCount: Number(r.lesson_count),
        enrolmentCount: Number(r.enrolment_count),
      })),
      total: Number(n),
    };
  }

  /** Published courses with one learner's enrolment and lesson count (catalogue, my learning). */
  async courseCards(
    userId: string,
    options: { enrolledOnly: boolean; courseId?: string },
    page: PageRequest | null,
  ): Promise<{ items: CourseCardRow[]; total: number }> {
    const params: unknown[] = [userId];
    const where = [`c.status = 'published'`];
    if (options.enrolledOnly) where.push('e.id IS NOT NULL');
    if (options.courseId) {
      params.push(options.courseId);
      where.push(`c.id = $${params.length}`);
    }
    const from = `FROM courses c LEFT JOIN course_enrolments e ON e.course_id = c.id AND e.user_id = $1 WHERE ${where.join(' AND ')}`;
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n ${from}`, params);
    const limit = page ? `LIMIT ${page.perPage} OFFSET ${offsetOf(page)}` : '';
    const rows: (CourseDbRow & {
      module_count: string;
      lesson_count: string;
      total_minutes: string;
      completed_count: string;
      e_id: string | null;
      e_origin: EnrolmentOrigin;
      e_assigned_by: string | null;
      e_assigned_at: Date | null;
      e_due_at: Date | null;
      e_enrolled_at: Date;
      e_last_lesson_id: string | null;
      e_last_activity_at: Date | null;
      e_completed_at: Date | null;
    })[] = await this.dataSource.query(
      `WITH active AS (${ACTIVE_LESSONS})
       SELECT c.*,
              (SELECT count(*) FROM course_modules m WHERE m.course_id = c.id AND m.archived_at IS NULL) AS module_count,
              (SELECT count(*) FROM active a WHERE a.course_id = c.id) AS lesson_count,
              (SELECT coalesce(sum(a.minutes), 0) FROM active a WHERE a.course_id = c.id) AS total_minutes,
              (SELECT count(*) FROM lesson_progress p JOIN active a ON a.id = p.lesson_id
                WHERE a.course_id = c.id AND p.user_id = $1 AND p.completed_at IS NOT NULL) AS completed_count,
              e.id AS e_id, e.origin AS e_origin, e.assigned_by AS e_assigned_by, e.assigned_at AS e_assigned_at, e.due_at AS e_due_at,
              e.enrolled_at AS e_enrolled_at, e.last_lesson_id AS e_last_lesson_id, e.last_activity_at AS e_last_activity_at, e.completed_at AS e_completed_at
         ${from}
        ORDER BY ${options.enrolledOnly ? '(e.completed_at IS NOT NULL), e.due_at NULLS LAST, ' : ''}c.required_for_certification DESC, c.published_at, c.key
        ${limit}`,
      params,
    );
    return {
      total: Number(n),
      items: rows.map((r) => ({
        course: toCourse(r),
        moduleCount: Number(r.module_count),
        lessonCount: Number(r.lesson_count),
        totalMinutes: Number(r.total_minutes),
        completedLessons: Number(r.completed_count),
        enrolment: r.e_id
          ? {
              id: r.e_id,
              courseId: r.id,
              userId,
              origin: r.e_origin,
              assignedBy: r.e_assigned_by,
              assignedAt: r.e_assigned_at,
              dueAt: r.e_due_at,
              enrolledAt: r.e_enrolled_at,
              lastLessonId: r.e_last_lesson_id,
              lastActivityAt: r.e_last_activity_at,
              completedAt: r.e_completed_at,
            }
          : null,
      })),
    };
  }

  // ---- modules and lessons ------------------------------------------------------------------

  async modulesOf(courseId: string, includeArchived: boolean, manager?: EntityManager): Promise<ModuleRow[]> {
    const rows: ModuleDbRow[] = await this.m(manager).query(
      `SELECT * FROM course_modules WHERE course_id = $1 ${includeArchived ? '' : 'AND archived_at IS NULL'} ORDER BY position, created_at`,
      [courseId],
    );
    return rows.map(toModule);
  }

  async moduleHashes(
    courseId: string,
    manager: EntityManager,
  ): Promise<(ModuleRow & { sourceHash: string | null })[]> {
    const rows: ModuleDbRow[] = await manager.query(`SELECT * FROM course_modules WHERE course_id = $1`, [
      courseId,
    ]);
    return rows.map((r) => ({ ...toModule(r), sourceHash: r.source_hash }));
  }

  async findModule(id: string, manager?: EntityManager): Promise<ModuleRow | null> {
    if (!isUuid(id)) return null;
    const rows: ModuleDbRow[] = await this.m(manager).query(`SELECT * FROM course_modules WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? toModule(rows[0]) : null;
  }

  async insertModule(
    module: {
      courseId: string;
      key: string;
      title: LocalizedText;
      position: number;
      checkTags: string[];
      checkQuestions: number;
      origin: ContentOrigin;
      sourceHash: string | null;
    },
    manager: EntityManager,
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO course_modules (course_id, key, title, position, check_tags, check_questions, origin, source_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        module.courseId,
        module.key,
        module.title,
        module.position,
        module.checkTags,
        module.checkQuestions,
        module.origin,
        module.sourceHash,
      ],
    );
    return rows[0].id;
  }

  async updateModule(
    id: string,
    changes: {
      title?: LocalizedText;
      position?: number;
      checkTags?: string[];
      checkQuestions?: number;
      sourceHash?: string;
      archived?: boolean;
    },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE course_modules SET title = coalesce($2, title), position = coalesce($3, position), check_tags = coalesce($4, check_tags),
              check_questions = coalesce($5, check_questions), source_hash = coalesce($6, source_hash),
              archived_at = CASE WHEN $7::boolean IS NULL THEN archived_at WHEN $7 THEN coalesce(archived_at, now()) ELSE NULL END,
              updated_at = now()
        WHERE id = $1`,
      [
        id,
        changes.title ?? null,
        changes.position ?? null,
        changes.checkTags ?? null,
        changes.checkQuestions ?? null,
        changes.sourceHash ?? null,
        changes.archived ?? null,
      ],
    );
  }

  async maxModulePosition(courseId: string, manager: EntityManager): Promise<number> {
    const rows: { p: number | null }[] = await manager.query(
      `SELECT max(position) AS p FROM course_modules WHERE course_id = $1`,
      [courseId],
    );
    return rows[0].p ?? 0;
  }

  /** Lessons of a course in reading order (module position, then lesson position); bodies only when asked. */
  async lessonsOf(
    courseId: string,
    options: { includeArchived: boolean; withBody?: boolean },
    manager?: EntityManager,
  ): Promise<LessonRow[]> {
    const columns = `l.id, l.course_id, l.module_id, l.key, l.title, l.minutes, l.attachments, l.videos, l.position, l.origin, l.source_hash, l.archived_at,
                     ARRAY(SELECT jsonb_object_keys(l.body)) AS body_locales${options.withBody ? ', l.body' : ''}`;
    const rows: LessonDbRow[] = await this.m(manager).query(
      `SELECT ${columns} FROM lessons l JOIN course_modules m ON m.id = l.module_id
        WHERE l.course_id = $1 ${options.includeArchived ? '' : 'AND l.archived_at IS NULL AND m.archived_at IS NULL'}
        ORDER BY m.position, m.created_at, l.position, l.created_at`,
      [courseId],
    );
    return rows.map(toLesson);
  }

  async lessonHashes(
    courseId: string,
    manager: EntityManager,
  ): Promise<(LessonRow & { sourceHash: string | null })[]> {
    const rows: LessonDbRow[] = await manager.query(`SELECT * FROM lessons WHERE course_id = $1`, [courseId]);
    return rows.map((r) => ({ ...toLesson(r), sourceHash: r.source_hash }));
  }

  async findLesson(
    id: string,
    manager?: EntityManager,
  ): Promise<(LessonRow & { moduleArchivedAt: Date | null }) | null> {
    if (!isUuid(id)) return null;
    const rows: (LessonDbRow & { module_archived_at: Date | null })[] = await this.m(manager).query(
      `SELECT l.*, m.archived_at AS module_archived_at FROM lessons l JOIN course_modules m ON m.id = l.module_id WHERE l.id = $1`,
      [id],
    );
    return rows[0] ? { ...toLesson(rows[0]), moduleArchivedAt: rows[0].module_archived_at } : null;
  }

  async insertLesson(
    lesson: {
      courseId: string;
      moduleId: string;
      key: string;
      title: LocalizedText;
      body: LocalizedText;
      minutes: number;
      attachments: Link[];
      videos: Link[];
      position: number;
      origin: ContentOrigin;
      sourceHash: string | null;
    },
    manager: EntityManager,
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO lessons (course_id, module_id, key, title, body, minutes, attachments, videos, position, origin, source_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        lesson.courseId,
        lesson.moduleId,
        lesson.key,
        lesson.title,
        lesson.body,
        lesson.minutes,
        JSON.stringify(lesson.attachments),
        JSON.stringify(lesson.videos),
        lesson.position,
        lesson.origin,
        lesson.sourceHash,
      ],
    );
    return rows[0].id;
  }

  async updateLesson(
    id: string,
    changes: {
      moduleId?: string;
      title?: LocalizedText;
      body?: LocalizedText;
      minutes?: number;
      attachments?: Link[];
      videos?: Link[];
      position?: number;
      sourceHash?: string;
      archived?: boolean;
    },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE lessons SET module_id = coalesce($2, module_id), title = coalesce($3, title), body = coalesce($4, body), minutes = coalesce($5, minutes),
              attachments = coalesce($6, attachments), videos = coalesce($7, videos), position = coalesce($8, position),
              source_hash = coalesce($9, source_hash),
              archived_at = CASE WHEN $10::boolean IS NULL THEN archived_at WHEN $10 THEN coalesce(archived_at, now()) ELSE NULL END,
              updated_at = now()
        WHERE id = $1`,
      [
        id,
        changes.moduleId ?? null,
        changes.title ?? null,
        changes.body ?? null,
        changes.minutes ?? null,
        changes.attachments ? JSON.stringify(changes.attachments) : null,
        changes.videos ? JSON.stringify(changes.videos) : null,
        changes.position ?? null,
        changes.sourceHash ?? null,
        changes.archived ?? null,
      ],
    );
  }

  async maxLessonPosition(moduleId: string, manager: EntityManager): Promise<number> {
    const rows: { p: number | null }[] = await manager.query(
      `SELECT max(position) AS p FROM lessons WHERE module_id = $1`,
      [moduleId],
    );
    return rows[0].p ?? 0;
  }

  /** Serialises content imports across web processes starting at once. */
  async lockContentImport(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('planner-academy:courses:content'))`);
  }

  // ---- enrolments -----------------------------------------------------------------------------

  async findEnrolment(
    courseId: string,
    userId: string,
    manager?: EntityManager,
    forUpdate = false,
  ): Promise<EnrolmentRow | null> {
    const rows: EnrolmentDbRow[] = await this.m(manager).query(
      `SELECT * FROM course_enrolments WHERE course_id = $1 AND user_id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [courseId, userId],
    );
    return rows[0] ? toEnrolment(rows[0]) : null;
  }

  /** Enrols a learner unless already enrolled; true when this call created the enrolment. */
  async enrolIfMissing(courseId: string, userId: string, manager: EntityManager): Promise<boolean> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO course_enrolments (course_id, user_id, origin) VALUES ($1, $2, 'self') ON CONFLICT (course_id, user_id) DO NOTHING RETURNING id`,
      [courseId, userId],
    );
    return rows.length > 0;
  }

  /** Assigns a course (creating the enrolment, or setting the due date on an existing one). */
  async assign(
    courseId: string,
    userId: string,
    assignedBy: string | null,
    dueAt: Date | null,
    manager: EntityManager,
  ): Promise<boolean> {
    const rows: { created: boolean }[] = await manager.query(
      `INSERT INTO course_enrolments (course_id, user_id, origin, assigned_by, assigned_at, due_at) VALUES ($1, $2, 'assigned', $3, now(), $4)
       ON CONFLICT (course_id, user_id) DO UPDATE SET assigned_by = EXCLUDED.assigned_by, assigned_at = now(), due_at = EXCLUDED.due_at
       RETURNING (xmax = 0) AS created`,
      [courseId, userId, assignedBy, dueAt],
    );
    return rows[0].created;
  }

  async touchEnrolment(
    courseId: string,
    userId: string,
    lastLessonId: string | null,
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE course_enrolments SET last_lesson_id = coalesce($3, last_lesson_id), last_activity_at = now() WHERE course_id = $1 AND user_id = $2`,
      [courseId, userId, lastLessonId],
    );
  }

  async markEnrolmentCompleted(enrolmentId: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE course_enrolments SET completed_at = coalesce(completed_at, $2) WHERE id = $1`,
      [enrolmentId, at],
    );
  }

  async enrolmentCount(courseId: string): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM course_enrolments WHERE course_id = $1`,
      [courseId],
    );
    return Number(rows[0].n);
  }

  // ---- lesson progress ----------------------------------------------------------------------

  async progressOf(userId: string, courseId: string, manager?: EntityManager): Promise<LessonProgressRow[]> {
    const rows: {
      lesson_id: string;
      started_at: Date;
      completed_at: Date | null;
      seconds_spent: number;
      last_seen_at: Date;
    }[] = await this.m(manager).query(
      `SELECT p.lesson_id, p.started_at, p.completed_at, p.seconds_spent, p.last_seen_at
         FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id WHERE p.user_id = $1 AND l.course_id = $2`,
      [userId, courseId],
    );
    return rows.map((r) => ({
      lessonId: r.lesson_id,
      startedAt: r.started_at,
      completedAt: r.completed_at,
      secondsSpent: r.seconds_spent,
      lastSeenAt: r.last_seen_at,
    }));
  }

  /** The learner's row for a lesson, created (started now) if missing, locked for this transaction. */
  async startProgress(
    userId: string,
    lessonId: string,
    manager: EntityManager,
  ): Promise<{ row: LessonProgressRow; created: boolean }> {
    const inserted: { lesson_id: string }[] = await manager.query(
      `INSERT INTO lesson_progress (user_id, lesson_id) VALUES ($1, $2) ON CONFLICT (user_id, lesson_id) DO NOTHING RETURNING lesson_id`,
      [userId, lessonId],
    );
    const rows: { started_at: Date; completed_at: Date | null; seconds_spent: number; last_seen_at: Date }[] =
      await manager.query(
        `SELECT started_at, completed_at, seconds_spent, last_seen_at FROM lesson_progress WHERE user_id = $1 AND lesson_id = $2 FOR UPDATE`,
        [userId, lessonId],
      );
    const r = rows[0];
    return {
      row: {
        lessonId,
        startedAt: r.started_at,
        completedAt: r.completed_at,
        secondsSpent: r.seconds_spent,
        lastSeenAt: r.last_seen_at,
      },
      created: inserted.length > 0,
    };
  }

  async recordTime(
    userId: string,
    lessonId: string,
    addSeconds: number,
    now: Date,
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE lesson_progress SET seconds_spent = seconds_spent + $3, last_seen_at = $4 WHERE user_id = $1 AND lesson_id = $2`,
      [userId, lessonId, Math.max(0, Math.floor(addSeconds)), now],
    );
  }

  async completeProgress(userId: string, lessonId: string, now: Date, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE lesson_progress SET completed_at = coalesce(completed_at, $3) WHERE user_id = $1 AND lesson_id = $2`,
      [userId, lessonId, now],
    );
  }

  // ---- knowledge checks ---------------------------------------------------------------------

  async insertAttempt(
    moduleId: string,
    userId: string,
    versionIds: string[],
    manager: EntityManager,
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO knowledge_check_attempts (module_id, user_id, question_count) VALUES ($1, $2, $3) RETURNING id`,
      [moduleId, userId, versionIds.length],
    );
    const id = rows[0].id;
    await manager.query(
      `INSERT INTO knowledge_check_answers (attempt_id, position, question_version_id)
       SELECT $1::uuid, (t.ord - 1)::smallint, t.vid FROM unnest($2::uuid[]) WITH ORDINALITY AS t(vid, ord)`,
      [id, versionIds],
    );
    return id;
  }

  async findAttempt(id: string, manager?: EntityManager, forUpdate = false): Promise<AttemptRow | null> {
    if (!isUuid(id)) return null;
    const rows: {
      id: string;
      module_id: string;
      user_id: string;
      question_count: number;
      started_at: Date;
      submitted_at: Date | null;
      score_percent: number | null;
      passed: boolean | null;
    }[] = await this.m(manager).query(
      `SELECT * FROM knowledge_check_attempts WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!rows[0]) return null;
    const answers: {
      position: number;
      question_version_id: string;
      response: unknown;
      status: string | null;
      credit: string | null;
      correct: boolean | null;
    }[] = await this.m(manager).query(
      `SELECT * FROM knowledge_check_answers WHERE attempt_id = $1 ORDER BY position`,
      [id],
    );
    const r = rows[0];
    return {
      id: r.id,
      moduleId: r.module_id,
      userId: r.user_id,
      questionCount: r.question_count,
      startedAt: r.started_at,
      submittedAt: r.submitted_at,
      scorePercent: r.score_percent,
      passed: r.passed,
      answers: answers.map((a) => ({
        position: a.position,
        versionId: a.question_version_id,
        response: a.response,
        status: a.status,
        credit: a.credit === null ? null : Number(a.credit),
        correct: a.correct,
      })),
    };
  }

  async openAttemptId(userId: string, moduleId: string, manager?: EntityManager): Promise<string | null> {
    const rows: { id: string }[] = await this.m(manager).query(
      `SELECT id FROM knowledge_check_attempts WHERE user_id = $1 AND module_id = $2 AND submitted_at IS NULL ORDER BY started_at DESC LIMIT 1`,
      [userId, moduleId],
    );
    return rows[0]?.id ?? null;
  }

  async saveAnswer(
    attemptId: string,
    position: number,
    answer: { response: unknown; status: string; credit: number | null; correct: boolean | null },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE knowledge_check_answers SET response = $3, status = $4, credit = $5, correct = $6 WHERE attempt_id = $1 AND position = $2`,
      [
        attemptId,
        position,
        answer.response === null ? null : JSON.stringify(answer.response),
        answer.status,
        answer.credit,
        answer.correct,
      ],
    );
  }

  async submitAttempt(
    id: string,
    scorePercent: number,
    passed: boolean,
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE knowledge_check_attempts SET submitted_at = now(), score_percent = $2, passed = $3 WHERE id = $1`,
      [id, scorePercent, passed],
    );
  }

  /** Per module of a course: attempts submitted, the best score and when it was first passed. */
  async checkSummaries(userId: string, courseId: string, manager?: EntityManager): Promise<CheckSummary[]> {
    const rows: { module_id: string; attempts: string; best: number | null; passed_at: Date | null }[] =
      await this.m(manager).query(
        `SELECT a.module_id, count(*) AS attempts, max(a.score_percent) AS best, min(a.submitted_at) FILTER (WHERE a.passed) AS passed_at
         FROM knowledge_check_attempts a JOIN course_modules m ON m.id = a.module_id
        WHERE a.user_id = $1 AND m.course_id = $2 AND a.submitted_at IS NOT NULL
        GROUP BY a.module_id`,
        [userId, courseId],
      );
    return rows.map((r) => ({
      moduleId: r.module_id,
      attempts: Number(r.attempts),
      bestPercent: r.best,
      passedAt: r.passed_at,
    }));
  }

  // ---- staff × courses ------------------------------------------------------------------------

  /**
   * Learners in scope (candidates and ISV managers, active) × published courses, with their
   * enrolment and progress. Scope is applied here, so a manager's rows can only be their staff.
   */
  async staffLearning(
    scope: DataScope,
    filter: StaffLearningFilter,
    page: PageRequest | null,
  ): Promise<{ items: StaffLearningDbRow[]; total: number }> {
    const params: unknown[] = [];
    const where = [`u.active`, `u.role IN ('candidate', 'isv_manager')`, `c.status = 'published'`];
    switch (scope.kind) {
      case 'all':
        break;
      case 'organisation':
        params.push(scope.organisationId);
        where.push(`u.organisation_id = $${params.length}`);
        break;
      case 'self':
        params.push(scope.userId);
        where.push(`u.id = $${params.length}`);
        break;
    }
    if (filter.organisationId) {
      params.push(filter.organisationId);
      where.push(`u.organisation_id = $${params.length}`);
    }
    if (filter.courseId) {
      params.push(filter.courseId);
      where.push(`c.id = $${params.length}`);
    }
    if (filter.q) {
      params.push(escapeLike(filter.q));
      where.push(`(u.name ILIKE $${params.length} OR u.email ILIKE $${params.length})`);
    }
    const status = `CASE WHEN e.id IS NULL THEN 'not_enrolled' WHEN e.completed_at IS NOT NULL THEN 'completed'
                         WHEN e.due_at IS NOT NULL AND e.due_at < now() THEN 'overdue' ELSE 'in_progress' END`;
    if (filter.status) {
      params.push(filter.status);
      where.push(`${status} = $${params.length}`);
    }
    const from = `FROM users u CROSS JOIN courses c
                  LEFT JOIN course_enrolments e ON e.user_id = u.id AND e.course_id = c.id
                  LEFT JOIN organisations o ON o.id = u.organisation_id
                 WHERE ${where.join(' AND ')}`;
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n ${from}`, params);
    const limit = page ? `LIMIT ${page.perPage} OFFSET ${offsetOf(page)}` : '';
    const items: StaffLearningDbRow[] = await this.dataSource.query(
      `WITH active AS (${ACTIVE_LESSONS}),
            totals AS (SELECT course_id, count(*) AS total FROM active GROUP BY course_id)
       SELECT u.id AS user_id, u.name, u.email, o.name AS organisation_name, c.id AS course_id, c.title AS course_title,
              ${status} AS learning_status, e.enrolled_at, e.due_at, e.completed_at,
              coalesce((SELECT t.total FROM totals t WHERE t.course_id = c.id), 0) AS total_lessons,
              (SELECT count(*) FROM lesson_progress p JOIN active a ON a.id = p.lesson_id
                WHERE p.user_id = u.id AND a.course_id = c.id AND p.completed_at IS NOT NULL) AS completed_lessons,
              (SELECT coalesce(sum(p.seconds_spent), 0) FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id
                WHERE p.user_id = u.id AND l.course_id = c.id) AS seconds_spent
         ${from}
        ORDER BY u.name, u.email, u.id, c.required_for_certification DESC, c.key
        ${limit}`,
      params,
    );
    return { items, total: Number(n) };
  }

  /** People an assigner may pick: active learners in their scope (for managers, their staff). */
  async assignableUsers(
    scope: DataScope,
    limit: number,
  ): Promise<{ id: string; name: string; email: string }[]> {
    const params: unknown[] = [];
    let clause = 'TRUE';
    switch (scope.kind) {
      case 'all':
        break;
      case 'organisation':
        params.push(scope.organisationId);
        clause = `u.organisation_id = $1`;
        break;
      case 'self':
        params.push(scope.userId);
        clause = `u.id = $1`;
        break;
    }
    return this.dataSource.query(
      `SELECT u.id, u.name, u.email FROM users u WHERE u.active AND u.role IN ('candidate', 'isv_manager') AND ${clause} ORDER BY u.name, u.email LIMIT ${limit}`,
      params,
    );
  }

  /** Resolves assignees by id or email (case-insensitive), with their organisation and role. */
  async findUsers(
    idsOrEmails: string[],
  ): Promise<{ id: string; email: string; name: string; organisation_id: string | null; active: boolean }[]> {
    if (!idsOrEmails.length) return [];
    const ids = idsOrEmails.filter(isUuid);
    const emails = idsOrEmails.filter((x) => !isUuid(x)).map((x) => x.toLowerCase());
    return this.dataSource.query(
      `SELECT id, email, name, organisation_id, active FROM users WHERE id = ANY($1::uuid[]) OR lower(email) = ANY($2::text[])`,
      [ids, emails],
    );
  }
}
