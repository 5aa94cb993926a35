/**
 * Learning: the catalogue, enrolment and assignment, per-lesson progress and time, course
 * completion, and THE eligibility rule other modules ask (`hasCompletedRequiredCourse`).
 *
 * Rules (pure versions in progress-rules.ts):
 * - Completion = every lesson that is not archived completed AND every module's knowledge check
 *   passed at ≥ 80 % (KNOWLEDGE_CHECK_PASS_PERCENT). It is recorded once on the enrolment with
 *   its date (after a lesson completion or a knowledge-check pass) and never withdrawn.
 * - Marking a lesson complete, opening it, or starting a knowledge check enrols the learner in a
 *   published course if they were not yet (self-enrolment is open to everyone signed in).
 * - Drafts are readable by platform staff as a preview; nothing is recorded for a draft.
 * - An ISV manager may assign a published course (with a due date) to people of their own
 *   organisation; platform staff to anyone. Overdue = due date passed and not completed.
 *
 * Must never: delete progress, show an archived lesson in the reader, or answer the
 * eligibility question anywhere but here.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, scopeOf } from '../../infra/http/access';
import { DEFAULT_LOCALE } from '../../infra/i18n/i18n';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../organisations/organisations.service';
import { CoursesError } from './courses.errors';
import { CourseCardRow, CoursesRepository } from './courses.repository';
import {
  CheckSummary,
  CourseCard,
  CourseEligibility,
  CourseOutline,
  CourseProgress,
  CourseRow,
  EnrolmentRow,
  EnrolmentView,
  LessonOutline,
  LessonProgressRow,
  LessonRow,
  Link,
  ModuleOutline,
  ModuleRow,
  pickText,
} from './courses.types';
import { renderMarkdown } from './markdown';
import {
  completionCredit,
  heartbeatCredit,
  isCourseComplete,
  isOverdue,
  KNOWLEDGE_CHECK_PASS_PERCENT,
  neighbours,
  percentOf,
  resumeLessonId,
} from './progress-rules';

export interface LessonReading {
  course: CourseOutline;
  module: ModuleOutline;
  lesson: {
    id: string;
    key: string;
    courseId: string;
    moduleId: string;
    title: string;
    minutes: number;
    html: string;
    /** the locale the body is shown in (the reader's, else zh-CN) */
    bodyLocale: string;
    attachments: Link[];
    videos: Link[];
    status: LessonOutline['status'];
    secondsSpent: number;
  };
  previous: LessonOutline | null;
  next: LessonOutline | null;
  /** the last lesson of its module: the module's knowledge check (if any) comes next */
  endsModule: boolean;
  /** a draft read by staff: nothing is recorded */
  preview: boolean;
}

export interface LessonCompletion {
  lessonId: string;
  courseId: string;
  completedAt: Date;
  progress: CourseProgress;
  courseCompleted: boolean;
}

@Injectable()
export class CoursesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: CoursesRepository,
    private readonly audit: AuditService,
  ) {}

  // ---- the eligibility rule -------------------------------------------------------------------

  /**
   * THE rule the certification exam asks: has this person completed the course marked
   * "required for certification"? Fails closed: with no required course defined, nobody is
   * eligible (reason NO_REQUIRED_COURSE). Reasons: NO_REQUIRED_COURSE, NOT_ENROLLED, NOT_COMPLETED.
   */
  async hasCompletedRequiredCourse(userId: string): Promise<CourseEligibility> {
    const course = await this.repository.findRequiredCourse();
    if (!course) return { eligible: false, reason: 'NO_REQUIRED_COURSE', courseId: null, completedAt: null };
    const enrolment = await this.repository.findEnrolment(course.id, userId);
    if (!enrolment)
      return { eligible: false, reason: 'NOT_ENROLLED', courseId: course.id, completedAt: null };
    if (!enrolment.completedAt)
      return { eligible: false, reason: 'NOT_COMPLETED', courseId: course.id, completedAt: null };
    return { eligible: true, reason: null, courseId: course.id, completedAt: enrolment.completedAt };
  }

  // ---- catalogue and my learning --------------------------------------------------------------

  async catalogue(userId: string, locale: string, page: PageRequest): Promise<Page<CourseCard>> {
    const { items, total } = await this.repository.courseCards(userId, { enrolledOnly: false }, page);
    const now = new Date();
    return toPage(
      items.map((r) => this.card(r, locale, now)),
      total,
      page,
    );
  }

  async myLearning(
    userId: string,
    locale: string,
    page: PageRequest,
  ): Promise<Page<CourseCard & { resumeLessonId: string | null }>> {
    const { items, total } = await this.repository.courseCards(userId, { enrolledOnly: true }, page);
    const now = new Date();
    const cards = await Promise.all(
      items.map(async (r) => {
        const lessons = await this.repository.lessonsOf(r.course.id, { includeArchived: false });
        const progress = await this.repository.progressOf(userId, r.course.id);
        return { ...this.card(r, locale, now), resumeLessonId: this.resume(lessons, progress, r.enrolment) };
      }),
    );
    return toPage(cards, total, page);
  }

  // ---- one course -----------------------------------------------------------------------------

  /** A published course (or, for staff, a draft) with modules, lessons and my status of each. */
  async outline(principal: Principal, courseIdOrKey: string, locale: string): Promise<CourseOutline> {
    const course = await this.visibleCourse(principal, courseIdOrKey);
    return this.buildOutline(principal.id, course, locale);
  }

  async progress(principal: Principal, courseIdOrKey: string): Promise<CourseProgress> {
    const course = await this.visibleCourse(principal, courseIdOrKey);
    const lessons = await this.repository.lessonsOf(course.id, { includeArchived: false });
    const progress = await this.repository.progressOf(principal.id, course.id);
    const enrolment = await this.repository.findEnrolment(course.id, principal.id);
    return this.progressOf(lessons, progress, enrolment);
  }

  /** Self-enrolment; idempotent (`created` says whether this call enrolled). */
  async enrol(
    principal: Principal,
    courseIdOrKey: string,
    locale: string,
  ): Promise<{ created: boolean; course: CourseCard }> {
    const course = await this.publishedCourse(courseIdOrKey);
    const created = await this.dataSource.transaction((manager) =>
      this.repository.enrolIfMissing(course.id, principal.id, manager),
    );
    return { created, course: await this.cardFor(principal.id, course.id, locale) };
  }

  /** One card (the catalogue entry) of a published course for one learner. */
  async cardFor(userId: string, courseId: string, locale: string): Promise<CourseCard> {
    const { items } = await this.repository.courseCards(userId, { enrolledOnly: false, courseId }, null);
    if (!items[0]) throw new CoursesError('COURSE_NOT_FOUND');
    return this.card(items[0], locale, new Date());
  }

  // ---- reading lessons ----------------------------------------------------------------------

  /**
   * A lesson to read with the table of contents, previous/next and progress. With `record`
   * (the web reader), opening it marks it started, enrols if needed and remembers it as the
   * place to resume. Archived lessons are not readable.
   */
  async readLesson(
    principal: Principal,
    lessonId: string,
    locale: string,
    record: boolean,
  ): Promise<LessonReading> {
    const lesson = await this.repository.findLesson(lessonId);
    if (!lesson || lesson.archivedAt || lesson.moduleArchivedAt) throw new CoursesError('LESSON_NOT_FOUND');
    const course = await this.visibleCourse(principal, lesson.courseId);
    const preview = course.status !== 'published';
    if (record && !preview) {
      await this.dataSource.transaction(async (manager) => {
        await this.repository.enrolIfMissing(course.id, principal.id, manager);
        const { created } = await this.repository.startProgress(principal.id, lesson.id, manager);
        // Opening a lesson again restarts the heartbeat clock (the time away is not counted).
        if (!created) await this.repository.recordTime(principal.id, lesson.id, 0, new Date(), manager);
        await this.repository.touchEnrolment(course.id, principal.id, lesson.id, manager);
      });
    }
    const outline = await this.buildOutline(principal.id, course, locale);
    const ordered = outline.modules.flatMap((m) => m.lessons);
    const module = outline.modules.find((m) => m.id === lesson.moduleId)!;
    const mine = ordered.find((l) => l.id === lesson.id)!;
    const { previous, next } = neighbours(ordered, lesson.id);
    // The reader's language, else Chinese (every lesson has it), else whatever the lesson has.
    const bodyLocale =
      [locale, DEFAULT_LOCALE, ...Object.keys(lesson.body)].find((l) => lesson.body[l]) ?? locale;
    return {
      course: outline,
      module,
      lesson: {
        id: lesson.id,
        key: lesson.key,
        courseId: course.id,
        moduleId: lesson.moduleId,
        title: pickText(lesson.title, locale),
        minutes: lesson.minutes,
        html: renderMarkdown(lesson.body[bodyLocale] ?? ''),
        bodyLocale,
        attachments: lesson.attachments,
        videos: lesson.videos,
        status: mine.status,
        secondsSpent: mine.secondsSpent,
      },
      previous,
      next,
      endsModule: module.lessons[module.lessons.length - 1]?.id === lesson.id,
      preview,
    };
  }

  /** The reader's heartbeat: credits the time since the previous one (see progress-rules.ts). */
  async heartbeat(
    principal: Principal,
    lessonId: string,
  ): Promise<{ lessonId: string; secondsSpent: number; counted: number }> {
    const { lesson } = await this.recordableLesson(principal, lessonId);
    return this.dataSource.transaction(async (manager) => {
      await this.repository.enrolIfMissing(lesson.courseId, principal.id, manager);
      const { row, created } = await this.repository.startProgress(principal.id, lesson.id, manager);
      const now = new Date();
      const counted = created ? 0 : heartbeatCredit(row.lastSeenAt, now, row.secondsSpent, lesson.minutes);
      await this.repository.recordTime(principal.id, lesson.id, counted, now, manager);
      await this.repository.touchEnrolment(lesson.courseId, principal.id, lesson.id, manager);
      return { lessonId: lesson.id, secondsSpent: row.secondsSpent + counted, counted };
    });
  }

  /** Marks a lesson complete for me (idempotent), then records the course completion if due. */
  async completeLesson(principal: Principal, lessonId: string, actor: Actor): Promise<LessonCompletion> {
    const { lesson, course } = await this.recordableLesson(principal, lessonId);
    return this.dataSource.transaction(async (manager) => {
      await this.repository.enrolIfMissing(course.id, principal.id, manager);
      // The enrolment row is the lock that serialises one learner's writes in one course.
      await this.repository.findEnrolment(course.id, principal.id, manager, true);
      const { row } = await this.repository.startProgress(principal.id, lesson.id, manager);
      const now = new Date();
      if (!row.completedAt) {
        await this.repository.recordTime(
          principal.id,
          lesson.id,
          completionCredit(row, now, lesson.minutes),
          now,
          manager,
        );
        await this.repository.completeProgress(principal.id, lesson.id, now, manager);
      }
      await this.repository.touchEnrolment(course.id, principal.id, lesson.id, manager);
      const before = await this.repository.findEnrolment(course.id, principal.id, manager);
      const completedAt = await this.refreshCompletion(principal.id, course, manager, actor);
      const lessons = await this.repository.lessonsOf(course.id, { includeArchived: false }, manager);
      const progress = await this.repository.progressOf(principal.id, course.id, manager);
      return {
        lessonId: lesson.id,
        courseId: course.id,
        completedAt: row.completedAt ?? now,
        progress: { ...this.progressOf(lessons, progress, null), completedAt },
        courseCompleted: completedAt !== null && !before?.completedAt,
      };
    });
  }

  /**
   * Records the course completion when the rule holds and it is not yet recorded; returns the
   * completion date (or null). Runs inside the caller's transaction (lesson completion,
   * knowledge-check pass).
   */
  async refreshCompletion(
    userId: string,
    course: CourseRow,
    manager: EntityManager,
    actor: Actor,
  ): Promise<Date | null> {
    const enrolment = await this.repository.findEnrolment(course.id, userId, manager, true);
    if (!enrolment) return null;
    if (enrolment.completedAt) return enrolment.completedAt;
    const lessons = await this.repository.lessonsOf(course.id, { includeArchived: false }, manager);
    const progress = await this.repository.progressOf(userId, course.id, manager);
    const modules = await this.repository.modulesOf(course.id, false, manager);
    const checks = await this.repository.checkSummaries(userId, course.id, manager);
    const done = new Set(progress.filter((p) => p.completedAt).map((p) => p.lessonId));
    const complete = isCourseComplete({
      lessons: lessons.map((l) => ({ completed: done.has(l.id) })),
      checks: modules
        .filter((m) => m.checkQuestions > 0)
        .map((m) => ({ passed: checks.some((c) => c.moduleId === m.id && c.passedAt !== null) })),
    });
    if (!complete) return null;
    const now = new Date();
    await this.repository.markEnrolmentCompleted(enrolment.id, now, manager);
    await this.audit.record(
      {
        action: 'course.completed',
        actorId: actor.id,
        actorLabel: actor.label,
        targetType: 'course',
        targetId: course.id,
        targetLabel: course.key,
        ip: actor.ip,
        requestId: actor.requestId,
        detail: { userId, lessons: lessons.length },
      },
      manager,
    );
    return now;
  }

  // ---- assignment ---------------------------------------------------------------------------

  /**
   * Assigns a published course to people (ids or emails) with an optional due date. ISV
   * managers only to their organisation's people; staff to anyone. Anyone not found or out of
   * scope is named in one error and nothing is assigned.
   */
  async assign(
    principal: Principal,
    courseIdOrKey: string,
    assignees: string[],
    dueAt: Date | null,
    actor: Actor,
  ): Promise<{ assigned: number; created: number }> {
    const course = await this.publishedCourse(courseIdOrKey);
    const wanted = [...new Set(assignees.map((a) => a.trim()).filter(Boolean))];
    if (!wanted.length)
      throw new CoursesError('ASSIGNEES_REQUIRED', {}, { assignees: ['courses.errors.ASSIGNEES_REQUIRED'] });
    if (dueAt && dueAt.getTime() < Date.now())
      throw new CoursesError('DUE_DATE_PAST', {}, { dueAt: ['courses.errors.DUE_DATE_PAST'] });
    const scope = scopeOf(principal);
    const found = await this.repository.findUsers(wanted);
    const visible = found.filter(
      (u) =>
        u.active &&
        (scope.kind === 'all' ||
          (scope.kind === 'organisation' && u.organisation_id === scope.organisationId) ||
          (scope.kind === 'self' && u.id === scope.userId)),
    );
    const missing = wanted.filter(
      (w) => !visible.some((u) => u.id === w || u.email.toLowerCase() === w.toLowerCase()),
    );
    if (missing.length) {
      throw new CoursesError(
        'ASSIGNEES_NOT_FOUND',
        { who: missing.join(', ') },
        { assignees: ['courses.errors.ASSIGNEES_NOT_FOUND'] },
        { notFound: missing },
      );
    }
    return this.dataSource.transaction(async (manager) => {
      let created = 0;
      for (const user of visible) {
        if (await this.repository.assign(course.id, user.id, principal.id, dueAt, manager)) created++;
        await this.audit.record(
          {
            action: 'course.assigned',
            actorId: actor.id,
            actorLabel: actor.label,
            targetType: 'user',
            targetId: user.id,
            targetLabel: user.email,
            organisationId: user.organisation_id,
            ip: actor.ip,
            requestId: actor.requestId,
            detail: { courseId: course.id, course: course.key, dueAt: dueAt?.toISOString() ?? null },
          },
          manager,
        );
      }
      return { assigned: visible.length, created };
    });
  }

  /** Published courses as pick-list options (assignment, filters). */
  async publishedOptions(locale: string): Promise<{ id: string; title: string }[]> {
    const courses = await this.repository.publishedCourses();
    return courses.map((c) => ({ id: c.id, title: pickText(c.title, locale) }));
  }

  // ---- shared helpers (also used by knowledge checks) -----------------------------------------

  /** A course the principal may see: published, or any for platform staff. 404 otherwise. */
  async visibleCourse(principal: Principal, courseIdOrKey: string): Promise<CourseRow> {
    const course = await this.repository.findCourse(courseIdOrKey);
    if (!course || (course.status !== 'published' && principal.role !== 'platform_staff'))
      throw new CoursesError('COURSE_NOT_FOUND');
    return course;
  }

  async publishedCourse(courseIdOrKey: string): Promise<CourseRow> {
    const course = await this.repository.findCourse(courseIdOrKey);
    if (!course) throw new CoursesError('COURSE_NOT_FOUND');
    if (course.status !== 'published') throw new CoursesError('COURSE_NOT_PUBLISHED');
    return course;
  }

  private async recordableLesson(
    principal: Principal,
    lessonId: string,
  ): Promise<{ lesson: LessonRow; course: CourseRow }> {
    const lesson = await this.repository.findLesson(lessonId);
    if (!lesson || lesson.moduleArchivedAt) throw new CoursesError('LESSON_NOT_FOUND');
    if (lesson.archivedAt) throw new CoursesError('LESSON_ARCHIVED');
    const course = await this.visibleCourse(principal, lesson.courseId);
    if (course.status !== 'published') throw new CoursesError('COURSE_NOT_PUBLISHED');
    return { lesson, course };
  }

  async buildOutline(userId: string, course: CourseRow, locale: string): Promise<CourseOutline> {
    const [modules, lessons, progress, checks, enrolment] = await Promise.all([
      this.repository.modulesOf(course.id, false),
      this.repository.lessonsOf(course.id, { includeArchived: false }),
      this.repository.progressOf(userId, course.id),
      this.repository.checkSummaries(userId, course.id),
      this.repository.findEnrolment(course.id, userId),
    ]);
    const byLesson = new Map(progress.map((p) => [p.lessonId, p]));
    const now = new Date();
    const outlineModules: ModuleOutline[] = modules.map((m) => ({
      id: m.id,
      key: m.key,
      title: pickText(m.title, locale),
      position: m.position,
      knowledgeCheck: this.checkOutline(m, checks),
      lessons: lessons
        .filter((l) => l.moduleId === m.id)
        .map((l) => this.lessonOutline(l, byLesson.get(l.id), locale)),
    }));
    const prog = this.progressOf(lessons, progress, enrolment);
    return {
      id: course.id,
      key: course.key,
      title: pickText(course.title, locale),
      summary: pickText(course.summary, locale),
      status: course.status,
      requiredForCertification: course.requiredForCertification,
      moduleCount: modules.length,
      lessonCount: lessons.length,
      totalMinutes: lessons.reduce((n, l) => n + l.minutes, 0),
      enrolment: enrolment ? this.enrolmentView(enrolment, now) : null,
      progress: prog,
      resumeLessonId: this.resume(lessons, progress, enrolment),
      modules: outlineModules,
    };
  }

  private checkOutline(m: ModuleRow, checks: CheckSummary[]): ModuleOutline['knowledgeCheck'] {
    if (m.checkQuestions <= 0) return null;
    const summary = checks.find((c) => c.moduleId === m.id);
    return {
      questions: m.checkQuestions,
      tags: m.checkTags,
      passMark: KNOWLEDGE_CHECK_PASS_PERCENT,
      attempts: summary?.attempts ?? 0,
      bestPercent: summary?.bestPercent ?? null,
      passed: !!summary?.passedAt,
      passedAt: summary?.passedAt ?? null,
    };
  }

  private lessonOutline(l: LessonRow, p: LessonProgressRow | undefined, locale: string): LessonOutline {
    return {
      id: l.id,
      key: l.key,
      title: pickText(l.title, locale),
      minutes: l.minutes,
      status: p?.completedAt ? 'completed' : p ? 'started' : 'not_started',
      startedAt: p?.startedAt ?? null,
      completedAt: p?.completedAt ?? null,
      secondsSpent: p?.secondsSpent ?? 0,
    };
  }

  private resume(
    lessons: LessonRow[],
    progress: LessonProgressRow[],
    enrolment: EnrolmentRow | null,
  ): string | null {
    const done = new Set(progress.filter((p) => p.completedAt).map((p) => p.lessonId));
    return resumeLessonId(
      lessons.map((l) => ({ id: l.id, completed: done.has(l.id) })),
      enrolment?.lastLessonId ?? null,
    );
  }

  private progressOf(
    lessons: LessonRow[],
    progress: LessonProgressRow[],
    enrolment: EnrolmentRow | null,
  ): CourseProgress {
    const active = new Set(lessons.map((l) => l.id));
    const completedLessons = progress.filter((p) => p.completedAt && active.has(p.lessonId)).length;
    return {
      completedLessons,
      totalLessons: lessons.length,
      percent: percentOf(completedLessons, lessons.length),
      completedAt: enrolment?.completedAt ?? null,
    };
  }

  private enrolmentView(e: EnrolmentRow, now: Date): EnrolmentView {
    return {
      origin: e.origin,
      enrolledAt: e.enrolledAt,
      dueAt: e.dueAt,
      completedAt: e.completedAt,
      overdue: isOverdue(e.dueAt, e.completedAt, now),
      lastActivityAt: e.lastActivityAt,
    };
  }

  private card(r: CourseCardRow, locale: string, now: Date): CourseCard {
    return {
      id: r.course.id,
      key: r.course.key,
      title: pickText(r.course.title, locale),
      summary: pickText(r.course.summary, locale),
      status: r.course.status,
      requiredForCertification: r.course.requiredForCertification,
      moduleCount: r.moduleCount,
      lessonCount: r.lessonCount,
      totalMinutes: r.totalMinutes,
      enrolment: r.enrolment ? this.enrolmentView(r.enrolment, now) : null,
      progress: {
        completedLessons: Math.min(r.completedLessons, r.lessonCount),
        totalLessons: r.lessonCount,
        percent: percentOf(r.completedLessons, r.lessonCount),
        completedAt: r.enrolment?.completedAt ?? null,
      },
    };
  }
}
