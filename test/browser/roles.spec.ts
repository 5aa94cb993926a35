/// <reference lib="dom" />
import { Browser } from 'playwright-core';
import { Role } from '../../src/infra/http/access';
import { startTestApp, TestApp } from '../support/app';
import { launchBrowser, signIn } from '../support/browser';
import { makeOrganisation, makeUser, PASSWORD } from '../support/factories';

/** Each role signs in through the real page in Chromium and sees its own navigation. */
describe('sign-in and navigation by role (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  const emails: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    const isv = await makeOrganisation(t.app, 'isv');
    emails.candidate = (await makeUser(t.app, 'candidate', isv.id)).email;
    emails.isv_manager = (await makeUser(t.app, 'isv_manager', isv.id)).email;
    emails.proctor = (await makeUser(t.app, 'proctor')).email;
    emails.platform_staff = (await makeUser(t.app, 'platform_staff')).email;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const expectations: { role: Role; sees: string[]; doesNotSee: string[] }[] = [
    { role: 'candidate', sees: ['/', '/account'], doesNotSee: ['/people', '/admin/organisations', '/admin/audit'] },
    { role: 'isv_manager', sees: ['/', '/people', '/account'], doesNotSee: ['/admin/organisations', '/admin/audit'] },
    { role: 'proctor', sees: ['/', '/account'], doesNotSee: ['/people', '/admin/audit'] },
    { role: 'platform_staff', sees: ['/', '/people', '/admin/organisations', '/admin/audit', '/account'], doesNotSee: [] },
  ];

  for (const { role, sees, doesNotSee } of expectations) {
    it(`shows ${role} their navigation after signing in`, async () => {
      const context = await browser.newContext({ locale: 'zh-CN' });
      const page = await context.newPage();
      await signIn(page, t.url, emails[role]!, PASSWORD);
      await page.waitForSelector('nav.mainnav');
      const links = await page.$$eval('nav.mainnav a', (as) => as.map((a) => a.getAttribute('href')));
      for (const href of sees) expect(links).toContain(href);
      for (const href of doesNotSee) expect(links).not.toContain(href);
      expect(await page.getAttribute('.whoami', 'data-role')).toBe(role);
      // The language switch works from the page and is remembered.
      await Promise.all([page.waitForLoadState('load'), page.selectOption('#lang-select', 'en')]);
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      expect(await page.textContent('button.link-button')).toContain('Sign out');
      await context.close();
    });
  }

  it('keeps a wrong password on the sign-in page with a message', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/login`);
    await page.getByLabel(/邮箱|Email/).fill(emails.candidate!);
    await page.getByLabel(/密码|Password/).fill('wrong-password');
    await page.getByRole('button', { name: /登录|Sign in/ }).click();
    await page.waitForSelector('#login-error');
    expect(await page.textContent('#login-error')).toContain('邮箱或密码不正确');
    expect(await page.inputValue('#email')).toBe(emails.candidate);
    await context.close();
  });
});
