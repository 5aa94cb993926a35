import { Browser } from 'playwright-core';
import { Principal } from '../../src/infra/http/access';
import { projectPath } from '../../src/infra/paths';
import { SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { BankImportService } from '../../src/modules/question-banks/bank-import.service';
import { QuestionContent } from '../../src/modules/question-banks/domain/question';
import { CourseAuthoringService } from '../../src/modules/courses/course-authoring.service';
import { CoursesService } from '../../src/modules/courses/courses.service';
import { KnowledgeChecksService } from '../../src/modules/courses/knowledge-checks.service';
import { startTestApp, TestApp } from '../support/app';
import { launchBrowser, signIn } from '../support/browser';
import { makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { correctFor } from '../unit/courses/support/correct-answers';

// Jest's per-project testTimeout is not applied (it is a global option); these tests start the app and draw real banks.
jest.setTimeout(120_000);

/**
 * A candidate's journey in Chromium: enrols from the catalogue, reads the lessons (the progress
 * bar advances, the reader's heartbeat script runs under the CSP), passes the module's knowledge
 * check, and completes the course — after which the eligibility rule says yes.
 */
describe('learning a course (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let courseId: string;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    await t.app
      .get(BankImportService)
      .importPaths([projectPath('question-banks/trinity.yaml')], { actor: SYSTEM_ACTOR });
    const staff = await makeUser(t.app, 'platform_staff');
    const actor = { id: staff.id, label: staff.email };
    const authoring = t.app.get(CourseAuthoringService);
    const course = await authoring.createCourse(
      {
        key: 'journey',
        title: { 'zh-CN': '三位一体入门', en: 'Trinity basics' },
        summary: { 'zh-CN': '两节课和一次知识检测。' },
        requiredForCertification: true,
      },
      actor,
    );
    const module = await authoring.addModule(
      course.id,
      { title: { 'zh-CN': '数据、产品、运营' }, checkTags: ['trinity'], checkQuestions: 3 },
      actor,
    );
    for (const [i, title] of ['数据', '运营'].entries()) {
      await authoring.addLesson(
        module.id,
        {
          title: { 'zh-CN': title },
          body: { 'zh-CN': `## ${title}\n\n第 ${i + 1} 节的正文。\n\n- 要点一\n- 要点二` },
          minutes: 5,
          attachments: [],
          videos: [],
        },
        actor,
      );
    }
    await authoring.publish(course.id, actor);
    courseId = course.id;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('enrols, reads the lessons with an advancing progress bar, passes the knowledge check and completes the course', async () => {
    const org = await makeOrganisation(t.app, 'isv');
    const candidate = await makeUser(t.app, 'candidate', org.id);
    const courses = t.app.get(CoursesService);
    expect((await courses.hasCompletedRequiredCourse(candidate.id)).eligible).toBe(false);

    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon|404/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await signIn(page, t.url, candidate.email, PASSWORD);

    // Catalogue → enrol.
    await page.goto(`${t.url}/courses`);
    const card = page.locator('[data-course="journey"]');
    await Promise.all([
      page.waitForURL(`**/courses/${courseId}`),
      card.getByRole('button', { name: '报名学习' }).click(),
    ]);
    await page.waitForSelector('.flash-success');
    expect(await page.getAttribute('.course-head progress', 'value')).toBe('0');

    // Lesson 1: the reader, its table of contents and the heartbeat script.
    await Promise.all([page.waitForURL('**/lessons/**'), page.click('[data-resume]')]);
    expect(await page.textContent('h1')).toBe('数据');
    expect(await page.locator('.toc a[aria-current="page"]').textContent()).toBe('数据');
    expect(await page.getAttribute('[data-course-progress]', 'value')).toBe('0');
    const heartbeat = page.waitForResponse(
      (r) => r.url().endsWith('/heartbeat') && r.request().method() === 'POST',
      { timeout: 5000 },
    );
    // Rather than wait 30 s for the interval: the script also beats when the tab becomes visible.
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    expect((await heartbeat).status()).toBe(200);

    // Mark complete → lesson 2, the bar has moved.
    await Promise.all([page.waitForURL('**/lessons/**'), page.click('[data-complete]')]);
    expect(await page.textContent('h1')).toBe('运营');
    expect(await page.getAttribute('[data-course-progress]', 'value')).toBe('50');
    expect(await page.locator('.toc li.status-completed a').first().textContent()).toBe('数据');

    // Last lesson of the module → on to the knowledge check.
    await Promise.all([page.waitForURL('**/knowledge-check'), page.click('[data-complete]')]);
    await Promise.all([page.waitForURL('**/knowledge-checks/**'), page.click('[data-start-check]')]);
    const attemptId = page.url().split('/').pop()!;
    const me: Principal = {
      id: candidate.id,
      email: candidate.email,
      name: candidate.name,
      role: 'candidate',
      organisationId: org.id,
      locale: 'zh-CN',
      via: 'session',
    };
    const attempt = await t.app.get(KnowledgeChecksService).attempt(me, attemptId, 'zh-CN');
    const keys: { position: number; content: QuestionContent }[] = await t.db.query(
      `SELECT a.position, v.content FROM knowledge_check_answers a JOIN question_versions v ON v.id = a.question_version_id WHERE a.attempt_id = $1`,
      [attemptId],
    );
    expect(await page.locator('.question').count()).toBe(3);
    for (const question of attempt.questions) {
      const response = correctFor(
        keys.find((k) => k.position === question.position)!.content,
        question.view,
        'zh-CN',
      );
      const q = `q${question.position}`;
      switch (question.view.type) {
        case 'single_choice':
          await page.check(`[id="${q}-${String(response.optionId)}"]`);
          break;
        case 'multiple_choice':
          for (const id of response.optionIds as string[]) await page.check(`[id="${q}-${id}"]`);
          break;
        case 'true_false':
          await page.check(`[id="${q}-${String(response.value)}"]`);
          break;
        case 'short_answer':
        case 'numeric':
          for (const [k, value] of (response.gaps as unknown[]).entries())
            await page.fill(`[id="${q}-gap${k}"]`, String(value));
          break;
        case 'matching':
          for (const [prompt, match] of Object.entries(response.pairs as Record<string, string>))
            await page.selectOption(`[id="${q}-match-${prompt}"]`, match);
          break;
        case 'ordering':
          for (const [k, id] of (response.order as string[]).entries())
            await page.selectOption(`[id="${q}-order${k}"]`, id);
          break;
        case 'essay':
          await page.fill(`[id="${q}-text"]`, String(response.text));
          break;
        case 'description':
          break;
      }
    }
    await Promise.all([
      page.waitForURL(`**/knowledge-checks/${attemptId}`),
      page.click('[data-submit-check]'),
    ]);
    await page.waitForSelector('[data-check-result="passed"]');
    expect(await page.textContent('[data-score]')).toBe('100%');
    expect(await page.locator('.feedback[data-outcome="correct"]').count()).toBe(3);
    expect(await page.locator('.explanation').count()).toBeGreaterThan(0);

    // The course is complete.
    await page.click('.check-result a.button');
    await page.waitForURL(`**/courses/${courseId}`);
    expect(await page.getAttribute('.course-head progress', 'value')).toBe('100');
    expect(await page.textContent('.course-head')).toContain('已完成');
    expect(await page.locator('.course-head .flash-success').count()).toBe(1); // "eligible for the exam"
    const eligibility = await courses.hasCompletedRequiredCourse(candidate.id);
    expect(eligibility).toMatchObject({ eligible: true, reason: null, courseId });

    // My learning shows it done, in English too.
    await page.goto(`${t.url}/learning`);
    await Promise.all([page.waitForLoadState('load'), page.selectOption('#lang-select', 'en')]);
    await page.waitForFunction("document.documentElement.lang === 'en'");
    expect(await page.textContent('[data-my-learning]')).toContain('Completed');
    expect(problems).toEqual([]);
    await context.close();
  });
});
