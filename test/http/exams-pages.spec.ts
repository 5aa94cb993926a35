import request from 'supertest';
import { itemStatistics } from '../../src/modules/exams/domain/item-statistics';
import { eventually, loadContent, makeShortExam, someResponse } from '../support/exams';
import { makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';
import { startTestApp, TestApp } from '../support/app';

type Agent = ReturnType<typeof request.agent>;
interface ItemJson {
  itemId: string;
  type: string;
  options: { id: string }[];
}

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
/** A form body as a browser sends it: repeated names for multiple values (checkbox groups). */
function formBody(fields: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}
const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=');

async function webAgent(url: string, email: string, locale: 'zh-CN' | 'en' = 'zh-CN'): Promise<Agent> {
  const agent = request.agent(url);
  const page = await agent.get('/login');
  await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), email, password: PASSWORD });
  if (locale === 'en') {
    const home = await agent.get('/');
    await agent.post('/language').type('form').send({ _csrf: csrfOf(home.text), locale: 'en', next: '/' });
  }
  return agent;
}

/** Words that must never reach a candidate before the review policy allows (keys, scoring, explanations). */
const SECRET_FIELDS = /"(fraction|explanation|feedback|rubric|answer|answers|tolerance|correct|credit)"\s*:/;

describe('exam pages: my exams, the exam page, result and receipt, staff authoring and statistics', () => {
  let t: TestApp;
  let staffEmail: string;

  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    await loadContent(t.app);
    staffEmail = (await makeUser(t.app, 'platform_staff')).email;
  }, 120_000);
  afterAll(async () => t?.close());

  async function candidate(locale: 'zh-CN' | 'en' = 'zh-CN') {
    const user = await makeUser(t.app, 'candidate');
    return { user, web: await webAgent(t.url, user.email, locale), api: await signedInAgent(t.url, user.email, PASSWORD) };
  }

  /** Explanations of the questions an attempt drew (what must not show before the policy allows). */
  async function explanationsOf(attemptId: string): Promise<string[]> {
    const rows: { explanation: Record<string, string> | null }[] = await t.db.query(
      `SELECT v.content->'explanation' AS explanation FROM attempt_items i JOIN question_versions v ON v.id = i.question_version_id WHERE i.attempt_id = $1`,
      [attemptId],
    );
    return rows.flatMap((r) => Object.values(r.explanation ?? {})).map((e) => e.slice(0, 24));
  }

  async function takeAndSubmit(api: Agent, examId: string): Promise<{ attemptId: string; items: ItemJson[] }> {
    const attempt = (await api.post(`/api/v1/exams/${examId}/attempts`).send({})).body;
    for (const [k, item] of (attempt.items as ItemJson[]).entries()) {
      expect((await api.put(`/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`).send({ response: someResponse(item), seq: k + 1 })).status).toBe(200);
    }
    expect((await api.post(`/api/v1/attempts/${attempt.attemptId}/submission`).send({})).status).toBe(200);
    return { attemptId: attempt.attemptId, items: attempt.items };
  }

  const stateOf = async (attemptId: string) => (await t.db.query<{ state: string }[]>(`SELECT state FROM attempts WHERE id = $1`, [attemptId]))[0].state;

  it('lists my exams in zh-CN and en: practice to start, certification with the reason it is closed', async () => {
    const zh = await candidate('zh-CN');
    const page = await zh.web.get('/exams');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="zh-CN">');
    expect(page.text).toContain('新品策划师模拟考试');
    expect(page.text).toContain('开始模拟考试');
    expect(page.text).toMatch(/data-reason="COURSE_NOT_COMPLETED"/);
    expect(page.text).toContain('需先完成');
    const en = await candidate('en');
    const english = await en.web.get('/exams');
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Planner practice exam');
    expect(english.text).toContain('Start practice exam');
    expect(english.text).toContain('Complete the');
    expect(english.text).not.toMatch(/exams\.(page|result|staff)\./);
    expect((await request(t.url).get('/exams')).status).toBe(303);
  });

  it('shows "register for a sitting" for an eligible certification exam and "start" once admitted', async () => {
    const examId = await makeShortExam(t.db, { seconds: 600, mode: 'certification' });
    const c = await candidate('en');
    let page = await c.web.get('/exams');
    const card = (html: string) => new RegExp(`data-exam="${examId}" data-action="([a-z_]+)"`).exec(html)?.[1];
    expect(card(page.text)).toBe('register');
    expect(page.text).toContain('href="/sittings"');
    const [sitting] = await t.db.query(
      `INSERT INTO sittings (exam_id, title, opens_at, closes_at, capacity, access_code) VALUES ($1, 'Room 1', now() - interval '1 minute', now() + interval '2 hours', 10, 'abc') RETURNING id`,
      [examId],
    );
    await t.db.query(`INSERT INTO attempts (exam_id, user_id, sitting_id, state, seed) VALUES ($1, $2, $3, 'registered', 7)`, [examId, c.user.id, sitting.id]);
    page = await c.web.get('/exams');
    expect(card(page.text)).toBe('awaiting_admission');
    await t.db.query(`UPDATE attempts SET state = 'admitted' WHERE user_id = $1 AND exam_id = $2`, [c.user.id, examId]);
    page = await c.web.get('/exams');
    expect(card(page.text)).toBe('start');
    const started = await c.web.post(`/exams/${examId}/start`).type('form').send({ _csrf: csrfOf(page.text) });
    expect(started.status).toBe(303);
    expect(started.headers.location).toMatch(/^\/attempts\/[0-9a-f-]{36}$/);
    page = await c.web.get('/exams');
    expect(card(page.text)).toBe('resume');
  });

  it('starts a practice exam from the page; the exam page and its script carry no key, fraction or explanation', async () => {
    const c = await candidate('zh-CN');
    const examId = await makeShortExam(t.db, { seconds: 300, reviewPolicy: 'responses' });
    const list = await c.web.get('/exams');
    const started = await c.web.post(`/exams/${examId}/start`).type('form').send({ _csrf: csrfOf(list.text) });
    expect(started.status).toBe(303);
    const attemptId = /\/attempts\/([0-9a-f-]{36})/.exec(started.headers.location)![1];
    const page = await c.web.get(`/attempts/${attemptId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="exam-config"');
    expect(page.text).toContain('剩余时间');
    expect(page.text).toContain('<script src="/static/js/exam.js" defer></script>');
    expect(page.text).not.toMatch(/<script>|on(click|change|load)=/i);
    const config = JSON.parse(decode(/<script type="application\/json" id="exam-config">([\s\S]*?)<\/script>/.exec(page.text)![1]));
    expect(config).toMatchObject({ attemptId, apiBase: `/api/v1/attempts/${attemptId}`, heartbeatSeconds: 10 });
    expect(config.strings.saved).toBe('已保存 ✓');

    const script = await request(t.url).get('/static/js/exam.js');
    expect(script.status).toBe(200);
    const view = await c.api.get(`/api/v1/attempts/${attemptId}`).set('X-Attempt-Session', 'page-session-1');
    expect(view.status).toBe(200);
    const explanations = await explanationsOf(attemptId);
    expect(explanations.length).toBeGreaterThan(0);
    for (const text of [page.text, script.text, JSON.stringify(view.body)]) {
      expect(text).not.toMatch(SECRET_FIELDS);
      for (const e of explanations) expect(text).not.toContain(e);
    }
    expect(script.text).not.toMatch(/explanation|fraction|rubric/);

    // Before submission the result page shows no score and says it is being submitted.
    const early = await c.web.get(`/attempts/${attemptId}/result`);
    expect(early.status).toBe(200);
    expect(early.text).toContain('data-pending="submitting"');
    expect(early.text).not.toContain('data-score');
    // Someone else's attempt does not exist for them.
    const other = await candidate();
    expect((await other.web.get(`/attempts/${attemptId}`)).status).toBe(404);
    expect((await other.web.get(`/attempts/${attemptId}/result`)).status).toBe(404);
  });

  it('shows the receipt and exactly what the review policy allows: score only, or answers with explanations', async () => {
    const c = await candidate('en');
    const scoreOnly = await makeShortExam(t.db, { seconds: 300, reviewPolicy: 'score' });
    const a = await takeAndSubmit(c.api, scoreOnly);
    await eventually(async () => ['passed', 'failed'].includes(await stateOf(a.attemptId)));
    const [row] = await t.db.query(`SELECT receipt_sha256, answered_count, score_percent FROM attempts WHERE id = $1`, [a.attemptId]);
    let page = await c.web.get(`/attempts/${a.attemptId}/result`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(row.receipt_sha256);
    expect(page.text).toContain(`data-receipt-answered>${row.answered_count}<`);
    expect(page.text).toContain(`${Number(row.score_percent)}%`);
    expect(page.text).toContain('data-score');
    expect(page.text).not.toContain('data-topics');
    expect(page.text).not.toContain('Your answers');
    for (const e of await explanationsOf(a.attemptId)) expect(page.text).not.toContain(e);
    // The exam page of a finished attempt leads to its result.
    const closed = await c.web.get(`/attempts/${a.attemptId}`);
    expect(closed.status).toBe(303);
    expect(closed.headers.location).toBe(`/attempts/${a.attemptId}/result`);

    const responses = await makeShortExam(t.db, { seconds: 300, reviewPolicy: 'responses' });
    const b = await takeAndSubmit(c.api, responses);
    await eventually(async () => ['passed', 'failed'].includes(await stateOf(b.attemptId)));
    page = await c.web.get(`/attempts/${b.attemptId}/result`);
    expect(page.text).toContain('data-topics');
    expect(page.text).toContain('Your answers');
    const explanations = await explanationsOf(b.attemptId);
    expect(explanations.some((e) => decode(page.text).includes(e))).toBe(true);
  });

  it('holds a flagged attempt\'s result for review: no score, no answers, and the page keeps polling', async () => {
    const c = await candidate('zh-CN');
    const examId = await makeShortExam(t.db, { seconds: 300, reviewPolicy: 'responses', thresholds: { focus_lost: 1 } });
    const attempt = (await c.api.post(`/api/v1/exams/${examId}/attempts`).send({})).body;
    expect((await c.api.post(`/api/v1/attempts/${attempt.attemptId}/events`).send({ type: 'focus_lost', at: new Date().toISOString(), detail: {} })).status).toBe(202);
    await c.api.post(`/api/v1/attempts/${attempt.attemptId}/submission`).send({});
    await eventually(async () => (await stateOf(attempt.attemptId)) === 'under_review');
    const page = await c.web.get(`/attempts/${attempt.attemptId}/result`);
    expect(page.text).toContain('data-pending="review"');
    expect(page.text).toContain('data-waiting="true"');
    expect(page.text).toContain('评审');
    expect(page.text).not.toContain('data-score');
    expect(page.text).not.toContain('data-topics');
    for (const e of await explanationsOf(attempt.attemptId)) expect(page.text).not.toContain(e);
  });

  it('lets only staff author exams: validation errors per field, in the chosen language, with what was typed kept', async () => {
    const c = await candidate();
    expect((await c.web.get('/admin/exams')).status).toBe(403);
    const staff = await webAgent(t.url, staffEmail, 'en');
    const list = await staff.get('/admin/exams');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Planner practice exam');
    expect(list.text).toContain('href="/admin/exams/new"');
    const form = await staff.get('/admin/exams/new');
    expect(form.status).toBe(200);
    const bad = await staff
      .post('/admin/exams')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        titleZh: '',
        titleEn: 'Kept title',
        mode: 'practice',
        timeLimitMinutes: 'soon',
        passMarkPercent: '120',
        cooldownHours: '0',
        reviewPolicy: 'score',
        reviewFrom: 'sitting_closed',
        graceSeconds: '15',
        threshold_focus_lost: '-1',
        s0_tags: '',
        s0_questionCount: '3',
        s0_pointsEach: '1',
      });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('value="Kept title"');
    expect(bad.text).toMatch(/id="titleZh-error">Required\./);
    expect(bad.text).toMatch(/id="timeLimitMinutes-error">Enter minutes between 0\.5 and 600/);
    expect(bad.text).toMatch(/id="passMarkPercent-error">Enter a percentage/);
    expect(bad.text).toMatch(/id="reviewFrom-error">Practice exams have no sittings/);
    expect(bad.text).toMatch(/id="threshold_focus_lost-error">/);
    expect(bad.text).toMatch(/id="s0_tags-error">Give at least one tag\./);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM exams WHERE title->>'en' = 'Kept title'`);
    expect(n).toBe(0);

    const zhStaff = await webAgent(t.url, staffEmail, 'zh-CN');
    // (the account remembers English; switch back for this agent)
    const home = await zhStaff.get('/');
    await zhStaff.post('/language').type('form').send({ _csrf: csrfOf(home.text), locale: 'zh-CN', next: '/' });
    const zhForm = await zhStaff.get('/admin/exams/new');
    const zhBad = await zhStaff.post('/admin/exams').type('form').send({ _csrf: csrfOf(zhForm.text), titleZh: '测试', mode: 'exam', timeLimitMinutes: '10', passMarkPercent: '60', cooldownHours: '0', reviewPolicy: 'score', reviewFrom: 'graded', graceSeconds: '15' });
    expect(zhBad.status).toBe(400);
    expect(zhBad.text).toContain('请选择模拟或认证。');
    expect(zhBad.text).toContain('组卷规则至少需要一个部分。');
  });

  it('creates a draft, refuses to publish a blueprint the banks cannot fill (which section, by how many), then publishes', async () => {
    const staff = await webAgent(t.url, staffEmail, 'en');
    let form = await staff.get('/admin/exams/new');
    const fields: Record<string, string | string[] | undefined> = {
      titleZh: '短测验',
      titleEn: 'Short quiz',
      descriptionZh: '',
      descriptionEn: '',
      mode: 'practice',
      timeLimitMinutes: '1.5',
      passMarkPercent: '60',
      attemptsAllowed: '',
      cooldownHours: '0',
      requiresCourse: 'on',
      shuffleQuestions: 'on',
      reviewPolicy: 'breakdown',
      reviewFrom: 'graded',
      validityMonths: '',
      graceSeconds: '5',
      threshold_focus_lost: '2',
      threshold_paste: '0',
      s0_titleZh: 'AIPL',
      s0_tags: 'aipl',
      s0_types: ['single_choice', 'true_false'],
      s0_questionCount: '2',
      s0_pointsEach: '1',
      s1_titleZh: '太多',
      s1_tags: 'fast, grow',
      s1_difficulties: ['5'],
      s1_questionCount: '150',
      s1_pointsEach: '2',
      s2_tags: '',
      s2_questionCount: '',
      s2_pointsEach: '1',
    };
    const created = await staff.post('/admin/exams').type('form').send(formBody({ _csrf: csrfOf(form.text), ...fields }));
    expect(created.status).toBe(303);
    const examId = /\/admin\/exams\/([0-9a-f-]{36})$/.exec(created.headers.location)![1];
    const [exam] = await t.db.query(`SELECT * FROM exams WHERE id = $1`, [examId]);
    expect(exam).toMatchObject({ status: 'draft', mode: 'practice', time_limit_seconds: 90, requires_course: true, shuffle_questions: true, shuffle_options: false, review_policy: 'breakdown', grace_seconds: 5, attempts_allowed: null });
    expect(exam.integrity_thresholds).toEqual({ focus_lost: 2, paste: 0 });
    const sections = await t.db.query(`SELECT position, tags, types, difficulties, question_count, points_each FROM exam_sections WHERE exam_id = $1 ORDER BY position`, [examId]);
    expect(sections).toEqual([
      { position: 0, tags: ['aipl'], types: ['single_choice', 'true_false'], difficulties: [], question_count: 2, points_each: 1 },
      { position: 1, tags: ['fast', 'grow'], types: [], difficulties: [5], question_count: 150, points_each: 2 },
    ]);

    form = await staff.get(`/admin/exams/${examId}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="1.5"');
    expect(form.text).toContain('data-shortfalls');
    const refused = await staff.post(`/admin/exams/${examId}/publish`).type('form').send({ _csrf: csrfOf(form.text) });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Not published: the banks cannot fill the blueprint.');
    expect(refused.text).toMatch(/data-short-section="2">Section 2 太多: needs 150, the banks have \d+ — short by \d+\./);
    expect(refused.text).not.toContain('data-short-section="1"');
    expect((await t.db.query(`SELECT status FROM exams WHERE id = $1`, [examId]))[0].status).toBe('draft');

    // Remove the impossible section, save, publish.
    const saved = await staff.post(`/admin/exams/${examId}`).type('form').send(formBody({ _csrf: csrfOf(form.text), ...fields, s1_remove: 'on' }));
    expect(saved.status).toBe(303);
    expect(await t.db.query(`SELECT position FROM exam_sections WHERE exam_id = $1`, [examId])).toEqual([{ position: 0 }]);
    const published = await staff.post(`/admin/exams/${examId}/publish`).type('form').send({ _csrf: csrfOf(form.text) });
    expect(published.status).toBe(303);
    expect((await t.db.query(`SELECT status FROM exams WHERE id = $1`, [examId]))[0].status).toBe('published');

    // A published exam keeps a blueprint that fills: an impossible edit is refused and nothing changes.
    form = await staff.get(`/admin/exams/${examId}`);
    const impossible = await staff.post(`/admin/exams/${examId}`).type('form').send(formBody({ _csrf: csrfOf(form.text), ...fields, titleEn: 'Changed' }));
    expect(impossible.status).toBe(422);
    expect(impossible.text).toMatch(/data-short-section="2"/);
    expect((await t.db.query(`SELECT title->>'en' AS en FROM exams WHERE id = $1`, [examId]))[0].en).toBe('Short quiz');

    // Sections attempts drew from cannot be removed.
    await t.db.query(`UPDATE exams SET requires_course = false WHERE id = $1`, [examId]);
    const c = await candidate();
    expect((await c.api.post(`/api/v1/exams/${examId}/attempts`).send({})).status).toBe(201);
    form = await staff.get(`/admin/exams/${examId}`);
    expect(form.text).toContain('drawn by attempts');
    const removeUsed = await staff
      .post(`/admin/exams/${examId}`)
      .type('form')
      .send(formBody({ _csrf: csrfOf(form.text), ...fields, s0_remove: 'on', s1_tags: 'fast', s1_difficulties: [], s1_questionCount: '1' }));
    expect(removeUsed.status).toBe(400);
    expect(removeUsed.text).toContain('cannot be removed or moved');
  });

  it('shows item statistics over graded attempts: facility, discrimination, reliability, out-of-threshold questions highlighted', async () => {
    const staff = await webAgent(t.url, staffEmail, 'en');
    const examId = await makeShortExam(t.db, { seconds: 300, areas: ['aipl', 'fast'], perSection: 2 });
    const empty = await staff.get(`/admin/exams/${examId}/statistics`);
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No graded attempts yet.');
    const attempts: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = await candidate();
      attempts.push((await takeAndSubmit(c.api, examId)).attemptId);
    }
    await eventually(async () => {
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM attempts WHERE exam_id = $1 AND state IN ('passed', 'failed')`, [examId]);
      return n === 6;
    }, 30000);
    const rows: { attempt_id: string; position: number; question_id: string; credit: string }[] = await t.db.query(
      `SELECT attempt_id, position, question_id, credit FROM attempt_items WHERE attempt_id = ANY($1::uuid[])`,
      [attempts],
    );
    const byPosition = new Map<string, Map<string, number>>();
    const questions = new Set<string>();
    for (const r of rows) {
      if (!byPosition.has(r.attempt_id)) byPosition.set(r.attempt_id, new Map());
      byPosition.get(r.attempt_id)!.set(String(r.position).padStart(4, '0'), Number(r.credit));
      questions.add(r.question_id);
    }
    const expected = itemStatistics([...byPosition.values()]);

    const page = await staff.get(`/admin/exams/${examId}/statistics`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-attempts>6');
    expect(page.text).toContain(`data-alpha>${expected.alpha === null ? '—' : expected.alpha.toFixed(2)}<`);
    const shown = [...page.text.matchAll(/data-question="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(shown.length).toBe(Math.min(25, questions.size));
    expect(shown.every((q) => questions.has(q))).toBe(true);
    const outside = (page.text.match(/data-outside="true"/g) ?? []).length;
    const flaggedCount = Number(/data-flagged-count>(\d+)</.exec(page.text)![1]);
    expect(outside).toBe(Math.min(25, flaggedCount));
    const onlyFlagged = await staff.get(`/admin/exams/${examId}/statistics?flagged=1`);
    expect([...onlyFlagged.text.matchAll(/data-question="/g)].length).toBe(Math.min(25, flaggedCount));
    expect((await staff.get(`/admin/exams/${examId}/statistics?page=2`)).status).toBe(200);
    const zh = await webAgent(t.url, (await makeUser(t.app, 'platform_staff')).email, 'zh-CN');
    expect((await zh.get(`/admin/exams/${examId}/statistics`)).text).toContain('难度系数');
  });
});
