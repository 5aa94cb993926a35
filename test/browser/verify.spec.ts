/// <reference lib="dom" />
import jsQR from 'jsqr';
import { Browser, Locator } from 'playwright-core';
import { PNG } from 'pngjs';
import { startTestApp, TestApp } from '../support/app';
import { launchBrowser, signIn } from '../support/browser';
import { makeCertifiedUser, makeOrganisation, PASSWORD } from '../support/factories';

/** Reads the QR code as Chromium draws it: a screenshot of the image, decoded with jsQR. */
async function readQr(image: Locator): Promise<string> {
  const png = PNG.sync.read(await image.screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!decoded) throw new Error('no QR code found in the image');
  return decoded.data;
}

/** A holder finds their certificate, reads its QR code, and anyone following it sees the public record. */
describe('certificate verification page and QR code (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('the QR code on my certificate leads to its public verification page', async () => {
    const isv = await makeOrganisation(t.app, 'isv');
    const { user, certificateId, serial, verificationCode } = await makeCertifiedUser(t.app, { organisationId: isv.id, name: '陈晓 Chen Xiao' });

    const holder = await browser.newContext({ locale: 'en-US' });
    const page = await holder.newPage();
    await signIn(page, t.url, user.email, PASSWORD);
    await page.goto(`${t.url}/certificates`);
    await page.locator(`[data-certificate="${certificateId}"] a.button[href="/certificates/${certificateId}"]`).click();
    await page.waitForURL(`**/certificates/${certificateId}`);
    const link = await page.locator('#verification-link').inputValue();
    expect(link).toBe(`${t.config.publicBaseUrl}/verify/${verificationCode}`);
    await expect(page.locator('[data-copy-target]').isVisible()).resolves.toBe(true);

    const qrImage = page.locator('img[data-qr]');
    await qrImage.waitFor();
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('img[data-qr]')?.complete === true);
    const fromCertificatePage = await readQr(qrImage);
    expect(fromCertificatePage).toBe(link);
    await holder.close();

    // Someone who scans it: not signed in, another browser. The public base URL is the app's configured
    // address; the test server listens elsewhere, so follow the path on it.
    const visitor = await browser.newContext({ locale: 'en-US' });
    const publicPage = await visitor.newPage();
    const scanned = new URL(fromCertificatePage);
    const response = await publicPage.goto(`${t.url}${scanned.pathname}`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['x-robots-tag']).toContain('noindex');
    await expect(publicPage.locator('[data-holder]').textContent()).resolves.toBe('陈晓 Chen Xiao');
    await expect(publicPage.locator('[data-serial]').textContent()).resolves.toBe(serial);
    await expect(publicPage.locator('[data-verify]').getAttribute('data-status')).resolves.toBe('active');
    await expect(publicPage.locator('[data-verdict]').textContent()).resolves.toContain('Valid');
    const html = await publicPage.content();
    expect(html).not.toContain(user.email);
    // The verify page carries the same QR code.
    await publicPage.waitForFunction(() => document.querySelector<HTMLImageElement>('img[data-qr]')?.complete === true);
    expect(await readQr(publicPage.locator('img[data-qr]'))).toBe(link);
    await visitor.close();
  });

  it('shows an unknown code as not recognised', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const response = await page.goto(`${t.url}/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(response?.status()).toBe(404);
    await expect(page.locator('[data-verify]').textContent()).resolves.toContain('not recognised');
    await context.close();
  });
});
