import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { makeOrganisation, makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';

type Agent = Awaited<ReturnType<typeof signedInAgent>>;

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const DAY = 86_400_000;
const isoDay = (date: Date) => new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const daysAgo = (n: number) => isoDay(new Date(Date.now() - n * DAY));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe('ISV contributions and co-built products', () => {
  let t: TestApp;
  let isvA: { id: string; name: string };
  let isvB: { id: string };
  let managerA: { id: string; email: string };
  let staffUser: { id: string };
  let manager: Agent;
  let otherManager: Agent;
  let staff: Agent;
  let candidate: Agent;
  /** A second manager of ISV A who reads in English. */
  let englishManager: Agent;

  const contribution = (overrides: Record<string, unknown> = {}) => ({
    kind: 'training',
    title: '数据银行培训',
    description: 'Data Bank training for a brand team, 20 attendees.',
    occurredAt: daysAgo(30),
    evidenceUrls: ['https://tmic.example/training/1'],
    ...overrides,
  });
  const submit = async (agent: Agent, overrides: Record<string, unknown> = {}, isvId = isvA.id) => agent.post(`/api/v1/isvs/${isvId}/contributions`).send(contribution(overrides));

  beforeAll(async () => {
    t = await startTestApp();
    isvA = await makeOrganisation(t.app, 'isv');
    isvB = await makeOrganisation(t.app, 'isv');
    managerA = await makeUser(t.app, 'isv_manager', isvA.id);
    const managerB = await makeUser(t.app, 'isv_manager', isvB.id);
    staffUser = await makeUser(t.app, 'platform_staff');
    const candidateA = await makeUser(t.app, 'candidate', isvA.id);
    manager = await signedInAgent(t.url, managerA.email, PASSWORD);
    otherManager = await signedInAgent(t.url, managerB.email, PASSWORD);
    staff = await signedInAgent(t.url, (await t.db.query(`SELECT email FROM users WHERE id = $1`, [staffUser.id]))[0].email, PASSWORD);
    candidate = await signedInAgent(t.url, candidateA.email, PASSWORD);
    englishManager = await signedInAgent(t.url, (await makeUser(t.app, 'isv_manager', isvA.id)).email, PASSWORD);
    expect((await englishManager.patch('/api/v1/me').send({ locale: 'en' })).status).toBe(200);
  });
  afterAll(async () => t.close());

  it('approving writes the score event, its outbox job, the audit entry and the notification in the same transaction as the approval', async () => {
    const created = await submit(manager, { files: [{ filename: '签到表.pdf', contentBase64: PDF.toString('base64') }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'contribution', kind: 'training', status: 'submitted', isvId: isvA.id, pageUrl: `/isv/contributions/${created.body.id}` });
    expect(created.body.evidence).toEqual([
      { type: 'url', url: 'https://tmic.example/training/1' },
      expect.objectContaining({ type: 'file', filename: '签到表.pdf', contentType: 'application/pdf', sizeBytes: PDF.length }),
    ]);
    const id: string = created.body.id;
    expect(await t.db.query(`SELECT 1 FROM score_events WHERE source_id = $1`, [id])).toHaveLength(0);

    const approved = await staff.post(`/api/v1/contributions/${id}/approval`).send({ note: 'Attendance checked.' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', reviewNote: 'Attendance checked.' });

    const [record] = await t.db.query(`SELECT xmin::text AS tx, occurred_at, approved_at FROM isv_contributions WHERE id = $1`, [id]);
    const events = await t.db.query(`SELECT id, xmin::text AS tx, organisation_id, kind, source_type, occurred_at FROM score_events WHERE source_id = $1`, [id]);
    expect(events).toEqual([expect.objectContaining({ tx: record.tx, organisation_id: isvA.id, kind: 'contribution.approved', source_type: 'contribution', occurred_at: record.occurred_at })]);
    const jobs = await t.db.query(`SELECT xmin::text AS tx, payload FROM outbox WHERE job_name = 'isv.scoreEvent' AND payload->>'scoreEventId' = $1`, [String(events[0].id)]);
    expect(jobs).toEqual([{ tx: record.tx, payload: { scoreEventId: String(events[0].id), organisationId: isvA.id } }]);
    const audit = await t.db.query(`SELECT xmin::text AS tx FROM audit_events WHERE action = 'contribution.approved' AND target_id = $1`, [id]);
    expect(audit).toEqual([{ tx: record.tx }]);
    const notes = await t.db.query(`SELECT xmin::text AS tx, kind, link FROM notifications WHERE user_id = $1 AND link = $2`, [managerA.id, `/isv/contributions/${id}`]);
    expect(notes).toEqual([{ tx: record.tx, kind: 'isvContributions.notify.contributionApproved', link: `/isv/contributions/${id}` }]);

    // Approving twice is refused and writes nothing more.
    expect((await staff.post(`/api/v1/contributions/${id}/approval`).send({})).status).toBe(409);
    expect(await t.db.query(`SELECT 1 FROM score_events WHERE source_id = $1`, [id])).toHaveLength(1);
  });

  it('approving a co-built product writes a product.approved score event', async () => {
    const created = await manager.post(`/api/v1/isvs/${isvA.id}/products`).send({ name: '趋势雷达', description: 'Trend radar tool', occurredAt: daysAgo(100), evidenceUrls: ['https://tmic.example/p/1'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'product', name: '趋势雷达', status: 'submitted' });
    expect(created.body.kind).toBeUndefined();
    expect((await staff.post(`/api/v1/products/${created.body.id}/approval`).send({})).status).toBe(200);
    const events = await t.db.query(`SELECT kind, source_type FROM score_events WHERE source_id = $1`, [created.body.id]);
    expect(events).toEqual([{ kind: 'product.approved', source_type: 'product' }]);
  });

  it('a rejection needs a note, scores nothing, shows the note to the manager, and is answered by one resubmission', async () => {
    const created = await submit(manager, { kind: 'mentoring', title: 'Mentoring two planners' });
    const id: string = created.body.id;
    const noNote = await staff.post(`/api/v1/contributions/${id}/rejection`).send({ note: '  ' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.fields.note).toBeDefined();
    const rejected = await staff.post(`/api/v1/contributions/${id}/rejection`).send({ note: 'Attach the mentees’ sign-off.' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(await t.db.query(`SELECT 1 FROM score_events WHERE source_id = $1`, [id])).toHaveLength(0);
    expect(await t.db.query(`SELECT 1 FROM outbox WHERE job_name = 'isv.scoreEvent' AND created_at > $1`, [new Date(rejected.body.reviewedAt)])).toHaveLength(0);
    expect(await t.db.query(`SELECT kind FROM notifications WHERE user_id = $1 AND link = $2`, [managerA.id, `/isv/contributions/${id}`])).toEqual([{ kind: 'isvContributions.notify.contributionRejected' }]);

    const mine = await manager.get(`/api/v1/isvs/${isvA.id}/contributions?status=rejected&kind=mentoring`);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ id, status: 'rejected', reviewNote: 'Attach the mentees’ sign-off.' })]);
    expect(mine.body).toMatchObject({ page: 1, total: 1 });

    // A rejected record never changes; the manager resubmits a new one that points back at it.
    expect((await manager.patch(`/api/v1/contributions/${id}`).send({ title: 'changed' })).status).toBe(409);
    const again = await submit(manager, { kind: 'mentoring', title: 'Mentoring two planners (with sign-off)', resubmissionOf: id });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ status: 'submitted', resubmissionOf: id });
    expect((await submit(manager, { kind: 'mentoring', resubmissionOf: id })).body.code).toBe('NOT_RESUBMITTABLE');
    const detail = await manager.get(`/api/v1/contributions/${again.body.id}`);
    expect(detail.body.resubmissions.map((r: { id: string }) => r.id)).toEqual([id, again.body.id]);
    expect(detail.body.history.map((h: { action: string }) => h.action)).toEqual(['contribution.submitted']);
    const first = await manager.get(`/api/v1/contributions/${id}`);
    expect(first.body.history).toEqual([
      expect.objectContaining({ action: 'contribution.submitted' }),
      expect.objectContaining({ action: 'contribution.rejected', note: 'Attach the mentees’ sign-off.' }),
    ]);
  });

  it('refuses a date older than 12 months or in the future with a message naming the allowed date', async () => {
    const tooOld = await submit(manager, { occurredAt: daysAgo(400) });
    expect(tooOld.status).toBe(400);
    expect(tooOld.body.code).toBe('OCCURRED_TOO_OLD');
    expect(tooOld.body.fields).toEqual({ occurredAt: [expect.any(String)] });
    const earliest = new Date(Date.now() + 8 * 3600_000);
    earliest.setUTCFullYear(earliest.getUTCFullYear() - 1);
    expect(tooOld.body.message).toContain(earliest.toISOString().slice(0, 10));

    const future = await submit(manager, { occurredAt: daysAgo(-2) });
    expect(future.status).toBe(400);
    expect(future.body.code).toBe('OCCURRED_IN_FUTURE');
    expect(future.body.message).toContain(daysAgo(0));

    const english = await englishManager.post(`/api/v1/isvs/${isvA.id}/contributions`).send(contribution({ occurredAt: daysAgo(400) }));
    expect(english.body.message).toMatch(/more than 12 months ago.*choose \d{4}-\d{2}-\d{2} or later/);

    expect((await submit(manager, { occurredAt: daysAgo(360) })).status).toBe(201);
    const notADate = await submit(manager, { occurredAt: '2026-02-31' });
    expect(notADate.status).toBe(400);
    expect(notADate.body.fields.occurredAt).toBeDefined();
    // Editing keeps the same rule.
    const created = await submit(manager);
    expect((await manager.patch(`/api/v1/contributions/${created.body.id}`).send({ occurredAt: daysAgo(500) })).body.code).toBe('OCCURRED_TOO_OLD');
  });

  it('requires evidence and refuses bad links and files whose content does not match', async () => {
    const none = await submit(manager, { evidenceUrls: [] });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 'EVIDENCE_REQUIRED', fields: { evidence: [expect.any(String)] } });
    const badLink = await submit(manager, { evidenceUrls: ['javascript:alert(1)'] });
    expect(badLink.body).toMatchObject({ code: 'EVIDENCE_URL_INVALID', fields: { evidenceUrls: [expect.any(String)] } });
    const spoofed = await submit(manager, { files: [{ filename: 'report.pdf', contentBase64: Buffer.from('<html><script>alert(1)</script>').toString('base64') }] });
    expect(spoofed.body).toMatchObject({ code: 'EVIDENCE_FILE_TYPE', fields: { files: [expect.any(String)] } });
    const missing = await manager.post(`/api/v1/isvs/${isvA.id}/contributions`).send({ kind: 'party', description: '' });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.fields).sort()).toEqual(expect.arrayContaining(['description', 'kind', 'occurredAt', 'title']));
  });

  it('a manager of another ISV gets 403 on list, submit, read, edit and evidence; a brand or unknown id is not an ISV', async () => {
    const created = await submit(manager, { files: [{ filename: 'proof.pdf', contentBase64: PDF.toString('base64') }] });
    const id: string = created.body.id;
    const fileId: string = created.body.evidence[1].id;
    expect((await otherManager.get(`/api/v1/isvs/${isvA.id}/contributions`)).status).toBe(403);
    expect((await otherManager.get(`/api/v1/isvs/${isvA.id}/products`)).status).toBe(403);
    expect((await submit(otherManager)).status).toBe(403);
    expect((await otherManager.post(`/api/v1/isvs/${isvA.id}/products`).send({ name: 'x', description: 'y', occurredAt: daysAgo(1), evidenceUrls: ['https://x.example'] })).status).toBe(403);
    expect((await otherManager.get(`/api/v1/contributions/${id}`)).status).toBe(403);
    expect((await otherManager.patch(`/api/v1/contributions/${id}`).send({ title: 'mine now' })).status).toBe(403);
    expect((await otherManager.post(`/api/v1/contributions/${id}/withdrawal`)).status).toBe(403);
    expect((await otherManager.get(`/api/v1/evidence-files/${fileId}`)).status).toBe(403);
    expect((await otherManager.get(`/isv/contributions/${id}`)).status).toBe(403);
    expect((await otherManager.get(`/isv/evidence/${fileId}`)).status).toBe(403);
    expect((await candidate.get(`/api/v1/isvs/${isvA.id}/contributions`)).status).toBe(403);

    const file = await manager.get(`/api/v1/evidence-files/${fileId}`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.from(file.body as Buffer).equals(PDF)).toBe(true);
    expect((await staff.get(`/isv/evidence/${fileId}`)).status).toBe(200);

    const brand = await makeOrganisation(t.app, 'brand');
    expect((await staff.get(`/api/v1/isvs/${brand.id}/contributions`)).status).toBe(404);
    expect((await staff.get(`/api/v1/contributions/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    // Staff read every ISV's records but do not submit for them.
    expect((await staff.get(`/api/v1/isvs/${isvA.id}/contributions`)).status).toBe(200);
    expect((await submit(staff)).status).toBe(403);
  });

  it('only platform staff approve or reject', async () => {
    const created = await submit(manager);
    const id: string = created.body.id;
    expect((await manager.post(`/api/v1/contributions/${id}/approval`).send({})).status).toBe(403);
    expect((await otherManager.post(`/api/v1/contributions/${id}/rejection`).send({ note: 'no' })).status).toBe(403);
    expect((await candidate.post(`/api/v1/contributions/${id}/approval`).send({})).status).toBe(403);
    const token = (await manager.post('/api/v1/me/tokens').send({ name: 'isv-sync' })).body.token as string;
    expect((await request(t.url).post(`/api/v1/contributions/${id}/approval`).set('authorization', `Bearer ${token}`).send({})).status).toBe(403);
    // The manager's token works for their own ISV's reads and writes.
    expect((await request(t.url).get(`/api/v1/isvs/${isvA.id}/contributions`).set('authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await request(t.url).get(`/api/v1/isvs/${isvB.id}/contributions`).set('authorization', `Bearer ${token}`)).status).toBe(403);
    const viaToken = await request(t.url).post(`/api/v1/isvs/${isvA.id}/products`).set('authorization', `Bearer ${token}`).send({ name: 'API product', description: 'd', occurredAt: daysAgo(2), evidenceUrls: ['https://x.example/p'] });
    expect(viaToken.status).toBe(201);
    expect(await t.db.query(`SELECT status FROM isv_contributions WHERE id = $1`, [id])).toEqual([{ status: 'submitted' }]);
  });

  it('edits and withdraws only while submitted', async () => {
    const created = await submit(manager, { files: [{ filename: 'a.pdf', contentBase64: PDF.toString('base64') }] });
    const id: string = created.body.id;
    const fileId: string = created.body.evidence[1].id;
    const edited = await manager.patch(`/api/v1/contributions/${id}`).send({ title: 'Data Bank training (2 sessions)', removeFileIds: [fileId], evidenceUrls: ['https://tmic.example/training/2'] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: 'Data Bank training (2 sessions)', evidence: [{ type: 'url', url: 'https://tmic.example/training/2' }] });
    expect(await t.db.query(`SELECT 1 FROM isv_evidence_files WHERE id = $1`, [fileId])).toHaveLength(0);
    expect((await manager.patch(`/api/v1/contributions/${id}`).send({ evidenceUrls: [] })).body.code).toBe('EVIDENCE_REQUIRED');

    const withdrawn = await manager.post(`/api/v1/contributions/${id}/withdrawal`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    expect((await manager.post(`/api/v1/contributions/${id}/withdrawal`)).status).toBe(409);
    expect((await manager.patch(`/api/v1/contributions/${id}`).send({ title: 'again' })).status).toBe(409);
    expect((await staff.post(`/api/v1/contributions/${id}/approval`).send({})).status).toBe(409);

    const approved = await submit(manager);
    await staff.post(`/api/v1/contributions/${approved.body.id}/approval`).send({});
    const late = await manager.post(`/api/v1/contributions/${approved.body.id}/withdrawal`);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('NOT_SUBMITTED');
  });

  it('the staff queue lists both kinds oldest first, filtered by ISV, kind and status, paginated', async () => {
    const b = await submit(otherManager, { kind: 'event', title: 'Event of B' }, isvB.id);
    expect(b.status).toBe(201);
    const all = await staff.get(`/api/v1/isv-submissions?perPage=2`);
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.total).toBeGreaterThan(2);
    expect(all.body.items.every((i: { status: string }) => i.status === 'submitted')).toBe(true);
    expect(new Date(all.body.items[0].submittedAt).getTime()).toBeLessThanOrEqual(new Date(all.body.items[1].submittedAt).getTime());
    const ofB = await staff.get(`/api/v1/isv-submissions?isv=${isvB.id}&kind=event`);
    expect(ofB.body.items.map((i: { id: string }) => i.id)).toEqual([b.body.id]);
    const products = await staff.get(`/api/v1/isv-submissions?kind=product&status=all`);
    expect(products.body.items.length).toBeGreaterThan(0);
    expect(products.body.items.every((i: { type: string }) => i.type === 'product')).toBe(true);
    expect((await staff.get(`/api/v1/isv-submissions?kind=party`)).status).toBe(400);
    expect((await manager.get(`/api/v1/isv-submissions`)).status).toBe(403);
  });

  describe('pages', () => {
    it('a manager submits with a file through the form, staff reject without a note (kept on the page) and then approve', async () => {
      const form = await manager.get('/isv/contributions/new');
      expect(form.status).toBe(200);
      expect(form.text).toContain('enctype="multipart/form-data"');
      const csrf = csrfOf(form.text);
      const noCsrf = await manager
        .post('/isv/contributions')
        .field('kind', 'event')
        .field('title', 'Salon')
        .field('description', 'd')
        .field('occurredAt', daysAgo(3))
        .field('evidenceUrls', 'https://tmic.example/e/1');
      expect(noCsrf.status).toBe(403);

      const tooOld = await manager
        .post(`/isv/contributions?_csrf=${encodeURIComponent(csrf)}`)
        .field('kind', 'event')
        .field('title', '策划师沙龙')
        .field('description', '60 participants')
        .field('occurredAt', daysAgo(500))
        .field('evidenceUrls', 'https://tmic.example/e/1');
      expect(tooOld.status).toBe(400);
      expect(tooOld.text).toContain('12 个月');
      expect(tooOld.text).toContain('value="策划师沙龙"');

      const posted = await manager
        .post(`/isv/contributions?_csrf=${encodeURIComponent(csrf)}`)
        .field('kind', 'event')
        .field('title', '策划师沙龙')
        .field('description', '60 participants')
        .field('occurredAt', daysAgo(3))
        .field('evidenceUrls', 'https://tmic.example/e/1\nhttps://tmic.example/e/2')
        .attach('files', PDF, { filename: 'photos.pdf', contentType: 'application/pdf' });
      expect(posted.status).toBe(303);
      const url: string = posted.headers.location;
      expect(url).toMatch(/^\/isv\/contributions\/[0-9a-f-]{36}$/);
      const id = url.split('/').pop()!;
      const page = await manager.get(url);
      expect(page.text).toContain('photos.pdf');
      expect(page.text).toContain('https://tmic.example/e/2');
      expect(page.text).toContain('data-owner-actions');
      expect(page.text).not.toContain('data-review');

      const list = await manager.get('/isv/contributions?status=submitted&kind=event');
      expect(list.text).toContain(`data-submission-id="${id}"`);

      const review = await staff.get(url);
      expect(review.text).toContain('data-review');
      const staffCsrf = csrfOf(review.text);
      const noNote = await staff.post(`${url}/rejection`).type('form').send({ _csrf: staffCsrf, note: '' });
      expect(noNote.status).toBe(400);
      expect(noNote.text).toContain('data-review');
      const ok = await staff.post(`${url}/approval`).type('form').send({ _csrf: staffCsrf, note: '' });
      expect(ok.status).toBe(303);
      const after = await manager.get(url);
      expect(after.text).toContain('data-status="approved"');
      expect(after.text).not.toContain('data-owner-actions');
      expect(await t.db.query(`SELECT kind FROM score_events WHERE source_id = $1`, [id])).toEqual([{ kind: 'contribution.approved' }]);

      const queue = await staff.get('/admin/isv-submissions?status=approved&kind=event');
      expect(queue.status).toBe(200);
      expect(queue.text).toContain(`data-submission-id="${id}"`);
    });

    it('refuses an oversized file and too many files on the form, keeping what was typed; staff are sent to the queue', async () => {
      const form = await manager.get('/isv/products/new');
      const action = `/isv/products?_csrf=${encodeURIComponent(csrfOf(form.text))}`;
      const big = Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)]);
      const tooBig = await manager
        .post(action)
        .field('name', '价格测试模板')
        .field('description', 'templates')
        .field('occurredAt', daysAgo(3))
        .attach('files', big, { filename: 'big.pdf', contentType: 'application/pdf' });
      expect(tooBig.status).toBe(400);
      expect(tooBig.text).toContain('big.pdf');
      expect(tooBig.text).toContain('文件“big.pdf”超过 5 MB');
      expect(tooBig.text).toContain('value="价格测试模板"');

      let many = manager.post(action).field('name', 'Many files').field('description', 'd').field('occurredAt', daysAgo(3));
      for (let i = 0; i < 6; i++) many = many.attach('files', PDF, { filename: `p${i}.pdf`, contentType: 'application/pdf' });
      const tooMany = await many;
      expect(tooMany.status).toBe(400);
      expect(tooMany.text).toContain('每条记录最多 5 个证明文件');
      expect(await t.db.query(`SELECT 1 FROM isv_products WHERE name IN ('价格测试模板', 'Many files')`)).toHaveLength(0);

      const staffList = await staff.get('/isv/products');
      expect(staffList.status).toBe(303);
      expect(staffList.headers.location).toBe('/admin/isv-submissions?status=all&kind=product');
    });

    it('edits and withdraws through the pages while submitted, and shows the English page', async () => {
      const created = await manager.post(`/api/v1/isvs/${isvA.id}/products`).send({ name: 'Price templates', description: 'd', occurredAt: daysAgo(5), evidenceUrls: ['https://tmic.example/p/2'] });
      const url = `/isv/products/${created.body.id}`;
      const edit = await manager.get(`${url}/edit`);
      expect(edit.status).toBe(200);
      const csrf = csrfOf(edit.text);
      const saved = await manager
        .post(`${url}/edit?_csrf=${encodeURIComponent(csrf)}`)
        .field('name', 'Price-test templates')
        .field('description', 'Reusable templates')
        .field('occurredAt', daysAgo(6))
        .field('evidenceUrls', 'https://tmic.example/p/3');
      expect(saved.status).toBe(303);
      const api = await manager.get(`/api/v1/products/${created.body.id}`);
      expect(api.body).toMatchObject({ name: 'Price-test templates', evidence: [{ type: 'url', url: 'https://tmic.example/p/3' }] });
      expect(api.body.history.map((h: { action: string }) => h.action)).toEqual(['product.submitted', 'product.edited']);

      const page = await manager.get(url);
      const withdrawn = await manager.post(`${url}/withdraw`).type('form').send({ _csrf: csrfOf(page.text) });
      expect(withdrawn.status).toBe(303);
      expect((await manager.get(`${url}/edit`)).status).toBe(409);
      const resubmit = await manager.get(`/isv/products/new?resubmit=${created.body.id}`);
      expect(resubmit.status).toBe(200);
      expect(resubmit.text).toContain('value="Price-test templates"');

      const english = await englishManager.get('/isv/products?status=withdrawn');
      expect(english.status).toBe(200);
      expect(english.text).toContain('<html lang="en">');
      expect(english.text).toContain('Co-built products');
      expect(english.text).toContain(`data-submission-id="${created.body.id}"`);
    });
  });
});
