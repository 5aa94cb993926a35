import request from 'supertest';
import { projectPath } from '../../src/infra/paths';
import { BankImportService } from '../../src/modules/question-banks/bank-import.service';
import { QuestionBanksService } from '../../src/modules/question-banks/question-banks.service';
import { SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';
import { startTestApp, TestApp } from '../support/app';

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function webAgent(url: string, email: string) {
  const agent = request.agent(url);
  const page = await agent.get('/login');
  await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), email, password: PASSWORD });
  return agent;
}

describe('question banks, staff pages and API', () => {
  let t: TestApp;
  let staffEmail: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.get(BankImportService).importPaths([projectPath('question-banks')], { actor: SYSTEM_ACTOR });
    staffEmail = (await makeUser(t.app, 'platform_staff')).email;
  });
  afterAll(async () => t.close());

  it('lists the banks and filters questions by tag, type, difficulty and text, paginated', async () => {
    const agent = await webAgent(t.url, staffEmail);
    const banks = await agent.get('/admin/banks');
    expect(banks.status).toBe(200);
    expect(banks.text).toContain('tmic-aipl');
    const api = await signedInAgent(t.url, staffEmail, PASSWORD);
    const filtered = await api.get('/api/v1/banks/questions?tag=aipl&type=single_choice&perPage=5');
    expect(filtered.body.total).toBeGreaterThanOrEqual(5);
    expect(filtered.body.items).toHaveLength(5);
    expect(filtered.body.items.every((q: { tags: string[]; type: string }) => q.tags.includes('aipl') && q.type === 'single_choice')).toBe(true);
    const byText = await api.get(`/api/v1/banks/questions?q=${encodeURIComponent('AIPL 模型中的')}`);
    expect(byText.body.total).toBeGreaterThan(0);
    const page = await agent.get('/admin/banks/questions?tag=fast&difficulty=2');
    expect(page.status).toBe(200);
    expect(page.text).toContain('tmic-fast/');
    expect((await api.get('/api/v1/banks/questions?difficulty=9')).status).toBe(400);
  });

  it('previews a question as a candidate sees it: no key, no explanation', async () => {
    const api = await signedInAgent(t.url, staffEmail, PASSWORD);
    const [q] = (await api.get('/api/v1/banks/questions?bank=tmic-aipl&type=single_choice&perPage=1')).body.items;
    const { versions } = (await api.get(`/api/v1/banks/questions/${q.id}`)).body;
    const explanation: string = versions[0].content.explanation['zh-CN'];
    const agent = await webAgent(t.url, staffEmail);
    const page = await agent.get(`/admin/banks/questions/${q.id}?lang=zh-CN`);
    const preview = /<div class="question-preview"[\s\S]*?<\/div>/.exec(page.text)![0];
    expect(preview).toContain('type="radio"');
    expect(preview).not.toContain(explanation.slice(0, 20));
  });

  it('saves an edit as a new version with history and a diff, and keeps typed text on a mistake', async () => {
    const agent = await webAgent(t.url, staffEmail);
    const api = await signedInAgent(t.url, staffEmail, PASSWORD);
    const [q] = (await api.get('/api/v1/banks/questions?bank=tmic-grow&type=true_false&perPage=1')).body.items;
    const form = await agent.get(`/admin/banks/questions/${q.id}/edit`);
    const yaml = /<textarea id="yaml"[^>]*>([\s\S]*?)<\/textarea>/.exec(form.text)![1].replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`');
    const broken = yaml.replace(/difficulty: \d/, 'difficulty: eleven');
    const bad = await agent.post(`/admin/banks/questions/${q.id}/edit`).type('form').send({ _csrf: csrfOf(form.text), yaml: broken, note: 'try' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/edit\.yaml:\d+:\d+:/);
    expect(bad.text).toContain('difficulty: eleven');
    const edited = yaml.replace(/difficulty: \d/, 'difficulty: 5');
    const good = await agent.post(`/admin/banks/questions/${q.id}/edit`).type('form').send({ _csrf: csrfOf(form.text), yaml: edited, note: '调整难度' });
    expect(good.status).toBe(303);
    const after = (await api.get(`/api/v1/banks/questions/${q.id}`)).body;
    expect(after.question.currentVersion).toBe(2);
    expect(after.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(after.versions[0]).toMatchObject({ source: 'edit', note: '调整难度' });
    const diff = await agent.get(`/admin/banks/questions/${q.id}/diff?from=1&to=2`);
    expect(diff.text).toMatch(/diff-removed">- +difficulty: \d/);
    expect(diff.text).toMatch(/diff-added">\+ +difficulty: 5/);
    const audit = await api.get(`/api/v1/audit?action=question.edited&target=${q.id}`);
    expect(audit.body.total).toBe(1);
  });

  it('retires a question so it is no longer drawn, and restores it', async () => {
    const api = await signedInAgent(t.url, staffEmail, PASSWORD);
    const [q] = (await api.get('/api/v1/banks/questions?bank=tmic-trinity&perPage=1')).body.items;
    expect((await api.post(`/api/v1/banks/questions/${q.id}/status`).send({ status: 'retired' })).body.status).toBe('retired');
    const service = t.app.get(QuestionBanksService);
    const drawn = await service.drawPractice(['trinity'], 100, 'zh-CN');
    expect(drawn.map((d) => d.versionId)).not.toContain(q.currentVersionId);
    expect((await api.post(`/api/v1/banks/questions/${q.id}/status`).send({ status: 'active' })).body.status).toBe('active');
    expect((await api.post(`/api/v1/banks/questions/${q.id}/status`).send({ status: 'gone' })).status).toBe(400);
  });

  it('checks an uploaded file first (errors by line, nothing written), then imports it on confirmation', async () => {
    const agent = await webAgent(t.url, staffEmail);
    const page = await agent.get('/admin/banks');
    const token = csrfOf(page.text);
    const bad = await agent
      .post(`/admin/banks/upload?_csrf=${encodeURIComponent(token)}`)
      .field('bank', 'uploaded')
      .attach('file', Buffer.from('Question one?\nA) yes\nB) no\nANSWER: C\n'), 'quiz.aiken.txt');
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/quiz\.aiken\.txt:4:/);
    const [{ n: none }] = await t.db.query(`SELECT count(*)::int AS n FROM question_banks WHERE name = 'uploaded'`);
    expect(none).toBe(0);
    const good = await agent
      .post(`/admin/banks/upload?_csrf=${encodeURIComponent(token)}`)
      .field('bank', 'uploaded')
      .attach('file', Buffer.from('::u1:: 新品上市前多少天开始种草？ {#90}\n\n::u2:: 种草是内容营销。 {T}\n'), 'quiz.gift');
    expect(good.status).toBe(200);
    expect(good.text).toMatch(/data-new>2</);
    const uploadId = /uploads\/([0-9a-f-]{36})\/commit/.exec(good.text)![1];
    const [{ n: stillNone }] = await t.db.query(`SELECT count(*)::int AS n FROM question_banks WHERE name = 'uploaded'`);
    expect(stillNone).toBe(0);
    const commit = await agent.post(`/admin/banks/uploads/${uploadId}/commit`).type('form').send({ _csrf: csrfOf(good.text) });
    expect(commit.status).toBe(303);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM questions q JOIN question_banks b ON b.id = q.bank_id WHERE b.name = 'uploaded'`);
    expect(n).toBe(2);
    const again = await agent.post(`/admin/banks/uploads/${uploadId}/commit`).type('form').send({ _csrf: csrfOf(good.text) });
    expect(again.status).toBe(409);
  });

  it('exports a bank for download, and keeps banks away from everyone but staff', async () => {
    const api = await signedInAgent(t.url, staffEmail, PASSWORD);
    const yaml = await api.get('/api/v1/banks/tmic-fast/export?format=yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.headers['content-disposition']).toContain('attachment');
    expect(yaml.text).toContain('bank: tmic-fast');
    expect((await api.get('/api/v1/banks/tmic-fast/export?format=docx')).status).toBe(400);
    const candidate = await makeUser(t.app, 'candidate');
    const cAgent = await signedInAgent(t.url, candidate.email, PASSWORD);
    expect((await cAgent.get('/api/v1/banks/questions')).status).toBe(403);
    expect((await cAgent.get('/api/v1/banks/tmic-fast/export?format=yaml')).status).toBe(403);
    const web = await webAgent(t.url, candidate.email);
    expect((await web.get('/admin/banks')).status).toBe(403);
  });
});
