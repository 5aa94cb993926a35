/// <reference lib="dom" />
import { Browser, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/app';
import { launchBrowser, signIn } from '../support/browser';
import { loadContent, makeShortExam } from '../support/exams';
import { makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';

/** A proctor runs a sitting from the live console in Chromium while a candidate takes the exam through the API. */
describe('the proctor console (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    await loadContent(t.app);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const rowState = (page: Page, attemptId: string, state: string) => page.waitForSelector(`#attempt-${attemptId}[data-state="${state}"]`, { timeout: 10_000 });

  it('shows a candidate appear live, admits them, pauses the attempt and adds time', async () => {
    const examId = await makeShortExam(t.db, { seconds: 1200, mode: 'certification' });
    const staff = await makeUser(t.app, 'platform_staff');
    const proctor = await makeUser(t.app, 'proctor');
    const candidate = await makeUser(t.app, 'candidate', null, { name: '林晓雨' });
    const staffApi = await signedInAgent(t.url, staff.email, PASSWORD);
    const candidateApi = await signedInAgent(t.url, candidate.email, PASSWORD);
    const sitting = (
      await staffApi.post('/api/v1/sittings').send({
        examId,
        title: '浏览器测试考场',
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 3600_000).toISOString(),
        capacity: 10,
        proctorIds: [proctor.id],
      })
    ).body as { id: string; accessCode: string };

    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // Any failed request of the page but the browser's own favicon probe.
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`);
    });
    await signIn(page, t.url, proctor.email, PASSWORD);
    await page.goto(`${t.url}/proctor`);
    await Promise.all([page.waitForURL(`**/proctor/sittings/${sitting.id}`), page.click(`a[href="/proctor/sittings/${sitting.id}"] >> nth=0`)]);
    await page.waitForSelector('[data-stream-status][data-kind="live"]');
    expect(await page.textContent('.console-code .access-code')).toBe(sitting.accessCode);
    expect(await page.isVisible('[data-empty]')).toBe(true);

    // The candidate registers: the row appears without a reload.
    const registration = await candidateApi.post(`/api/v1/sittings/${sitting.id}/registrations`).send({ accessCode: sitting.accessCode });
    expect(registration.status).toBe(201);
    const attemptId = registration.body.attemptId as string;
    const row = `#attempt-${attemptId}`;
    await rowState(page, attemptId, 'registered');
    expect(await page.textContent(`${row} [data-field="name"]`)).toBe('林晓雨');
    expect(await page.textContent(`${row} [data-field="state"]`)).toBe('已报名');
    expect(await page.isVisible('[data-empty]')).toBe(false);
    expect(await page.textContent('[data-count="registered"]')).toBe('1');

    // Admit after the ID check, from the row's actions.
    await page.click(`${row} summary`);
    await page.selectOption(`${row} form[data-action="admission"] select[name="documentType"]`, 'resident_id');
    await page.fill(`${row} form[data-action="admission"] input[name="documentLast4"]`, '021x');
    await page.click(`${row} form[data-action="admission"] button[type="submit"]`);
    await rowState(page, attemptId, 'admitted');
    expect(await page.textContent(`${row} [data-field="detail"]`)).toContain('···021X');
    expect(await page.isHidden(`${row} form[data-action="admission"]`)).toBe(true);

    // The candidate starts: the clock runs on the console.
    const started = await candidateApi.post(`/api/v1/exams/${examId}/attempts`).send({});
    expect(started.status).toBe(201);
    await rowState(page, attemptId, 'in_progress');
    expect(await page.textContent(`${row} [data-field="progress"]`)).toBe('0 / 3');
    const clockBefore = await page.textContent(`${row} [data-field="clock"]`);
    await page.waitForFunction(([selector, before]) => document.querySelector(selector)?.textContent !== before, [`${row} [data-field="clock"]`, clockBefore] as const);

    // Pause: the console and the candidate's attempt both show it, and the clock stands still.
    await page.click(`${row} form[data-action="pause"] button`);
    await rowState(page, attemptId, 'paused');
    expect(await page.textContent(`${row} [data-field="state"]`)).toBe('已暂停');
    const candidateView = (await candidateApi.get(`/api/v1/attempts/${attemptId}`)).body;
    expect(candidateView).toMatchObject({ state: 'paused', paused: true });
    const frozen = await page.textContent(`${row} [data-field="clock"]`);
    await page.waitForTimeout(1500);
    expect(await page.textContent(`${row} [data-field="clock"]`)).toBe(frozen);
    expect(await page.isVisible(`${row} form[data-action="resume"] button`)).toBe(true);

    // Add ten minutes: the candidate's deadline moves by exactly that.
    const deadlineBefore = new Date(candidateView.deadlineAt).getTime();
    await page.fill(`${row} form[data-action="time"] input[name="minutes"]`, '10');
    await page.fill(`${row} form[data-action="time"] input[name="reason"]`, '设备故障补时');
    await page.click(`${row} form[data-action="time"] button[type="submit"]`);
    await page.waitForFunction((selector) => document.querySelector(selector)?.textContent === '+10 分钟', `${row} [data-field="added"]`);
    const after = (await candidateApi.get(`/api/v1/attempts/${attemptId}`)).body;
    expect(new Date(after.deadlineAt).getTime() - deadlineBefore).toBe(600_000);
    expect(after.state).toBe('paused');
    expect(await page.textContent('[data-feedback]')).toContain('林晓雨');

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
