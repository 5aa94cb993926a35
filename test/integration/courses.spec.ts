/**
 * Courses against the real database: the content loader (idempotent, archives and restores by
 * key, keeps staff edits), progress and time, the completion rule, knowledge checks drawn from
 * the real banks, the eligibility rule, assignment scope.
 */
import { Principal } from '../../src/infra/http/access';
import { projectPath } from '../../src/infra/paths';
import { User } from '../../src/modules/accounts/accounts.types';
import { SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { BankImportService } from '../../src/modules/question-banks/bank-import.service';
import { QuestionContent } from '../../src/modules/question-banks/domain/question';
import {
  CourseContentLoader,
  COURSE_CONTENT_ROOT,
  readCourseDirectory,
} from '../../src/modules/courses/content-loader';
import { CourseAuthoringService } from '../../src/modules/courses/course-authoring.service';
import { CourseDefinition } from '../../src/modules/courses/course-content';
import { CoursesService } from '../../src/modules/courses/courses.service';
import { KnowledgeChecksService } from '../../src/modules/courses/knowledge-checks.service';
import { StaffLearningService } from '../../src/modules/courses/staff-learning.service';
import { startTestApp, TestApp } from '../support/app';
import { makeOrganisation, makeUser } from '../support/factories';
import { correctFor, wrongFor } from '../unit/courses/support/correct-answers';
import { join } from 'node:path';

// Jest's per-project testTimeout is not applied (it is a global option); these tests start the app and draw real banks.
jest.setTimeout(60_000);

const principal = (u: User): Principal => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  organisationId: u.organisationId,
  locale: 'en',
  via: 'session',
});

describe('courses (integration)', () => {
  let t: TestApp;
  let courses: CoursesService;
  let checks: KnowledgeChecksService;
  let authoring: CourseAuthoringService;
  let loader: CourseContentLoader;
  let shipped: CourseDefinition;
  let shippedId: string;

  beforeAll(async () => {
    t = await startTestApp();
    courses = t.app.get(CoursesService);
    checks = t.app.get(KnowledgeChecksService);
    authoring = t.app.get(CourseAuthoringService);
    loader = t.app.get(CourseContentLoader);
    await t.app.get(BankImportService).importPaths([projectPath('question-banks')], { actor: SYSTEM_ACTOR });
    const [summary] = await loader.importAll();
    expect(summary.errors).toEqual([]);
    shippedId = summary.courseId!;
    shipped = readCourseDirectory(join(COURSE_CONTENT_ROOT, 'tmic-new-product-planner'));
  });
  afterAll(async () => t?.close());

  /** A small published course: one module, `lessons` lessons, a knowledge check on one bank tag. */
  async function smallCourse(
    options: { lessons?: number; checkQuestions?: number; required?: boolean } = {},
  ) {
    const staff = await makeUser(t.app, 'platform_staff');
    const actor = { id: staff.id, label: staff.email };
    const course = await authoring.createCourse(
      {
        title: { 'zh-CN': '小课程', en: 'Small course' },
        summary: {},
        requiredForCertification: options.required ?? false,
      },
      actor,
    );
    const module = await authoring.addModule(
      course.id,
      { title: { 'zh-CN': '模块' }, checkTags: ['trinity'], checkQuestions: options.checkQuestions ?? 3 },
      actor,
    );
    const lessons = [];
    for (let i = 0; i < (options.lessons ?? 2); i++) {
      lessons.push(
        await authoring.addLesson(
          module.id,
          {
            title: { 'zh-CN': `第${i + 1}课` },
            body: { 'zh-CN': `# 第${i + 1}课\n\n正文` },
            minutes: 5,
            attachments: [],
            videos: [],
          },
          actor,
        ),
      );
    }
    await authoring.publish(course.id, actor);
    return { course, module, lessons, actor };
  }

  async function contents(attemptId: string): Promise<{ position: number; content: QuestionContent }[]> {
    return t.db.query(
      `SELECT a.position, v.content FROM knowledge_check_answers a JOIN question_versions v ON v.id = a.question_version_id WHERE a.attempt_id = $1 ORDER BY a.position`,
      [attemptId],
    );
  }

  async function takeCheck(p: Principal, moduleId: string, answer: 'right' | 'wrong') {
    const attempt = await checks.start(p, moduleId, 'en');
    const answers = await contents(attempt.id);
    const responses = new Map<number, unknown>(
      answers.map((a) => {
        const view = attempt.questions.find((q) => q.position === a.position)!.view;
        return [
          a.position,
          answer === 'right' ? correctFor(a.content, view, 'en') : wrongFor(a.content, view, 'en'),
        ];
      }),
    );
    return checks.submit(p, attempt.id, responses, 'en', { id: p.id, label: p.email });
  }

  describe('content loader', () => {
    it('loads the shipped course once: 6 modules, 23 lessons, published and required for certification', async () => {
      const [{ n: modules }] = await t.db.query(
        `SELECT count(*)::int AS n FROM course_modules WHERE course_id = $1`,
        [shippedId],
      );
      const [{ n: lessons }] = await t.db.query(
        `SELECT count(*)::int AS n FROM lessons WHERE course_id = $1 AND archived_at IS NULL`,
        [shippedId],
      );
      const [course] = await t.db.query(
        `SELECT status, required_for_certification FROM courses WHERE id = $1`,
        [shippedId],
      );
      expect([modules, lessons]).toEqual([6, 23]);
      expect(course).toEqual({ status: 'published', required_for_certification: true });
    });

    it('is idempotent: a second import changes nothing and keeps every id', async () => {
      const before = await t.db.query(
        `SELECT id, key, updated_at FROM lessons WHERE course_id = $1 ORDER BY key`,
        [shippedId],
      );
      const [{ n: audits }] = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'course.imported'`,
      );
      const [summary] = await loader.importAll();
      expect(summary).toMatchObject({
        created: false,
        modules: { added: 0, updated: 0, archived: 0, restored: 0 },
        lessons: { added: 0, updated: 0, archived: 0, restored: 0 },
      });
      expect(
        await t.db.query(`SELECT id, key, updated_at FROM lessons WHERE course_id = $1 ORDER BY key`, [
          shippedId,
        ]),
      ).toEqual(before);
      const [{ n: after }] = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'course.imported'`,
      );
      expect(after).toBe(audits);
    });

    it('archives a lesson removed from course.yaml without touching progress, and restores it with the same id', async () => {
      const learner = principal(await makeUser(t.app, 'candidate'));
      const outline = await courses.outline(learner, shippedId, 'en');
      const removed = outline.modules[1].lessons[1];
      await courses.completeLesson(learner, removed.id, SYSTEM_ACTOR);
      await courses.completeLesson(learner, outline.modules[0].lessons[0].id, SYSTEM_ACTOR);
      expect((await courses.progress(learner, shippedId)).completedLessons).toBe(2);

      const without: CourseDefinition = {
        ...shipped,
        modules: shipped.modules.map((m, i) =>
          i === 1 ? { ...m, lessons: m.lessons.filter((l) => l.key !== removed.key) } : m,
        ),
      };
      const summary = await loader.importDefinition(without);
      // The lessons after it move up one place (their positions are rewritten); nothing else changes.
      expect(summary.lessons).toEqual({ added: 0, updated: 2, archived: 1, restored: 0 });
      const [row] = await t.db.query(`SELECT archived_at FROM lessons WHERE id = $1`, [removed.id]);
      expect(row.archived_at).not.toBeNull();
      // History kept; the reader no longer shows it; progress counts only live lessons.
      const [progress] = await t.db.query(
        `SELECT completed_at FROM lesson_progress WHERE user_id = $1 AND lesson_id = $2`,
        [learner.id, removed.id],
      );
      expect(progress.completed_at).not.toBeNull();
      expect(
        (await courses.outline(learner, shippedId, 'en')).modules[1].lessons.map((l) => l.id),
      ).not.toContain(removed.id);
      expect(await courses.progress(learner, shippedId)).toMatchObject({
        completedLessons: 1,
        totalLessons: 22,
        percent: 4,
      });
      await expect(courses.readLesson(learner, removed.id, 'en', true)).rejects.toMatchObject({
        code: 'LESSON_NOT_FOUND',
      });
      await expect(courses.completeLesson(learner, removed.id, SYSTEM_ACTOR)).rejects.toMatchObject({
        code: 'LESSON_ARCHIVED',
      });

      const [back] = await loader.importAll();
      expect(back.lessons).toEqual({ added: 0, updated: 2, archived: 0, restored: 1 });
      expect(await courses.progress(learner, shippedId)).toMatchObject({
        completedLessons: 2,
        totalLessons: 23,
      });
    });

    it("keeps a staff member's edit of a shipped lesson until the lesson's file changes", async () => {
      const staff = await makeUser(t.app, 'platform_staff');
      const lessonKey = shipped.modules[2].lessons[0].key;
      const [{ id }] = await t.db.query(`SELECT id FROM lessons WHERE course_id = $1 AND key = $2`, [
        shippedId,
        lessonKey,
      ]);
      const { lesson } = await authoring.lesson(id);
      await authoring.updateLesson(
        id,
        {
          title: lesson.title,
          body: { ...lesson.body, en: '# Edited by staff' },
          minutes: 20,
          attachments: [],
          videos: [],
        },
        { id: staff.id, label: staff.email },
      );
      await loader.importAll();
      expect((await authoring.lesson(id)).lesson).toMatchObject({
        minutes: 20,
        body: expect.objectContaining({ en: '# Edited by staff' }),
      });

      const changed: CourseDefinition = {
        ...shipped,
        modules: shipped.modules.map((m, i) =>
          i === 2 ? { ...m, lessons: m.lessons.map((l, k) => (k === 0 ? { ...l, minutes: 16 } : l)) } : m,
        ),
      };
      expect((await loader.importDefinition(changed)).lessons.updated).toBe(1);
      expect((await authoring.lesson(id)).lesson).toMatchObject({
        id,
        minutes: 16,
        body: expect.objectContaining({ en: shipped.modules[2].lessons[0].body.en }),
      });
      await loader.importAll();
    });
  });

  describe('progress and completion', () => {
    it('marks a lesson complete once: a second completion changes nothing', async () => {
      const { course, lessons } = await smallCourse();
      const learner = principal(await makeUser(t.app, 'candidate'));
      const first = await courses.completeLesson(learner, lessons[0].id, SYSTEM_ACTOR);
      const second = await courses.completeLesson(learner, lessons[0].id, SYSTEM_ACTOR);
      expect(second.completedAt).toEqual(first.completedAt);
      expect(second.progress).toEqual({
        completedLessons: 1,
        totalLessons: 2,
        percent: 50,
        completedAt: null,
      });
      const rows = await t.db.query(`SELECT count(*)::int AS n FROM lesson_progress WHERE user_id = $1`, [
        learner.id,
      ]);
      expect(rows[0].n).toBe(1);
      // Completing a lesson enrols the learner (self-enrolment).
      expect((await courses.outline(learner, course.id, 'en')).enrolment).toMatchObject({ origin: 'self' });
    });

    it('completes the course only after every lesson AND the knowledge check passed at 80 %, and records the date once', async () => {
      const { course, module, lessons } = await smallCourse();
      const learner = principal(await makeUser(t.app, 'candidate'));
      for (const lesson of lessons) await courses.completeLesson(learner, lesson.id, SYSTEM_ACTOR);
      expect(await courses.progress(learner, course.id)).toEqual({
        completedLessons: 2,
        totalLessons: 2,
        percent: 100,
        completedAt: null,
      });

      const failed = await takeCheck(learner, module.id, 'wrong');
      expect(failed).toMatchObject({ passed: false, courseCompletedAt: null });
      expect(failed.scorePercent).toBeLessThan(80);
      expect(failed.feedback!.every((f) => f.explanation !== null || f.answer !== null)).toBe(true);
      expect((await courses.progress(learner, course.id)).completedAt).toBeNull();

      const passed = await takeCheck(learner, module.id, 'right');
      expect(passed).toMatchObject({ passed: true, scorePercent: 100 });
      const completedAt = (await courses.progress(learner, course.id)).completedAt;
      expect(completedAt).toBeInstanceOf(Date);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'course.completed' AND target_id = $1`,
        [course.id],
      );
      expect(n).toBe(1);

      // Unlimited tries: another attempt after passing is fine and changes nothing recorded.
      await takeCheck(learner, module.id, 'wrong');
      expect((await courses.progress(learner, course.id)).completedAt).toEqual(completedAt);
    });

    it('does not complete the course when the check is passed but a lesson is still open', async () => {
      const { course, module, lessons } = await smallCourse();
      const learner = principal(await makeUser(t.app, 'candidate'));
      await courses.completeLesson(learner, lessons[0].id, SYSTEM_ACTOR);
      expect((await takeCheck(learner, module.id, 'right')).passed).toBe(true);
      expect((await courses.progress(learner, course.id)).completedAt).toBeNull();
      const last = await courses.completeLesson(learner, lessons[1].id, SYSTEM_ACTOR);
      expect(last.courseCompleted).toBe(true);
      expect(last.progress.completedAt).toBeInstanceOf(Date);
    });

    it('keeps a completion when a lesson is added later (the new lesson shows as not started)', async () => {
      const { course, module, lessons, actor } = await smallCourse({ checkQuestions: 0 });
      const learner = principal(await makeUser(t.app, 'candidate'));
      for (const lesson of lessons) await courses.completeLesson(learner, lesson.id, SYSTEM_ACTOR);
      const done = await courses.progress(learner, course.id);
      expect(done.completedAt).toBeInstanceOf(Date);
      await authoring.addLesson(
        module.id,
        { title: { 'zh-CN': '新课' }, body: { 'zh-CN': '新' }, minutes: 5, attachments: [], videos: [] },
        actor,
      );
      expect(await courses.progress(learner, course.id)).toEqual({
        completedLessons: 2,
        totalLessons: 3,
        percent: 66,
        completedAt: done.completedAt,
      });
    });

    it('refuses answers of the wrong shape through the API path and a second submission', async () => {
      const { module } = await smallCourse();
      const learner = principal(await makeUser(t.app, 'candidate'));
      const attempt = await checks.start(learner, module.id, 'en');
      const again = await checks.start(learner, module.id, 'en');
      expect(again.id).toBe(attempt.id); // the open attempt is reused
      await expect(
        checks.submit(learner, attempt.id, new Map([[0, { nonsense: true }]]), 'en', SYSTEM_ACTOR),
      ).rejects.toMatchObject({ status: 400 });
      await checks.submit(learner, attempt.id, new Map(), 'en', SYSTEM_ACTOR);
      await expect(checks.submit(learner, attempt.id, new Map(), 'en', SYSTEM_ACTOR)).rejects.toMatchObject({
        code: 'ATTEMPT_SUBMITTED',
      });
      const other = principal(await makeUser(t.app, 'candidate'));
      await expect(checks.attempt(other, attempt.id, 'en')).rejects.toMatchObject({
        code: 'ATTEMPT_NOT_FOUND',
      });
    });

    it('draws knowledge-check questions without keys', async () => {
      const { module } = await smallCourse({ checkQuestions: 5 });
      const learner = principal(await makeUser(t.app, 'candidate'));
      const attempt = await checks.start(learner, module.id, 'en');
      expect(attempt.questions).toHaveLength(5);
      expect(attempt.feedback).toBeNull();
      const text = JSON.stringify(attempt);
      expect(text).not.toMatch(/"fraction"|"answer"|"explanation":"[^"]/);
    });

    it('counts reading time from heartbeats, ignoring long gaps, and capped per lesson', async () => {
      const { lessons } = await smallCourse();
      const learner = principal(await makeUser(t.app, 'candidate'));
      const lesson = lessons[0]; // 5 minutes → cap 900 s
      expect((await courses.heartbeat(learner, lesson.id)).counted).toBe(0); // the first one only starts the clock
      const back = (seconds: number) =>
        t.db.query(
          `UPDATE lesson_progress SET last_seen_at = now() - make_interval(secs => $3) WHERE user_id = $1 AND lesson_id = $2`,
          [learner.id, lesson.id, seconds],
        );
      await back(30);
      expect((await courses.heartbeat(learner, lesson.id)).counted).toBeGreaterThanOrEqual(30);
      await back(600);
      expect((await courses.heartbeat(learner, lesson.id)).counted).toBe(0);
      await t.db.query(
        `UPDATE lesson_progress SET seconds_spent = 890 WHERE user_id = $1 AND lesson_id = $2`,
        [learner.id, lesson.id],
      );
      await back(60);
      const capped = await courses.heartbeat(learner, lesson.id);
      expect(capped).toMatchObject({ counted: 10, secondsSpent: 900 });
    });

    it('credits start-to-completion, capped at the estimate, when no heartbeat came', async () => {
      const { lessons } = await smallCourse();
      const learner = principal(await makeUser(t.app, 'candidate'));
      await courses.readLesson(learner, lessons[0].id, 'en', true);
      await t.db.query(
        `UPDATE lesson_progress SET started_at = now() - interval '2 minutes', last_seen_at = now() - interval '2 minutes' WHERE user_id = $1`,
        [learner.id],
      );
      await courses.completeLesson(learner, lessons[0].id, SYSTEM_ACTOR);
      await courses.readLesson(learner, lessons[1].id, 'en', true);
      await t.db.query(
        `UPDATE lesson_progress SET started_at = now() - interval '3 hours', last_seen_at = now() - interval '3 hours' WHERE user_id = $1 AND lesson_id = $2`,
        [learner.id, lessons[1].id],
      );
      await courses.completeLesson(learner, lessons[1].id, SYSTEM_ACTOR);
      const rows: { seconds_spent: number }[] = await t.db.query(
        `SELECT seconds_spent FROM lesson_progress WHERE user_id = $1 ORDER BY started_at DESC`,
        [learner.id],
      );
      expect(rows[0].seconds_spent).toBeGreaterThanOrEqual(119);
      expect(rows[0].seconds_spent).toBeLessThanOrEqual(125);
      expect(rows[1].seconds_spent).toBe(300);
    });

    it('resumes where the learner left off', async () => {
      const { course, lessons } = await smallCourse({ lessons: 3 });
      const learner = principal(await makeUser(t.app, 'candidate'));
      await courses.readLesson(learner, lessons[1].id, 'en', true);
      expect((await courses.outline(learner, course.id, 'en')).resumeLessonId).toBe(lessons[1].id);
      await courses.completeLesson(learner, lessons[1].id, SYSTEM_ACTOR);
      expect((await courses.outline(learner, course.id, 'en')).resumeLessonId).toBe(lessons[2].id);
    });
  });

  describe('the eligibility rule', () => {
    it('says no before and yes after completing the required course', async () => {
      const learner = principal(await makeUser(t.app, 'candidate'));
      expect(await courses.hasCompletedRequiredCourse(learner.id)).toEqual({
        eligible: false,
        reason: 'NOT_ENROLLED',
        courseId: shippedId,
        completedAt: null,
      });
      await courses.enrol(learner, shippedId, 'en');
      expect(await courses.hasCompletedRequiredCourse(learner.id)).toMatchObject({
        eligible: false,
        reason: 'NOT_COMPLETED',
      });
      const outline = await courses.outline(learner, shippedId, 'en');
      for (const m of outline.modules) {
        for (const l of m.lessons) await courses.completeLesson(learner, l.id, SYSTEM_ACTOR);
        if (m.id !== outline.modules[5].id)
          expect((await takeCheck(learner, m.id, 'right')).passed).toBe(true);
      }
      expect(await courses.hasCompletedRequiredCourse(learner.id)).toMatchObject({
        eligible: false,
        reason: 'NOT_COMPLETED',
      });
      expect((await takeCheck(learner, outline.modules[5].id, 'right')).passed).toBe(true);
      const yes = await courses.hasCompletedRequiredCourse(learner.id);
      expect(yes).toMatchObject({ eligible: true, reason: null, courseId: shippedId });
      expect(yes.completedAt).toBeInstanceOf(Date);
    });

    it('allows only one course to be required for certification', async () => {
      const staff = await makeUser(t.app, 'platform_staff');
      await expect(
        authoring.createCourse(
          { title: { 'zh-CN': '另一门' }, summary: {}, requiredForCertification: true },
          { id: staff.id, label: staff.email },
        ),
      ).rejects.toMatchObject({ code: 'REQUIRED_COURSE_EXISTS' });
    });
  });

  describe('assignment and the staff table', () => {
    it("lets an ISV manager assign only their organisation's people, staff anyone", async () => {
      const mine = await makeOrganisation(t.app, 'isv');
      const other = await makeOrganisation(t.app, 'isv');
      const manager = principal(await makeUser(t.app, 'isv_manager', mine.id));
      const colleague = await makeUser(t.app, 'candidate', mine.id);
      const stranger = await makeUser(t.app, 'candidate', other.id);
      const due = new Date(Date.now() + 7 * 86_400_000);
      await expect(
        courses.assign(manager, shippedId, [colleague.email, stranger.email], due, SYSTEM_ACTOR),
      ).rejects.toMatchObject({
        code: 'ASSIGNEES_NOT_FOUND',
        data: { notFound: [stranger.email] },
      });
      expect(
        await t.db.query(`SELECT 1 FROM course_enrolments WHERE user_id = $1`, [colleague.id]),
      ).toHaveLength(0);
      expect(await courses.assign(manager, shippedId, [colleague.id], due, SYSTEM_ACTOR)).toEqual({
        assigned: 1,
        created: 1,
      });
      expect(
        await courses.assign(manager, shippedId, [colleague.email.toUpperCase()], due, SYSTEM_ACTOR),
      ).toEqual({ assigned: 1, created: 0 });
      await expect(
        courses.assign(manager, shippedId, [colleague.id], new Date(Date.now() - 86_400_000), SYSTEM_ACTOR),
      ).rejects.toMatchObject({ code: 'DUE_DATE_PAST' });
      const staff = principal(await makeUser(t.app, 'platform_staff'));
      expect(await courses.assign(staff, shippedId, [stranger.email], null, SYSTEM_ACTOR)).toEqual({
        assigned: 1,
        created: 1,
      });
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'course.assigned' AND target_id IN ($1, $2)`,
        [colleague.id, stranger.id],
      );
      expect(n).toBe(3);
    });

    it('shows an assignment past its due date as overdue until completed', async () => {
      const org = await makeOrganisation(t.app, 'isv');
      const manager = principal(await makeUser(t.app, 'isv_manager', org.id));
      const late = await makeUser(t.app, 'candidate', org.id);
      await courses.assign(manager, shippedId, [late.id], new Date(Date.now() + 86_400_000), SYSTEM_ACTOR);
      await t.db.query(`UPDATE course_enrolments SET due_at = now() - interval '1 day' WHERE user_id = $1`, [
        late.id,
      ]);
      const table = await t.app
        .get(StaffLearningService)
        .table(manager, { status: 'overdue' }, { page: 1, perPage: 25 }, 'en');
      expect(table.items.map((r) => [r.userId, r.status, r.overdue])).toEqual([[late.id, 'overdue', true]]);
      expect((await courses.outline(principal(late), shippedId, 'en')).enrolment).toMatchObject({
        overdue: true,
      });
    });
  });
});
