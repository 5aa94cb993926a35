/// <reference lib="dom" />
import { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/app';
import { launchBrowser, signIn } from '../support/browser';
import { eventually, loadContent, makeShortExam } from '../support/exams';
import { makeUser, PASSWORD } from '../support/factories';

/**
 * A candidate takes a timed practice exam in Chromium: answers, loses focus (flagged at a
 * threshold of 1), goes offline (answers kept and resent), has saves fail and reloads (the local
 * copy is re-applied and sent), resumes with every answer and the server's remaining time,
 * submits (double click) and reads the result and receipt.
 */
describe('exam journey (Chromium, web + workers)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let examId: string;
  let email: string;

  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    await loadContent(t.app);
    examId = await makeShortExam(t.db, { seconds: 90, grace: 2, areas: ['aipl', 'fast', 'grow'], perSection: 1, reviewPolicy: 'responses', thresholds: { focus_lost: 1 } });
    email = (await makeUser(t.app, 'candidate')).email;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const items = (attemptId: string) =>
    t.db.query<{ item_id: string; position: number; response: unknown; seq: string; marked: boolean }[]>(
      `SELECT item_id, position, response, seq, marked FROM attempt_items WHERE attempt_id = $1 ORDER BY position`,
      [attemptId],
    );

  /** Answers the question on screen by choosing its first option (every type in this exam is a choice). */
  async function answerCurrent(): Promise<string> {
    const question = page.locator('.exam-question:not([hidden])');
    const itemId = (await question.getAttribute('data-item-id'))!;
    await question.locator('input').first().check();
    return itemId;
  }

  const mark = (itemId: string) => page.locator(`#q-${itemId} .save-mark`);

  it('takes, survives focus loss, offline and a reload, submits, and shows the result and receipt', async () => {
    context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource|ERR_INTERNET_DISCONNECTED|ERR_FAILED/.test(m.text())) problems.push(m.text());
    });
    await signIn(page, t.url, email, PASSWORD);

    // My exams → start.
    await page.goto(`${t.url}/exams`);
    await Promise.all([page.waitForURL(/\/attempts\/[0-9a-f-]{36}$/), page.locator(`[data-exam="${examId}"] button[type=submit]`).click()]);
    const attemptId = /\/attempts\/([0-9a-f-]{36})$/.exec(page.url())![1];
    await page.waitForSelector('.exam-question:not([hidden])');
    expect(await page.locator('.exam-question').count()).toBe(3);
    expect(await page.locator('#exam-navigator .nav-item').count()).toBe(3);
    const timer = await page.textContent('#exam-timer');
    expect(timer).toMatch(/^0[01]:\d\d$/);

    // 1. Answer the first question: saved on acknowledgement.
    const first = await answerCurrent();
    await page.waitForSelector(`#q-${first} .save-mark[data-save="saved"]`);
    expect(await mark(first).textContent()).toBe('已保存 ✓');
    expect((await items(attemptId))[0].response).not.toBeNull();
    expect(await page.getAttribute('#exam-navigator li:nth-child(1) .nav-item', 'data-answered')).toBe('true');

    // 2. Losing focus is reported, and with a threshold of 1 the attempt is flagged.
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await eventually(async () => {
      const [row] = await t.db.query(`SELECT flagged, flag_reasons FROM attempts WHERE id = $1`, [attemptId]);
      return row.flagged && (row.flag_reasons as string[]).includes('signal:focus_lost');
    });

    // 3. Offline: the answer is kept locally ("not saved"), then resent when the network returns.
    await context.setOffline(true);
    await page.waitForSelector('#exam-connection[data-connection="offline"]');
    await page.click('#exam-next');
    const second = await answerCurrent();
    await page.waitForSelector(`#q-${second} .save-mark[data-save="unsaved"]`);
    await page.click(`#q-${second} [data-flag]`);
    const stored = await page.evaluate((id) => JSON.parse(localStorage.getItem(`pa.exam.${id}.pending`) || '{}') as Record<string, unknown>, attemptId);
    expect(Object.keys(stored)).toContain(second);
    expect((await items(attemptId))[1].response).toBeNull();
    await page.waitForTimeout(500);
    await context.setOffline(false);
    await page.waitForSelector(`#q-${second} .save-mark[data-save="saved"]`, { timeout: 15000 });
    await page.waitForSelector('#exam-connection[data-connection="online"]');
    const afterOnline = await items(attemptId);
    expect(afterOnline[1].response).not.toBeNull();
    expect(afterOnline[1].marked).toBe(true);
    // The signals queued while offline arrive too, in order.
    const signals = await eventually(async () => {
      const types = (await t.db.query(`SELECT type FROM attempt_events WHERE attempt_id = $1 AND kind = 'signal' ORDER BY id`, [attemptId])).map((r: { type: string }) => r.type);
      return types.includes('online') ? types : null;
    });
    expect(signals.filter((s: string) => ['focus_lost', 'offline', 'online'].includes(s))).toEqual(['focus_lost', 'offline', 'online']);

    // 4. Saves that fail (the server unreachable for them), then a reload: nothing is lost — the
    //    page's last-chance save on unload or the local copy re-applied after it gets it there.
    // (blocked in the network layer, so the page's last-chance keepalive saves on unload fail too)
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setBlockedURLs', { urls: ['*/answers/*'] });
    await page.click('#exam-next');
    const third = await answerCurrent();
    await page.waitForSelector(`#q-${third} .save-mark[data-save="unsaved"]`);
    await page.reload();
    await page.waitForSelector('.exam-question:not([hidden])');
    expect(await page.locator(`#q-${third} input:checked`).count()).toBe(1);
    expect(await page.locator(`#q-${first} input:checked`).count()).toBe(1);
    expect(await page.locator(`#q-${second} input:checked`).count()).toBe(1);
    expect(await page.getAttribute(`#q-${second} [data-flag]`, 'aria-pressed')).toBe('true');
    await cdp.send('Network.setBlockedURLs', { urls: [] });
    await page.waitForSelector(`#q-${third} .save-mark[data-save="saved"]`, { timeout: 20000 });
    const saved = await items(attemptId);
    expect(saved.every((i) => i.response !== null)).toBe(true);

    // 5. Reopening re-applies local answers newer than the server's (higher seq) and drops older ones.
    const firstType = (await page.getAttribute(`#q-${first}`, 'data-type'))!;
    const otherOption = (await page.locator(`#q-${first} input`).nth(1).getAttribute('value'))!;
    const newer = firstType === 'single_choice' ? { optionId: otherOption } : firstType === 'multiple_choice' ? { optionIds: [otherOption] } : { value: otherOption === 'true' };
    const serverSecond = (await items(attemptId))[1].response;
    await page.evaluate(
      ({ id, a, b, response }) => {
        const seq = Number(localStorage.getItem(`pa.exam.${id}.seq`)) + 5;
        localStorage.setItem(`pa.exam.${id}.pending`, JSON.stringify({ [a]: { response, marked: false, seq }, [b]: { response: null, marked: false, seq: 1 } }));
      },
      { id: attemptId, a: first, b: second, response: newer },
    );
    await page.reload();
    await page.waitForSelector(`#q-${first} .save-mark[data-save="saved"]`, { state: 'attached' });
    await eventually(async () => JSON.stringify((await items(attemptId))[0].response) === JSON.stringify(newer));
    expect((await items(attemptId))[1].response).toEqual(serverSecond);
    expect(await page.locator(`#q-${second} input:checked`).count()).toBe(1);

    // The clock after the reload is the server's.
    const [{ left }] = await t.db.query(`SELECT extract(epoch FROM deadline_at - now()) AS left FROM attempts WHERE id = $1`, [attemptId]);
    const [mm, ss] = (await page.textContent('#exam-timer'))!.split(':').map(Number);
    expect(Math.abs(mm * 60 + ss - Number(left))).toBeLessThanOrEqual(3);

    // 6. Submit with confirmation; a double click submits once.
    await page.click('#exam-submit');
    await page.waitForSelector('#exam-confirm[open]');
    expect(await page.textContent('#exam-confirm-counts')).toContain('已作答 3 / 3 题');
    expect(await page.textContent('#exam-confirm-warnings')).toContain('1 题标记为待检查');
    await Promise.all([page.waitForURL(`${t.url}/attempts/${attemptId}/result`), page.dblclick('#exam-confirm-yes')]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM attempt_events WHERE attempt_id = $1 AND type = 'submit'`, [attemptId]);
    expect(n).toBe(1);

    // 7. Result and receipt: flagged, so the result waits for review; the receipt is there.
    const [attempt] = await t.db.query(`SELECT receipt_sha256, answered_count FROM attempts WHERE id = $1`, [attemptId]);
    expect(await page.textContent('#receipt-sha256')).toBe(attempt.receipt_sha256);
    expect(await page.textContent('[data-receipt-answered]')).toBe('3');
    expect(await page.textContent('[data-receipt-attempt]')).toBe(attemptId);
    await page.click('#receipt-copy');
    await page.waitForFunction(() => document.getElementById('receipt-copied')?.textContent === '已复制。');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(attempt.receipt_sha256);
    await page.waitForSelector('[data-pending="review"]', { timeout: 30000 });
    expect(await page.locator('[data-score]').count()).toBe(0);
    expect(await page.evaluate((id) => Object.keys(localStorage).filter((k) => k.startsWith(`pa.exam.${id}.`)), attemptId)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says time is up at the server deadline and shows the result once the server has submitted', async () => {
    const shortExam = await makeShortExam(t.db, { seconds: 12, grace: 1, areas: ['aipl'], perSection: 2, reviewPolicy: 'score' });
    const user = await makeUser(t.app, 'candidate');
    context = await browser.newContext({ locale: 'en', viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    await signIn(page, t.url, user.email, PASSWORD);
    await page.goto(`${t.url}/exams`);
    await Promise.all([page.waitForURL(/\/attempts\/[0-9a-f-]{36}$/), page.locator(`[data-exam="${shortExam}"] button[type=submit]`).click()]);
    const attemptId = /\/attempts\/([0-9a-f-]{36})$/.exec(page.url())![1];
    await page.waitForSelector('.exam-question:not([hidden])');
    const only = await answerCurrent();
    await page.waitForSelector(`#q-${only} .save-mark[data-save="saved"]`);
    await page.waitForSelector('#exam-timeup:not([hidden])', { timeout: 20000 });
    expect(await page.textContent('#exam-timeup')).toMatch(/Time is up|考试时间到/);
    await page.waitForURL(`${t.url}/attempts/${attemptId}/result`, { timeout: 20000 });
    // The page polls until the server has submitted and graded the attempt.
    await page.waitForSelector('[data-score]', { timeout: 30000 });
    const [row] = await t.db.query(`SELECT state, submitted_by, answered_count FROM attempts WHERE id = $1`, [attemptId]);
    expect(row).toMatchObject({ submitted_by: 'deadline', answered_count: 1 });
    expect(['passed', 'failed']).toContain(row.state);
    expect(await page.textContent('[data-receipt-answered]')).toBe('1');
    await context.close();
  });
});
