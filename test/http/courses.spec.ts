/**
 * The courses interface on the real app: the API a new candidate uses from enrolment to
 * completion (and the eligibility rule before and after), the staff table and its CSV scoped to
 * a manager's own staff, Markdown rendered inert, and every page rendering in both languages.
 */
import request from 'supertest';
import { projectPath } from '../../src/infra/paths';
import { UsersService } from '../../src/modules/accounts/users.service';
import { SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { BankImportService } from '../../src/modules/question-banks/bank-import.service';
import { QuestionContent } from '../../src/modules/question-banks/domain/question';
import { CourseContentLoader } from '../../src/modules/courses/content-loader';
import { CourseAuthoringService } from '../../src/modules/courses/course-authoring.service';
import { CoursesService } from '../../src/modules/courses/courses.service';
import { startTestApp, TestApp } from '../support/app';
import { makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';
import { correctFor } from '../unit/courses/support/correct-answers';

// Jest's per-project testTimeout is not applied (it is a global option); these tests start the app and draw real banks.
jest.setTimeout(60_000);

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function webSignIn(url: string, email: string) {
  const agent = request.agent(url);
  const page = await agent.get('/login');
  const response = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password: PASSWORD, next: '/' });
  if (response.status !== 303) throw new Error(`web sign-in failed for ${email}: ${response.status}`);
  return agent;
}

describe('courses over HTTP', () => {
  let t: TestApp;
  let courseId: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.get(BankImportService).importPaths([projectPath('question-banks')], { actor: SYSTEM_ACTOR });
    const [summary] = await t.app.get(CourseContentLoader).importAll();
    courseId = summary.courseId!;
  });
  afterAll(async () => t?.close());

  it('takes a new candidate from enrolment to completion through the API; the eligibility rule says no before and yes after', async () => {
    const candidate = await makeUser(t.app, 'candidate');
    const api = await signedInAgent(t.url, candidate.email, PASSWORD);
    const eligibility = () => t.app.get(CoursesService).hasCompletedRequiredCourse(candidate.id);
    expect(await eligibility()).toMatchObject({ eligible: false, reason: 'NOT_ENROLLED', courseId });

    const catalogue = await api.get('/api/v1/courses');
    expect(catalogue.status).toBe(200);
    expect(catalogue.body.items).toEqual([
      expect.objectContaining({
        id: courseId,
        key: 'tmic-new-product-planner',
        requiredForCertification: true,
        lessonCount: 23,
        enrolment: null,
        progress: { completedLessons: 0, totalLessons: 23, percent: 0, completedAt: null },
      }),
    ]);

    const enrol = await api.post(`/api/v1/courses/${courseId}/enrolment`).send({});
    expect(enrol.status).toBe(201);
    expect(enrol.body).toMatchObject({ created: true, enrolment: { origin: 'self', completedAt: null } });
    const again = await api.post(`/api/v1/courses/${courseId}/enrolment`).send({});
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(await eligibility()).toMatchObject({ eligible: false, reason: 'NOT_COMPLETED' });

    const course = await api.get(`/api/v1/courses/${courseId}`);
    expect(course.status).toBe(200);
    expect(course.body.modules).toHaveLength(6);
    expect(course.body.modules[0]).toMatchObject({
      id: expect.any(String),
      knowledgeCheck: { questions: 5, passMark: 80, passed: false },
    });
    expect(course.body.modules[0].lessons[0]).toMatchObject({
      id: expect.any(String),
      key: 'm1-l1-tmic-and-planners',
      status: 'not_started',
    });
    // The same course by its key.
    expect((await api.get('/api/v1/courses/tmic-new-product-planner')).body.id).toBe(courseId);

    const lessonIds: string[] = course.body.modules.flatMap((m: { lessons: { id: string }[] }) =>
      m.lessons.map((l) => l.id),
    );
    const first = await api.get(`/api/v1/lessons/${lessonIds[0]}`);
    expect(first.status).toBe(200);
    expect(first.body.html).toContain('<h2>');
    expect(first.body.next.id).toBe(lessonIds[1]);

    let percent = 0;
    for (const [index, lessonId] of lessonIds.entries()) {
      const done = await api.post(`/api/v1/lessons/${lessonId}/completion`).send({});
      expect(done.status).toBe(200);
      expect(done.body.progress.completedLessons).toBe(index + 1);
      expect(done.body.progress.percent).toBeGreaterThanOrEqual(percent);
      percent = done.body.progress.percent;
    }
    // Idempotent.
    expect(
      (await api.post(`/api/v1/lessons/${lessonIds[0]}/completion`).send({})).body.progress.completedLessons,
    ).toBe(23);
    expect((await api.get(`/api/v1/courses/${courseId}/progress`)).body).toEqual({
      completedLessons: 23,
      totalLessons: 23,
      percent: 100,
      completedAt: null,
    });
    expect(await eligibility()).toMatchObject({ eligible: false, reason: 'NOT_COMPLETED' });

    for (const module of course.body.modules) {
      const attempt = await api.post(`/api/v1/modules/${module.id}/knowledge-check/attempts`).send({});
      expect(attempt.status).toBe(201);
      expect(JSON.stringify(attempt.body.questions)).not.toMatch(/fraction|"answer"/);
      const keys: { position: number; content: QuestionContent }[] = await t.db.query(
        `SELECT a.position, v.content FROM knowledge_check_answers a JOIN question_versions v ON v.id = a.question_version_id WHERE a.attempt_id = $1`,
        [attempt.body.id],
      );
      const answers = attempt.body.questions.map((q: { position: number; view: never }) => ({
        position: q.position,
        response: correctFor(keys.find((k) => k.position === q.position)!.content, q.view, 'zh-CN'),
      }));
      const submitted = await api
        .post(`/api/v1/knowledge-check-attempts/${attempt.body.id}/submission`)
        .send({ answers });
      expect(submitted.status).toBe(200);
      expect(submitted.body).toMatchObject({ passed: true, scorePercent: 100 });
      expect(submitted.body.feedback[0]).toMatchObject({
        status: 'graded',
        correct: true,
        explanation: expect.any(String),
      });
    }

    const progress = await api.get(`/api/v1/courses/${courseId}/progress`);
    expect(progress.body).toMatchObject({
      completedLessons: 23,
      totalLessons: 23,
      percent: 100,
      completedAt: expect.any(String),
    });
    const yes = await eligibility();
    expect(yes).toMatchObject({ eligible: true, reason: null, courseId });
    expect(yes.completedAt!.toISOString()).toBe(progress.body.completedAt);
    expect((await api.get('/api/v1/me/certification-eligibility')).body).toMatchObject({
      eligible: true,
      courseId,
    });
  });

  it('answers 400 with the reason for a malformed knowledge-check answer, 404 for unknown ids, 401 without sign-in', async () => {
    const candidate = await makeUser(t.app, 'candidate');
    const api = await signedInAgent(t.url, candidate.email, PASSWORD);
    const course = (await api.get(`/api/v1/courses/${courseId}`)).body;
    const attempt = (
      await api.post(`/api/v1/modules/${course.modules[0].id}/knowledge-check/attempts`).send({})
    ).body;
    const bad = await api
      .post(`/api/v1/knowledge-check-attempts/${attempt.id}/submission`)
      .send({ answers: [{ position: 0, response: { nonsense: 1 } }] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('RESPONSE_INVALID');
    expect((await api.get('/api/v1/courses/no-such-course')).status).toBe(404);
    expect(
      (await api.post('/api/v1/lessons/00000000-0000-0000-0000-000000000000/completion').send({})).status,
    ).toBe(404);
    expect((await request(t.url).get('/api/v1/courses')).status).toBe(401);
  });

  it('gives an ISV manager a staff table and CSV of exactly their own staff', async () => {
    const mine = await makeOrganisation(t.app, 'isv');
    const other = await makeOrganisation(t.app, 'isv');
    const manager = await makeUser(t.app, 'isv_manager', mine.id);
    const colleagues = [
      await makeUser(t.app, 'candidate', mine.id, { name: '=cmd|calc' }),
      await makeUser(t.app, 'candidate', mine.id),
    ];
    const stranger = await makeUser(t.app, 'candidate', other.id);
    const loner = await makeUser(t.app, 'candidate', null);
    const api = await signedInAgent(t.url, manager.email, PASSWORD);

    const assign = await api
      .post(`/api/v1/courses/${courseId}/assignments`)
      .send({ assignees: [colleagues[0].email], dueAt: '2099-12-31' });
    expect(assign.status).toBe(200);
    expect(assign.body).toEqual({ assigned: 1, created: 1 });
    const refused = await api
      .post(`/api/v1/courses/${courseId}/assignments`)
      .send({ assignees: [stranger.email] });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('ASSIGNEES_NOT_FOUND');

    const table = await api.get('/api/v1/staff-learning?perPage=100');
    expect(table.status).toBe(200);
    const ids = new Set<string>(table.body.items.map((r: { userId: string }) => r.userId));
    expect([...ids].sort()).toEqual([manager.id, ...colleagues.map((c) => c.id)].sort());
    expect(table.body.items.find((r: { userId: string }) => r.userId === colleagues[0].id)).toMatchObject({
      status: 'in_progress',
      dueAt: '2099-12-31T15:59:59.000Z',
    });
    // The organisation filter cannot widen a manager's scope.
    const widened = await api.get(`/api/v1/staff-learning?organisationId=${other.id}`);
    expect(widened.body.items.map((r: { userId: string }) => r.userId)).not.toContain(stranger.id);

    const web = await webSignIn(t.url, manager.email);
    const csv = await web.get('/staff-learning/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="staff-learning-/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(1 + 3);
    for (const person of [manager, ...colleagues]) expect(csv.text).toContain(person.email);
    for (const outsider of [stranger, loner]) expect(csv.text).not.toContain(outsider.email);
    expect(csv.text).toContain(`'=cmd|calc`);
    const apiCsv = await api.get('/api/v1/staff-learning/export?status=in_progress');
    expect(
      apiCsv.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/),
    ).toHaveLength(2);

    const page = await web.get('/staff-learning');
    expect(page.status).toBe(200);
    for (const person of [manager, ...colleagues]) expect(page.text).toContain(person.email);
    for (const outsider of [stranger, loner]) expect(page.text).not.toContain(outsider.email);

    const staff = await makeUser(t.app, 'platform_staff');
    const all = await (
      await signedInAgent(t.url, staff.email, PASSWORD)
    ).get(`/api/v1/staff-learning?perPage=100&q=${encodeURIComponent(stranger.email)}`);
    expect(all.body.items.map((r: { userId: string }) => r.userId)).toEqual([stranger.id]);
  });

  it('keeps the staff table and authoring from candidates', async () => {
    const candidate = await makeUser(t.app, 'candidate');
    const web = await webSignIn(t.url, candidate.email);
    expect((await web.get('/staff-learning')).status).toBe(403);
    expect((await web.get('/admin/courses')).status).toBe(403);
    const api = await signedInAgent(t.url, candidate.email, PASSWORD);
    expect((await api.get('/api/v1/staff-learning')).status).toBe(403);
    expect(
      (await api.post(`/api/v1/courses/${courseId}/assignments`).send({ assignees: [candidate.email] }))
        .status,
    ).toBe(403);
  });

  it('renders Markdown with <script>, inline event handlers and javascript: links inert', async () => {
    const staff = await makeUser(t.app, 'platform_staff');
    const actor = { id: staff.id, label: staff.email };
    const authoring = t.app.get(CourseAuthoringService);
    const course = await authoring.createCourse(
      { key: 'xss-check', title: { 'zh-CN': '安全' }, summary: {}, requiredForCertification: false },
      actor,
    );
    const module = await authoring.addModule(
      course.id,
      { title: { 'zh-CN': '模块' }, checkTags: [], checkQuestions: 0 },
      actor,
    );
    const lesson = await authoring.addLesson(
      module.id,
      { title: { 'zh-CN': '课' }, body: { 'zh-CN': '# 课' }, minutes: 5, attachments: [], videos: [] },
      actor,
    );
    await authoring.publish(course.id, actor);
    const evil = [
      '## Safe heading',
      '<script>window.pwned = 1</script>',
      '<img src="https://x.example/i.png" onerror="window.pwned = 2">',
      '<p onclick="window.pwned = 3">click</p>',
      '[click me](javascript:window.pwned=4) <a href="JAVASCRIPT:window.pwned=5">x</a>',
      '<iframe src="https://evil.example"></iframe>',
    ].join('\n\n');

    const web = await webSignIn(t.url, staff.email);
    const form = await web.get(`/admin/courses/lessons/${lesson.id}`);
    expect(form.status).toBe(200);
    const fields = {
      _csrf: csrfOf(form.text),
      titleZh: '课',
      titleEn: 'Lesson',
      bodyZh: evil,
      bodyEn: evil,
      minutes: '5',
      attachments: 'Slides | javascript:alert(1)',
      videos: '',
      moduleId: module.id,
    };
    const badLink = await web
      .post(`/admin/courses/lessons/${lesson.id}`)
      .type('form')
      .send({ ...fields, action: 'save' });
    expect(badLink.status).toBe(400);
    expect(badLink.text).toContain('&lt;script&gt;window.pwned'); // typed input comes back, escaped, in the textarea
    expect(badLink.text).not.toContain('<script>window.pwned');
    const preview = await web
      .post(`/admin/courses/lessons/${lesson.id}`)
      .type('form')
      .send({ ...fields, attachments: '', action: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('data-markdown-preview');
    const saved = await web
      .post(`/admin/courses/lessons/${lesson.id}`)
      .type('form')
      .send({ ...fields, attachments: 'Slides | https://files.example/s.pdf', action: 'save' });
    expect(saved.status).toBe(303);

    const candidate = await makeUser(t.app, 'candidate');
    const reader = await webSignIn(t.url, candidate.email);
    const page = await reader.get(`/lessons/${lesson.id}`);
    expect(page.status).toBe(200);
    const body =
      /<div class="lesson-body"[^>]*>([\s\S]*?)<\/div>\s*<section class="lesson-links">/.exec(
        page.text,
      )?.[1] ?? '';
    expect(body).toContain('<h2>Safe heading</h2>');
    expect(body).toContain('<img src="https://x.example/i.png" />');
    const previewSection = preview.text.slice(preview.text.indexOf('data-markdown-preview'));
    for (const html of [
      page.text,
      previewSection,
      (await (await signedInAgent(t.url, candidate.email, PASSWORD)).get(`/api/v1/lessons/${lesson.id}`)).body
        .html as string,
    ]) {
      expect(html).not.toMatch(/<script>window|<iframe|onerror=|onclick=|javascript:/i);
    }
    expect(page.text).toContain('<a href="https://files.example/s.pdf" rel="noopener noreferrer">Slides</a>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('hides a draft course from candidates and shows it to staff as a preview', async () => {
    const staff = await makeUser(t.app, 'platform_staff');
    const authoring = t.app.get(CourseAuthoringService);
    const draft = await authoring.createCourse(
      { title: { 'zh-CN': '草稿课程' }, summary: {}, requiredForCertification: false },
      { id: staff.id, label: staff.email },
    );
    const candidate = await signedInAgent(t.url, (await makeUser(t.app, 'candidate')).email, PASSWORD);
    expect((await candidate.get(`/api/v1/courses/${draft.id}`)).status).toBe(404);
    expect((await candidate.post(`/api/v1/courses/${draft.id}/enrolment`).send({})).status).toBe(409);
    expect(
      (await candidate.get('/api/v1/courses')).body.items.map((c: { id: string }) => c.id),
    ).not.toContain(draft.id);
    const staffWeb = await webSignIn(t.url, staff.email);
    const preview = await staffWeb.get(`/courses/${draft.id}`);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('草稿');
  });

  it('lets staff author a course through the pages: create, add a module and a lesson, reorder, publish', async () => {
    const staff = await makeUser(t.app, 'platform_staff');
    const web = await webSignIn(t.url, staff.email);
    const form = await web.get('/admin/courses/new');
    const created = await web
      .post('/admin/courses')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        key: 'authored-course',
        titleZh: '新课程',
        titleEn: 'New course',
        summaryZh: '',
        summaryEn: '',
      });
    expect(created.status).toBe(303);
    const editorUrl = created.headers.location;
    const editor = await web.get(editorUrl);
    expect(editor.text).toContain('新课程');
    const csrf = csrfOf(editor.text);
    const taken = await web
      .post('/admin/courses')
      .type('form')
      .send({ _csrf: csrf, key: 'authored-course', titleZh: '重复' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('authored-course');
    expect((await web.post(`${editorUrl}/publish`).type('form').send({ _csrf: csrf })).status).toBe(303);
    const stillDraft = await web.get(editorUrl);
    expect(stillDraft.text).toContain('data-publish'); // still a draft: no lesson yet
    expect(stillDraft.text).toContain('flash-error');
    await web
      .post(`${editorUrl}/modules`)
      .type('form')
      .send({ _csrf: csrf, titleZh: '模块一', titleEn: 'Module one' });
    const courseIdOf = editorUrl.split('/').pop()!;
    const [{ id: moduleId }] = await t.db.query(`SELECT id FROM course_modules WHERE course_id = $1`, [
      courseIdOf,
    ]);
    for (const title of ['甲', '乙'])
      await web
        .post(`/admin/courses/modules/${moduleId}/lessons`)
        .type('form')
        .send({ _csrf: csrf, titleZh: title });
    const lessons: { id: string }[] = await t.db.query(
      `SELECT id FROM lessons WHERE module_id = $1 ORDER BY position`,
      [moduleId],
    );
    expect(
      (
        await web
          .post(`/admin/courses/lessons/${lessons[1].id}/move`)
          .type('form')
          .send({ _csrf: csrf, direction: 'up' })
      ).status,
    ).toBe(303);
    const reordered: { id: string }[] = await t.db.query(
      `SELECT id FROM lessons WHERE module_id = $1 ORDER BY position`,
      [moduleId],
    );
    expect(reordered.map((l) => l.id)).toEqual([lessons[1].id, lessons[0].id]);
    const moduleForm = await web
      .post(`/admin/courses/modules/${moduleId}`)
      .type('form')
      .send({ _csrf: csrf, titleZh: '模块一', titleEn: '', checkTags: 'aipl, fast', checkQuestions: '4' });
    expect(moduleForm.status).toBe(303);
    expect((await web.post(`${editorUrl}/publish`).type('form').send({ _csrf: csrf })).status).toBe(303);
    const [row] = await t.db.query(`SELECT status FROM courses WHERE id = $1`, [courseIdOf]);
    expect(row.status).toBe('published');
    const [mod] = await t.db.query(`SELECT check_tags, check_questions FROM course_modules WHERE id = $1`, [
      moduleId,
    ]);
    expect(mod).toEqual({ check_tags: ['aipl', 'fast'], check_questions: 4 });
    await web.post(`/admin/courses/lessons/${lessons[0].id}/archive`).type('form').send({ _csrf: csrf });
    const [archived] = await t.db.query(`SELECT archived_at FROM lessons WHERE id = $1`, [lessons[0].id]);
    expect(archived.archived_at).not.toBeNull();
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1 AND action IN ('course.created', 'course.published', 'course.updated')`,
      [courseIdOf],
    );
    expect(n).toBeGreaterThanOrEqual(6);
  });

  it('renders every course page for each role, in Chinese and in English', async () => {
    const org = await makeOrganisation(t.app, 'isv');
    const manager = await makeUser(t.app, 'isv_manager', org.id);
    const candidate = await makeUser(t.app, 'candidate', org.id);
    const staff = await makeUser(t.app, 'platform_staff');
    const courses = t.app.get(CoursesService);
    const outline = await courses.outline(
      {
        id: staff.id,
        email: staff.email,
        name: staff.name,
        role: 'platform_staff',
        organisationId: null,
        locale: 'zh-CN',
        via: 'session',
      },
      courseId,
      'zh-CN',
    );
    const lesson = outline.modules[0].lessons[0];
    const module = outline.modules[0];
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const user of [candidate, manager, staff]) {
        await t.app.get(UsersService).update(user.id, { locale }, SYSTEM_ACTOR);
        const web = await webSignIn(t.url, user.email);
        const pages = [
          '/courses',
          `/courses/${courseId}`,
          `/lessons/${lesson.id}`,
          `/modules/${module.id}/knowledge-check`,
        ];
        if (user.role !== 'platform_staff') pages.push('/learning');
        if (user.role !== 'candidate')
          pages.push('/staff-learning', '/staff-learning/assign', '/staff-learning?status=overdue&q=x');
        if (user.role === 'platform_staff')
          pages.push(
            '/admin/courses',
            '/admin/courses/new',
            `/admin/courses/${courseId}`,
            `/admin/courses/modules/${module.id}`,
            `/admin/courses/lessons/${lesson.id}`,
          );
        for (const path of pages) {
          const page = await web.get(path);
          expect([path, page.status]).toEqual([path, 200]);
          expect(page.text).toContain(`<html lang="${locale}">`);
          expect(page.text).not.toMatch(/courses\.[a-z]+\.[a-zA-Z]+/); // no untranslated key
        }
        const start = await web.get(`/modules/${module.id}/knowledge-check`);
        const started = await web
          .post(`/modules/${module.id}/knowledge-check`)
          .type('form')
          .send({ _csrf: csrfOf(start.text) });
        expect(started.status).toBe(303);
        const questions = await web.get(started.headers.location);
        expect(questions.status).toBe(200);
        expect(questions.text).toContain('data-check-form');
        const results = await web
          .post(started.headers.location)
          .type('form')
          .send({ _csrf: csrfOf(questions.text) });
        expect(results.status).toBe(303);
        const shown = await web.get(started.headers.location);
        expect(shown.text).toContain('data-check-result="failed"');
        expect(shown.text).toContain(locale === 'en' ? 'Not answered' : '未作答');
      }
    }
  });

  it('marks a lesson complete from the reader page and moves on to the next lesson', async () => {
    const candidate = await makeUser(t.app, 'candidate');
    const web = await webSignIn(t.url, candidate.email);
    const course = await (
      await signedInAgent(t.url, candidate.email, PASSWORD)
    ).get(`/api/v1/courses/${courseId}`);
    const [first, second] = course.body.modules[0].lessons;
    const page = await web.get(`/lessons/${first.id}`);
    expect(page.text).toContain('value="0"'); // progress bar at 0 %
    const done = await web
      .post(`/lessons/${first.id}/completion`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/lessons/${second.id}`);
    const next = await web.get(done.headers.location);
    expect(next.text).toMatch(/<progress max="100" value="4"/);
    const mine = await web.get('/learning');
    expect(mine.text).toContain(`href="/lessons/${second.id}"`);
  });
});
