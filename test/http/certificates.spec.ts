/**
 * Certificates over HTTP on the real app: the public verify API and page (no personal data, not
 * indexed, 404 for an unknown code), the signed credential and status list, my certificates,
 * PDFs in both languages, staff revocation (403 for everyone else), and the ISV manager's
 * certification table scoped to their own organisation.
 */
import request from 'supertest';
import { CredentialsService } from '../../src/modules/credentials/credentials.service';
import { startTestApp, TestApp } from '../support/app';
import { makeCertifiedUser, makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';

jest.setTimeout(60_000);

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function webSignIn(url: string, email: string) {
  const agent = request.agent(url);
  const page = await agent.get('/login');
  const response = await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), email, password: PASSWORD, next: '/' });
  if (response.status !== 303) throw new Error(`web sign-in failed for ${email}: ${response.status}`);
  return agent;
}

const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('certificates over HTTP', () => {
  let t: TestApp;
  let isvA: string;
  let isvB: string;

  beforeAll(async () => {
    t = await startTestApp();
    isvA = (await makeOrganisation(t.app, 'isv')).id;
    isvB = (await makeOrganisation(t.app, 'isv')).id;
  });
  afterAll(async () => t?.close());

  describe('public verification', () => {
    it('answers the verify API with the public fields only — no email', async () => {
      const { user, serial, verificationCode } = await makeCertifiedUser(t.app, { organisationId: isvA, name: '韩梅梅' });
      const res = await request(t.url).get(`/api/v1/verify/${verificationCode}`).set('accept-language', 'en');
      expect(res.status).toBe(200);
      expect(res.headers['x-robots-tag']).toContain('noindex');
      expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'holderName', 'issuedAt', 'programme', 'programmeCode', 'serial', 'status']);
      expect(res.body).toMatchObject({ serial, holderName: '韩梅梅', programme: 'TMIC New-Product Planner certification', status: 'active' });
      expect(res.text).not.toContain(user.email);
      expect(res.text).not.toContain(user.id);
    });

    it('shows the verify page without sign-in: name, programme, status and dates, no email, not indexed', async () => {
      const { user, serial, verificationCode } = await makeCertifiedUser(t.app, { organisationId: isvA, name: 'Li Lei' });
      const res = await request(t.url).get(`/verify/${verificationCode}`).set('accept-language', 'en');
      expect(res.status).toBe(200);
      expect(res.headers['x-robots-tag']).toContain('noindex');
      expect(res.text).toContain('Li Lei');
      expect(res.text).toContain(serial);
      expect(res.text).toContain('TMIC New-Product Planner certification');
      expect(res.text).toContain('data-status="active"');
      expect(res.text).toContain(`/verify/${verificationCode}/qr.svg`);
      expect(res.text).not.toContain(user.email);
      expect(res.text).not.toContain('@test.example');
      const zh = await request(t.url).get(`/verify/${verificationCode}`).set('accept-language', 'zh-CN');
      expect(zh.text).toContain('TMIC 新品策划师认证');
      const qr = await request(t.url).get(`/verify/${verificationCode}/qr.svg`).buffer(true).parse(binary);
      expect(qr.status).toBe(200);
      expect(qr.headers['content-type']).toContain('image/svg+xml');
      expect((qr.body as Buffer).toString('utf8')).toContain('<svg');
    });

    it('says the code is not recognised, as JSON and as a page, with 404', async () => {
      const api = await request(t.url).get('/api/v1/verify/not-a-real-code-0123456789').set('accept-language', 'en');
      expect(api.status).toBe(404);
      expect(api.body).toMatchObject({ code: 'VERIFICATION_CODE_UNKNOWN' });
      expect(api.body.message).toMatch(/not recognised/);
      const page = await request(t.url).get('/verify/not-a-real-code-0123456789').set('accept-language', 'en');
      expect(page.status).toBe(404);
      expect(page.text).toContain('not recognised');
      expect((await request(t.url).get('/api/v1/verify/x/credential')).status).toBe(404);
      expect((await request(t.url).get('/verify/not-a-real-code-0123456789/qr.svg')).status).toBe(404);
    });

    it('serves the signed Open Badges credential and a status list that a revocation shows in', async () => {
      const { certificateId, verificationCode } = await makeCertifiedUser(t.app, { name: 'Wang Fang' });
      const credential = (await request(t.url).get(`/api/v1/verify/${verificationCode}/credential`)).body;
      expect(credential.type).toEqual(expect.arrayContaining(['VerifiableCredential', 'OpenBadgeCredential']));
      expect(credential.credentialSubject.achievement ?? credential.credentialSubject).toBeTruthy();
      expect(JSON.stringify(credential)).toContain('Wang Fang');
      const credentials = t.app.get(CredentialsService);
      const listBefore = (await request(t.url).get('/api/v1/credentials/status/revocation')).body;
      expect(await credentials.verify(credential, { statusListCredential: listBefore })).toMatchObject({ verified: true, revoked: false });

      const staff = await makeUser(t.app, 'platform_staff');
      const api = await signedInAgent(t.url, staff.email, PASSWORD);
      expect((await api.post(`/api/v1/certificates/${certificateId}/revocation`).send({ reason: 'identity fraud' })).status).toBe(200);

      const verify = (await request(t.url).get(`/api/v1/verify/${verificationCode}`)).body;
      expect(verify.status).toBe('revoked');
      expect(verify.revokedAt).toEqual(expect.any(String));
      const page = await request(t.url).get(`/verify/${verificationCode}`).set('accept-language', 'en');
      expect(page.text).toContain('data-status="revoked"');
      expect(page.text).toContain('was revoked on');
      expect(page.text).not.toContain('identity fraud');
      const listAfter = (await request(t.url).get('/api/v1/credentials/status/revocation')).body;
      expect(await credentials.verify(credential, { statusListCredential: listAfter })).toMatchObject({ verified: false, revoked: true });
    });
  });

  describe('holders', () => {
    it('lists my certificates only, through the API and the page', async () => {
      const mine = await makeCertifiedUser(t.app, { organisationId: isvA });
      const other = await makeCertifiedUser(t.app, { organisationId: isvA });
      const api = await signedInAgent(t.url, mine.user.email, PASSWORD);
      const res = await api.get('/api/v1/me/certificates');
      expect(res.status).toBe(200);
      expect(res.body.items.map((c: { serial: string }) => c.serial)).toEqual([mine.serial]);
      expect(res.body.items[0]).toMatchObject({ status: 'active', verificationUrl: `${t.config.publicBaseUrl}/verify/${mine.verificationCode}` });
      expect(JSON.stringify(res.body)).not.toContain(other.serial);
      expect((await request(t.url).get('/api/v1/me/certificates')).status).toBe(401);

      const web = await webSignIn(t.url, mine.user.email);
      const page = await web.get('/certificates').set('accept-language', 'en');
      expect(page.status).toBe(200);
      expect(page.text).toContain(mine.serial);
      const detail = await web.get(`/certificates/${mine.certificateId}`);
      expect(detail.status).toBe(200);
      expect(detail.text).toContain(`/verify/${mine.verificationCode}`);
      const addToProfile = /href="([^"]+)"[^>]*data-add-to-profile/.exec(detail.text)?.[1] ?? '';
      const linkedIn = new URL(addToProfile.replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));
      expect(linkedIn.origin + linkedIn.pathname).toBe('https://www.linkedin.com/profile/add');
      expect(linkedIn.searchParams.get('certId')).toBe(mine.serial);
      expect(linkedIn.searchParams.get('certUrl')).toBe(`${t.config.publicBaseUrl}/verify/${mine.verificationCode}`);
      expect(detail.text).not.toContain('data-revoke-form');
      // Someone else's certificate is not found (ids are not confirmed to strangers).
      expect((await web.get(`/certificates/${other.certificateId}`)).status).toBe(404);
      expect((await web.get(`/certificates/${other.certificateId}/certificate.pdf?lang=en`)).status).toBe(404);
    });

    it('downloads the certificate as a PDF in Chinese and in English', async () => {
      const { user, certificateId, serial } = await makeCertifiedUser(t.app, { name: '张伟' });
      const web = await webSignIn(t.url, user.email);
      for (const lang of ['zh-CN', 'en']) {
        const res = await web.get(`/certificates/${certificateId}/certificate.pdf?lang=${lang}`).buffer(true).parse(binary);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('application/pdf');
        expect(res.headers['content-disposition']).toContain(`${serial}-${lang}.pdf`);
        const pdf = res.body as Buffer;
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
        // The CJK font is embedded (subset) so the Chinese name renders.
        expect(pdf.toString('latin1')).toMatch(/NotoSansSC/);
        expect(pdf.length).toBeGreaterThan(5_000);
      }
      expect((await web.get(`/certificates/${certificateId}/certificate.pdf?lang=fr`)).status).toBe(400);
    });
  });

  describe('staff revocation', () => {
    it('refuses revocation to anyone but platform staff (403), and requires a reason (400)', async () => {
      const { user, certificateId } = await makeCertifiedUser(t.app, { organisationId: isvA });
      const manager = await makeUser(t.app, 'isv_manager', isvA);
      for (const who of [user, manager, await makeUser(t.app, 'proctor')]) {
        const api = await signedInAgent(t.url, who.email, PASSWORD);
        expect((await api.post(`/api/v1/certificates/${certificateId}/revocation`).send({ reason: 'no' })).status).toBe(403);
      }
      expect((await request(t.url).post(`/api/v1/certificates/${certificateId}/revocation`).send({ reason: 'no' })).status).toBe(401);
      const staff = await signedInAgent(t.url, (await makeUser(t.app, 'platform_staff')).email, PASSWORD);
      const missing = await staff.post(`/api/v1/certificates/${certificateId}/revocation`).send({});
      expect(missing.status).toBe(400);
      expect(missing.body.fields).toHaveProperty('reason');
      expect((await staff.post(`/api/v1/certificates/00000000-0000-4000-8000-000000000000/revocation`).send({ reason: 'x' })).status).toBe(404);
      const done = await staff.post(`/api/v1/certificates/${certificateId}/revocation`).send({ reason: 'cheating confirmed' });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'revoked', revocationReason: 'cheating confirmed' });
      expect((await staff.post(`/api/v1/certificates/${certificateId}/revocation`).send({ reason: 'again' })).status).toBe(409);
    });

    it('lets staff find a certificate by serial or name and revoke it from its page with a reason', async () => {
      const { certificateId, serial } = await makeCertifiedUser(t.app, { name: 'Zhao Min' });
      const staffUser = await makeUser(t.app, 'platform_staff');
      const web = await webSignIn(t.url, staffUser.email);
      const bySerial = await web.get(`/admin/certificates?q=${serial}`).set('accept-language', 'en');
      expect(bySerial.status).toBe(200);
      expect(bySerial.text).toContain(`data-certificate="${certificateId}"`);
      expect((await web.get('/admin/certificates?q=zhao%20min')).text).toContain(`data-certificate="${certificateId}"`);
      expect((await web.get('/admin/certificates?status=revoked')).text).not.toContain(`data-certificate="${certificateId}"`);
      expect((await web.get('/admin/certificates?status=bogus')).status).toBe(400);

      const detail = await web.get(`/certificates/${certificateId}`).set('accept-language', 'en');
      expect(detail.text).toContain('data-revoke-form');
      const empty = await web.post(`/admin/certificates/${certificateId}/revocation`).type('form').send({ _csrf: csrfOf(detail.text), reason: '' });
      expect(empty.status).toBe(400);
      const posted = await web.post(`/admin/certificates/${certificateId}/revocation`).type('form').send({ _csrf: csrfOf(detail.text), reason: 'Proctor report confirmed' });
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe(`/certificates/${certificateId}`);
      const after = await web.get(`/certificates/${certificateId}`).set('accept-language', 'en');
      expect(after.text).toContain('Proctor report confirmed');
      expect(after.text).toContain('data-status="revoked"');
      expect(after.text).not.toContain('data-revoke-form');
      // Candidates cannot open the staff list.
      const candidate = await webSignIn(t.url, (await makeUser(t.app, 'candidate')).email);
      expect((await candidate.get('/admin/certificates')).status).toBe(403);
    });
  });

  describe('ISV manager: staff certification', () => {
    it('shows only their own organisation, with standings, filters, pagination and CSV', async () => {
      const active = await makeCertifiedUser(t.app, { organisationId: isvA, name: 'A Active' });
      const expiring = await makeCertifiedUser(t.app, { organisationId: isvA, name: 'A Expiring' });
      await t.db.query(`UPDATE certificates SET expires_at = now() + interval '20 days' WHERE id = $1`, [expiring.certificateId]);
      const lapsed = await makeCertifiedUser(t.app, { organisationId: isvA, name: 'A Lapsed', expiresAt: new Date(Date.now() - 86_400_000) });
      const none = await makeUser(t.app, 'candidate', isvA, { name: 'A Nobody' });
      const foreign = await makeCertifiedUser(t.app, { organisationId: isvB, name: 'B Foreign' });
      const manager = await makeUser(t.app, 'isv_manager', isvA);
      const api = await signedInAgent(t.url, manager.email, PASSWORD);

      const all = await api.get('/api/v1/staff-certification?perPage=100');
      expect(all.status).toBe(200);
      const standing = Object.fromEntries(all.body.items.map((r: { userId: string; certification: string }) => [r.userId, r.certification]));
      expect(standing).toMatchObject({ [active.user.id]: 'active', [expiring.user.id]: 'expiring', [lapsed.user.id]: 'expired', [none.id]: 'none' });
      expect(standing).not.toHaveProperty(foreign.user.id);
      // Asking for another organisation changes nothing for a manager.
      const sneaky = await api.get(`/api/v1/staff-certification?organisationId=${isvB}`);
      expect(sneaky.body.items.map((r: { userId: string }) => r.userId)).not.toContain(foreign.user.id);

      const expiringOnly = await api.get('/api/v1/staff-certification?certification=expiring');
      expect(expiringOnly.body.items.map((r: { userId: string }) => r.userId)).toEqual([expiring.user.id]);
      const paged = await api.get('/api/v1/staff-certification?perPage=2&page=1');
      expect(paged.body).toMatchObject({ perPage: 2, page: 1 });
      expect(paged.body.items).toHaveLength(2);
      expect(paged.body.total).toBe(all.body.total);
      expect((await api.get('/api/v1/staff-certification?certification=gold')).status).toBe(400);

      const web = await webSignIn(t.url, manager.email);
      const page = await web.get('/staff-certification?certification=expired').set('accept-language', 'en');
      expect(page.status).toBe(200);
      expect(page.text).toContain('A Lapsed');
      expect(page.text).not.toContain('A Active');
      expect(page.text).not.toContain('B Foreign');
      const csv = await web.get('/staff-certification/export.csv');
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.text).toContain('A Expiring');
      expect(csv.text).toContain(active.serial);
      expect(csv.text).not.toContain('B Foreign');

      const candidate = await signedInAgent(t.url, active.user.email, PASSWORD);
      expect((await candidate.get('/api/v1/staff-certification')).status).toBe(403);
    });
  });
});
