/// <reference lib="dom" />
import { Browser } from 'playwright-core';
import { IsvRecomputeService } from '../../src/modules/isv-scoring/isv-recompute.service';
import { startTestApp, TestApp } from '../support/app';
import { launchBrowser, signIn } from '../support/browser';
import { issueScoredCertificate, makeOrganisation, makeUser, PASSWORD } from '../support/factories';

/** The ISV manager's journey: the score rises within seconds of a certificate, and a point leads to its certificate. */
describe('ISV score dashboard (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the score rise after a certificate is issued and links the point to the certificate', async () => {
    const isv = await makeOrganisation(t.app, 'isv', `Dashboard ISV ${Date.now()}`);
    const manager = await makeUser(t.app, 'isv_manager', isv.id);
    const people = await Promise.all(Array.from({ length: 3 }, (_, i) => makeUser(t.app, 'candidate', isv.id, { name: `规划师 ${i + 1}` })));
    // A stored score of 0 first, so what the page shows next can only come from a recompute.
    await t.app.get(IsvRecomputeService).recomputeOne(isv.id);
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, t.url, manager.email, PASSWORD);
    await page.goto(`${t.url}/isv/score`);
    expect(await page.getAttribute('[data-total]', 'data-total')).toBe('0');
    expect(await page.locator('[data-preview]').count()).toBe(0);

    const { certificateId } = await issueScoredCertificate(t.app, { id: people[0].id, name: people[0].name, organisationId: isv.id });
    const started = Date.now();
    // The manager only watches: the page notices the newer snapshot and shows it by itself.
    await page.waitForFunction(() => document.querySelector('[data-total]')?.getAttribute('data-total') === '4', undefined, { timeout: 15000, polling: 250 });
    expect(Date.now() - started).toBeLessThan(12000);
    expect(await page.textContent('[data-staff-table]')).toContain('规划师 1');

    const [{ verification_code: code }] = await t.db.query(`SELECT verification_code FROM certificates WHERE id = $1`, [certificateId]);
    const link = page.locator(`[data-item-id="${certificateId}"] a[data-item-link]`);
    expect(await link.getAttribute('href')).toBe(`/verify/${code}`);
    if (process.env.ISV_SCORING_SCREENSHOT) await page.screenshot({ path: process.env.ISV_SCORING_SCREENSHOT, fullPage: true });
    await Promise.all([page.waitForURL(`**/verify/${code}`), link.click()]);
    await context.close();
  });

  it('gives staff the ranking, the drill-down, the rule editor and the queues', async () => {
    const isv = await makeOrganisation(t.app, 'isv', `Staff view ISV ${Date.now()}`);
    const person = await makeUser(t.app, 'candidate', isv.id);
    await issueScoredCertificate(t.app, { id: person.id, name: person.name, organisationId: isv.id });
    const staff = await makeUser(t.app, 'platform_staff');
    const context = await browser.newContext({ locale: 'en' });
    const page = await context.newPage();
    await signIn(page, t.url, staff.email, PASSWORD);
    await page.goto(`${t.url}/admin/isv-scores`);
    await Promise.all([page.waitForLoadState('load'), page.selectOption('#lang-select', 'en')]);
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.locator(`[data-isv-id="${isv.id}"] a`).click();
    await page.waitForURL(`**/admin/isv-scores/${isv.id}`);
    await Promise.all([page.waitForURL(`**/admin/isv-scores/${isv.id}`), page.getByRole('button', { name: 'Recompute now' }).click()]);
    expect(await page.textContent('.flash')).toContain('Recompute requested');
    await page.goto(`${t.url}/admin/scoring-rules`);
    await page.fill('input[name="dimensions.projects.cap"]', '35');
    await page.getByRole('button', { name: 'Save new version' }).click();
    expect(await page.textContent('[data-rules-form]')).toContain('The four caps must add up to exactly 100 points.');
    if (process.env.ISV_SCORING_SCREENSHOT) await page.screenshot({ path: process.env.ISV_SCORING_SCREENSHOT.replace(/\.png$/, '-rules.png'), fullPage: true });
    await page.goto(`${t.url}/admin/queues?queue=isv-scoring`);
    expect(await page.locator('[data-queue="isv-scoring"]').count()).toBe(1);
    if (process.env.ISV_SCORING_SCREENSHOT) await page.screenshot({ path: process.env.ISV_SCORING_SCREENSHOT.replace(/\.png$/, '-queues.png'), fullPage: true });
    await page.goto(`${t.url}/admin/isv-scores`);
    if (process.env.ISV_SCORING_SCREENSHOT) await page.screenshot({ path: process.env.ISV_SCORING_SCREENSHOT.replace(/\.png$/, '-ranking.png'), fullPage: true });
    await context.close();
  });
});
