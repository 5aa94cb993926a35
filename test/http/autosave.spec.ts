import request from 'supertest';
import { loadContent, makeShortExam, someResponse } from '../support/exams';
import { makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';
import { startTestApp, TestApp } from '../support/app';

interface ItemJson {
  itemId: string;
  type: string;
  options: { id: string }[];
}

/**
 * The autosave is a lean route (src/infra/http/lean-routes.ts): it bypasses Nest's guard chain,
 * so these tests hold it to the same rules as every other API route.
 */
describe('answer autosave as a lean route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: false } });
    await loadContent(t.app);
  }, 120_000);
  afterAll(async () => t.close());

  async function startedAttempt() {
    const user = await makeUser(t.app, 'candidate');
    const agent = await signedInAgent(t.url, user.email, PASSWORD);
    const examId = await makeShortExam(t.db, { seconds: 300 });
    const attempt = (await agent.post(`/api/v1/exams/${examId}/attempts`).send({})).body as {
      attemptId: string;
      items: ItemJson[];
    };
    const item = attempt.items.find((i) => i.type === 'single_choice') ?? attempt.items[0];
    return {
      user,
      agent,
      attempt,
      item,
      url: `/api/v1/attempts/${attempt.attemptId}/answers/${item.itemId}`,
    };
  }

  it('refuses a caller with no session, a forged cookie or an unknown token with 401', async () => {
    const { url, item } = await startedAttempt();
    const body = { response: someResponse(item), seq: 1 };
    const none = await request(t.url).put(url).send(body);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'NOT_SIGNED_IN' });
    expect(none.body.requestId).toEqual(expect.any(String));
    expect((await request(t.url).put(url).set('cookie', 'pa_session=abc.def').send(body)).status).toBe(401);
    expect((await request(t.url).put(url).set('authorization', 'Bearer pa_madeup').send(body)).status).toBe(
      401,
    );
  });

  it('stops saving the moment the session ends, even though the principal is cached', async () => {
    const { agent, url, item } = await startedAttempt();
    expect((await agent.put(url).send({ response: someResponse(item), seq: 1 })).status).toBe(200);
    // Sign-out deletes the session row; the next save is refused although the cache still knows the session.
    const jar = agent as unknown as {
      jar: { getCookies: (o: unknown) => { name: string; value: string }[] };
    };
    const sessionCookie = jar.jar
      .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
      .find((c) => c.name === 'pa_session');
    expect(sessionCookie).toBeDefined();
    expect((await agent.post('/api/v1/auth/logout')).status).toBe(200);
    const after = await request(t.url)
      .put(url)
      .set('cookie', `pa_session=${sessionCookie!.value}`)
      .send({ response: someResponse(item), seq: 2 });
    expect(after.status).toBe(401);
    const stored = await t.db.query<{ seq: string }[]>(
      `SELECT seq FROM attempt_items WHERE item_id = $1 AND attempt_id = $2`,
      [item.itemId, url.split('/')[4]],
    );
    expect(Number(stored[0].seq)).toBe(1);
  });

  it('refuses a submission from a signed-out session at once (no cached principal for submissions)', async () => {
    const { agent, url, item, attempt } = await startedAttempt();
    expect((await agent.put(url).send({ response: someResponse(item), seq: 1 })).status).toBe(200);
    const jar = agent as unknown as { jar: { getCookies: (o: unknown) => { name: string; value: string }[] } };
    const sessionCookie = jar.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).find((c) => c.name === 'pa_session')!;
    expect((await agent.post('/api/v1/auth/logout')).status).toBe(200);
    const submit = await request(t.url).post(`/api/v1/attempts/${attempt.attemptId}/submission`).set('cookie', `pa_session=${sessionCookie.value}`).send({});
    expect(submit.status).toBe(401);
    const [row] = await t.db.query<{ state: string }[]>(`SELECT state FROM attempts WHERE id = $1`, [attempt.attemptId]);
    expect(row.state).toBe('in_progress');
  });

  it('accepts a personal API token, and keeps another person out of the attempt (404)', async () => {
    const { agent, url, item } = await startedAttempt();
    const token = (await agent.post('/api/v1/me/tokens').send({ name: 'exam-client' })).body.token as string;
    const saved = await request(t.url)
      .put(url)
      .set('authorization', `Bearer ${token}`)
      .send({ response: someResponse(item), seq: 3 });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ seq: 3, savedAt: expect.any(String) });
    const stranger = await makeUser(t.app, 'candidate');
    const strangerAgent = await signedInAgent(t.url, stranger.email, PASSWORD);
    const refused = await strangerAgent.put(url).send({ response: null, seq: 9 });
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('ATTEMPT_NOT_FOUND');
  });

  it("answers bad bodies with a 400 naming each field, in the caller's language", async () => {
    const { agent, url } = await startedAttempt();
    const missing = await agent.put(url).send({ response: null });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(missing.body.fields)).toEqual(['seq']);
    // A new person's language is zh-CN until they choose another.
    expect(missing.body.fields.seq[0]).toMatch(/seq.*[\u4e00-\u9fff]/);
    const wrongTypes = await agent.put(url).send({ response: 'text', seq: 1.5 });
    expect(wrongTypes.status).toBe(400);
    expect(Object.keys(wrongTypes.body.fields).sort()).toEqual(expect.arrayContaining(['response']));
    const extra = await agent.put(url).send({ response: null, seq: 2, sneaky: true });
    expect(extra.status).toBe(400);
    expect(extra.body.fields.body).toBeDefined();
    const form = await agent.put(url).set('content-type', 'application/x-www-form-urlencoded').send('seq=1');
    expect(form.status).toBe(415);
  });

  it('sends no-store and nosniff, and is listed in the OpenAPI document', async () => {
    const { agent, url, item } = await startedAttempt();
    const saved = await agent.put(url).send({ response: someResponse(item), seq: 1 });
    expect(saved.headers['cache-control']).toBe('no-store');
    expect(saved.headers['x-content-type-options']).toBe('nosniff');
    expect(saved.headers['x-request-id']).toEqual(expect.any(String));
    const doc = (await request(t.url).get('/api/docs/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.paths['/api/v1/attempts/{attemptId}/answers/{itemId}'].put).toMatchObject({ tags: ['exams'] });
  });
});
