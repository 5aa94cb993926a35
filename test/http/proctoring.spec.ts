import http from 'node:http';
import request from 'supertest';
import { ConsoleStreams } from '../../src/modules/proctoring/console-stream';
import { startTestApp, TestApp } from '../support/app';
import { eventually, loadContent, makeShortExam, someResponse } from '../support/exams';
import { makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';

type Agent = Awaited<ReturnType<typeof signedInAgent>>;
interface User {
  id: string;
  email: string;
  name: string;
}
interface ItemJson {
  itemId: string;
  type: string;
  options: { id: string }[];
}

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const hour = 3600_000;

/** A server-sent event stream read with a plain HTTP request, as a browser's EventSource would. */
interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  events: { event: string; data: unknown }[];
  waitFor(predicate: (e: { event: string; data: unknown }) => boolean, timeoutMs?: number): Promise<{ event: string; data: unknown }>;
  close(): void;
}

function openStream(baseUrl: string, path: string, cookie: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}${path}`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      let cursor = 0;
      const listeners = new Set<() => void>();
      const stream: Stream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: '',
        events: [],
        waitFor(predicate, timeoutMs = 10_000) {
          return new Promise((done, fail) => {
            const check = () => {
              for (let i = cursor; i < stream.events.length; i++) {
                if (predicate(stream.events[i])) {
                  cursor = i + 1;
                  listeners.delete(check);
                  clearTimeout(timer);
                  done(stream.events[i]);
                  return;
                }
              }
            };
            const timer = setTimeout(() => {
              listeners.delete(check);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${stream.events.map((e) => e.event).join(', ')}`));
            }, timeoutMs);
            listeners.add(check);
            check();
          });
        },
        close() {
          req.destroy();
        },
      };
      res.on('data', (chunk: string) => {
        stream.body += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) stream.events.push({ event, data: JSON.parse(data) });
        }
        for (const listener of [...listeners]) listener();
      });
      res.on('error', () => undefined);
      resolve(stream);
    });
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
  });
}

describe('proctoring: sittings, registration, the live console, review, appeals and essays', () => {
  let t: TestApp;
  let staff: User;
  let proctor: User;
  let otherProctor: User;
  let staffApi: Agent;
  let proctorApi: Agent;
  let otherProctorApi: Agent;
  let examId: string;
  let practiceExamId: string;
  let shippedCertificationId: string | null;

  beforeAll(async () => {
    t = await startTestApp({ roles: { web: true, worker: true } });
    await loadContent(t.app);
    staff = await makeUser(t.app, 'platform_staff');
    proctor = await makeUser(t.app, 'proctor');
    otherProctor = await makeUser(t.app, 'proctor');
    staffApi = await signedInAgent(t.url, staff.email, PASSWORD);
    proctorApi = await signedInAgent(t.url, proctor.email, PASSWORD);
    otherProctorApi = await signedInAgent(t.url, otherProctor.email, PASSWORD);
    // A certification exam that does not require the course, so candidates are eligible at once.
    examId = await makeShortExam(t.db, { seconds: 600, mode: 'certification', reviewPolicy: 'score' });
    practiceExamId = await makeShortExam(t.db, { seconds: 600 });
    const [shipped] = await t.db.query(`SELECT id FROM exams WHERE key = 'tmic-planner-certification' AND status = 'published'`);
    shippedCertificationId = shipped?.id ?? null;
  }, 180_000);
  afterAll(async () => t.close());

  async function candidate(timeMultiplier?: number): Promise<{ user: User; api: Agent }> {
    const user = await makeUser(t.app, 'candidate');
    if (timeMultiplier) await t.db.query(`UPDATE users SET time_multiplier = $2 WHERE id = $1`, [user.id, timeMultiplier]);
    return { user, api: await signedInAgent(t.url, user.email, PASSWORD) };
  }

  async function sitting(overrides: Record<string, unknown> = {}): Promise<{ id: string; accessCode: string; examId: string }> {
    const response = await staffApi.post('/api/v1/sittings').send({
      examId,
      title: `Sitting ${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + hour).toISOString(),
      capacity: 20,
      proctorIds: [proctor.id],
      ...overrides,
    });
    if (response.status !== 201) throw new Error(`sitting: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  const attemptRow = async (attemptId: string) => (await t.db.query<Record<string, unknown>[]>(`SELECT * FROM attempts WHERE id = $1`, [attemptId]))[0];
  const stateOf = async (attemptId: string) => (await attemptRow(attemptId)).state as string;

  /** Registered, admitted by the proctor and started: the candidate's attempt in progress. */
  async function inProgress(s: { id: string; accessCode: string; examId: string }, who?: { user: User; api: Agent }) {
    const c = who ?? (await candidate());
    const registration = await c.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode });
    expect(registration.status).toBe(201);
    const admitted = await proctorApi.post(`/api/v1/proctoring/attempts/${registration.body.attemptId}/admission`).send({ documentType: 'passport', documentLast4: 'E123' });
    expect(admitted.status).toBe(200);
    const started = await c.api.post(`/api/v1/exams/${s.examId}/attempts`).send({});
    expect(started.status).toBe(201);
    expect(started.body.attemptId).toBe(registration.body.attemptId);
    return { ...c, attemptId: registration.body.attemptId as string, view: started.body as { attemptId: string; deadlineAt: string; remainingSeconds: number; items: ItemJson[] } };
  }

  async function loginCookie(email: string): Promise<string> {
    const response = await request(t.url).post('/api/v1/auth/login').send({ email, password: PASSWORD });
    const cookies = response.headers['set-cookie'] as unknown as string[];
    return cookies.map((c) => c.split(';')[0]).join('; ');
  }

  async function webAgent(email: string) {
    const agent = request.agent(t.url);
    const page = await agent.get('/login');
    await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), email, password: PASSWORD });
    return agent;
  }

  // ---- sittings ---------------------------------------------------------------------------------

  it('lets staff schedule a sitting with a readable generated access code, change it and assign proctors', async () => {
    const created = await sitting({ capacity: 5 });
    expect(created.accessCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(created.accessCode).not.toMatch(/[01OIL58SB]/);
    const [audit] = await t.db.query(`SELECT actor_id FROM audit_events WHERE action = 'sitting.created' AND target_id = $1`, [created.id]);
    expect(audit.actor_id).toBe(staff.id);

    const changed = await staffApi.patch(`/api/v1/sittings/${created.id}`).send({ capacity: 8, accessCode: 'tmic 2026', autoAdmit: true, staggerSeconds: 30 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ capacity: 8, accessCode: 'TMIC 2026', autoAdmit: true, staggerSeconds: 30 });
    const regenerated = await staffApi.patch(`/api/v1/sittings/${created.id}`).send({ regenerateCode: true });
    expect(regenerated.body.accessCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const assigned = await staffApi.put(`/api/v1/sittings/${created.id}/proctors`).send({ proctorIds: [proctor.id, otherProctor.id] });
    expect(assigned.body.proctors.map((p: User) => p.id).sort()).toEqual([proctor.id, otherProctor.id].sort());
    expect((await staffApi.put(`/api/v1/sittings/${created.id}/proctors`).send({ proctorIds: [proctor.id] })).status).toBe(200);

    const { user: someone } = await candidate();
    const notProctor = await staffApi.put(`/api/v1/sittings/${created.id}/proctors`).send({ proctorIds: [someone.id] });
    expect(notProctor.status).toBe(400);
    expect(notProctor.body.code).toBe('NOT_A_PROCTOR');
    const practice = await staffApi.post('/api/v1/sittings').send({ examId: practiceExamId, title: 'x', opensAt: new Date().toISOString(), closesAt: new Date(Date.now() + hour).toISOString(), capacity: 1 });
    expect(practice.body.code).toBe('EXAM_NOT_CERTIFICATION');
    const backwards = await staffApi.post('/api/v1/sittings').send({ examId, title: 'x', opensAt: new Date(Date.now() + hour).toISOString(), closesAt: new Date().toISOString(), capacity: 1 });
    expect(backwards.status).toBe(400);
    expect(backwards.body.code).toBe('WINDOW_INVALID');
    expect((await staffApi.post('/api/v1/sittings').send({ examId, title: '', capacity: 0 })).status).toBe(400);

    // Proctors see the sittings assigned to them; candidates cannot schedule.
    const mine = (await proctorApi.get('/api/v1/sittings?perPage=100')).body;
    expect(mine.items.map((s: { id: string }) => s.id)).toContain(created.id);
    const theirs = (await otherProctorApi.get('/api/v1/sittings?perPage=100')).body;
    expect(theirs.items.map((s: { id: string }) => s.id)).not.toContain(created.id);
    await sitting();
    const paged = (await staffApi.get('/api/v1/sittings?perPage=1&page=1')).body;
    expect(paged).toMatchObject({ page: 1, perPage: 1 });
    expect(paged.items).toHaveLength(1);
    expect(paged.totalPages).toBeGreaterThanOrEqual(2);
    const { api } = await candidate();
    expect((await api.post('/api/v1/sittings').send({})).status).toBe(403);
    expect((await api.get('/api/v1/sittings')).status).toBe(403);
  });

  it('registers with the access code within the window and capacity, only when eligible, once per exam', async () => {
    const s = await sitting({ capacity: 2 });
    const a = await candidate(1.25);
    const wrong = await a.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: 'NOPE-NOPE' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('WRONG_ACCESS_CODE');

    // Case, spaces and hyphens do not matter.
    const typed = s.accessCode.replace('-', ' ').toLowerCase();
    const registered = await a.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: typed });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ state: 'registered', sittingId: s.id, notBefore: null });
    const row = await attemptRow(registered.body.attemptId);
    expect(row).toMatchObject({ state: 'registered', sitting_id: s.id, user_id: a.user.id, exam_id: examId, time_multiplier: '1.25' });
    expect(Number(row.seed)).toBeGreaterThan(0);

    const again = await a.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_REGISTERED');
    const elsewhere = await sitting();
    const second = await a.api.post(`/api/v1/sittings/${elsewhere.id}/registrations`).send({ accessCode: elsewhere.accessCode });
    expect(second.body.code).toBe('ALREADY_REGISTERED');

    const b = await candidate();
    expect((await b.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode })).status).toBe(201);
    const c = await candidate();
    const full = await c.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('SITTING_FULL');

    // Withdrawing before admission frees the seat.
    const withdrawn = await a.api.delete(`/api/v1/sittings/${s.id}/registrations/mine`);
    expect(withdrawn.status).toBe(200);
    expect(await stateOf(registered.body.attemptId)).toBe('withdrawn');
    expect((await c.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode })).status).toBe(201);
    expect((await a.api.delete(`/api/v1/sittings/${s.id}/registrations/mine`)).body.code).toBe('REGISTRATION_NOT_FOUND');

    // After admission by a proctor the candidate can no longer withdraw.
    const [bAttempt] = await t.db.query(`SELECT id FROM attempts WHERE sitting_id = $1 AND user_id = $2`, [s.id, b.user.id]);
    await proctorApi.post(`/api/v1/proctoring/attempts/${bAttempt.id}/admission`).send({ documentType: 'resident_id', documentLast4: '0012' });
    const late = await b.api.delete(`/api/v1/sittings/${s.id}/registrations/mine`);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('WITHDRAW_NOT_ALLOWED');

    // A closed window refuses registrations.
    const closed = await sitting();
    await t.db.query(`UPDATE sittings SET opens_at = now() - interval '3 hours', closes_at = now() - interval '1 hour' WHERE id = $1`, [closed.id]);
    const d = await candidate();
    const tooLate = await d.api.post(`/api/v1/sittings/${closed.id}/registrations`).send({ accessCode: closed.accessCode });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.code).toBe('SITTING_CLOSED');

    const types = (await t.db.query(`SELECT type FROM attempt_events WHERE attempt_id = $1 ORDER BY id`, [registered.body.attemptId])).map((e: { type: string }) => e.type);
    expect(types).toEqual(['register', 'withdraw']);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'sitting.registered' AND actor_id = $1`, [a.user.id]);
    expect(n).toBe(1);
  });

  it('refuses registration for a certification exam whose required course is not completed, and says why', async () => {
    expect(shippedCertificationId).not.toBeNull();
    const s = await sitting({ examId: shippedCertificationId });
    const c = await candidate();
    const refused = await c.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'NOT_ELIGIBLE', reason: 'COURSE_NOT_COMPLETED' });

    const open = await sitting();
    const available = (await c.api.get('/api/v1/sittings/available?perPage=100')).body;
    const ids = available.page.items.map((x: { id: string }) => x.id);
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(s.id);
    expect(available.ineligible).toEqual(expect.arrayContaining([expect.objectContaining({ examId: shippedCertificationId, reasonCode: 'COURSE_NOT_COMPLETED' })]));
    // Candidates never see an access code in the list.
    expect(JSON.stringify(available)).not.toContain(open.accessCode);
  });

  // ---- admission ----------------------------------------------------------------------------------

  it('admits after an identity check that is recorded on the attempt, its timeline and the audit log; then the candidate may start', async () => {
    const s = await sitting();
    const c = await candidate();
    const registration = await c.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode });
    const attemptId = registration.body.attemptId as string;
    const early = await c.api.post(`/api/v1/exams/${examId}/attempts`).send({});
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('NOT_ADMITTED');

    const bad = await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/admission`).send({ documentType: 'library_card', documentLast4: '12' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.fields).sort()).toEqual(['documentLast4', 'documentType']);
    const stranger = await otherProctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/admission`).send({ documentType: 'resident_id', documentLast4: '123X' });
    expect(stranger.status).toBe(403);
    expect(stranger.body.code).toBe('NOT_YOUR_SITTING');

    const admitted = await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/admission`).send({ documentType: 'resident_id', documentLast4: '123x', note: 'photo matches' });
    expect(admitted.status).toBe(200);
    expect(admitted.body).toMatchObject({ id: attemptId, state: 'admitted', can: { admit: false, pause: false } });
    expect(admitted.body.identityCheck).toMatchObject({ documentType: 'resident_id', documentLast4: '123X', note: 'photo matches', checkedBy: proctor.id, checkedByName: proctor.name });
    const row = await attemptRow(attemptId);
    expect(row.admitted_at).toBeInstanceOf(Date);
    expect(row.identity_check).toMatchObject({ documentType: 'resident_id', documentLast4: '123X', checkedBy: proctor.id });
    const [event] = await t.db.query(`SELECT actor_id, from_state, to_state, detail FROM attempt_events WHERE attempt_id = $1 AND type = 'admit'`, [attemptId]);
    expect(event).toMatchObject({ actor_id: proctor.id, from_state: 'registered', to_state: 'admitted' });
    expect(event.detail).toMatchObject({ documentType: 'resident_id', documentLast4: '123X' });
    const [audit] = await t.db.query(`SELECT actor_id, detail FROM audit_events WHERE action = 'attempt.admitted' AND target_id = $1`, [attemptId]);
    expect(audit.actor_id).toBe(proctor.id);
    const twice = await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/admission`).send({ documentType: 'resident_id', documentLast4: '123X' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('TRANSITION_REFUSED');

    const started = await c.api.post(`/api/v1/exams/${examId}/attempts`).send({});
    expect(started.status).toBe(201);
    expect(started.body.attemptId).toBe(attemptId);
  });

  it('auto-admits with a staggered start: not_before falls within the stagger after the opening, and the start waits for it', async () => {
    const opensAt = new Date(Date.now() - 1000);
    const s = await sitting({ autoAdmit: true, staggerSeconds: 600, opensAt: opensAt.toISOString() });
    const results = [];
    for (let i = 0; i < 3; i++) {
      const c = await candidate();
      const registration = await c.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode });
      expect(registration.status).toBe(201);
      expect(registration.body.state).toBe('admitted');
      results.push({ c, registration: registration.body });
    }
    for (const { c, registration } of results) {
      const notBefore = new Date(registration.notBefore).getTime();
      expect(notBefore).toBeGreaterThanOrEqual(Math.floor(opensAt.getTime() / 1000) * 1000 - 1000);
      expect(notBefore).toBeLessThanOrEqual(opensAt.getTime() + 600_000 + 1000);
      const row = await attemptRow(registration.attemptId);
      expect((row.not_before as Date).getTime()).toBe(notBefore);
      expect(row.state).toBe('admitted');
      const start = await c.api.post(`/api/v1/exams/${examId}/attempts`).send({});
      if (notBefore > Date.now() + 2000) {
        expect(start.status).toBe(409);
        expect(start.body.code).toBe('NOT_YET');
      } else if (notBefore < Date.now() - 2000) {
        expect(start.status).toBe(201);
      }
    }
    const [event] = await t.db.query(`SELECT actor_id, reason, detail FROM attempt_events WHERE attempt_id = $1 AND type = 'admit'`, [results[0].registration.attemptId]);
    expect(event.actor_id).toBeNull();
    expect(event.detail).toMatchObject({ auto: true });

    // Without a stagger everyone may start at the opening.
    const plain = await sitting({ autoAdmit: true, staggerSeconds: 0 });
    const c = await candidate();
    const registration = await c.api.post(`/api/v1/sittings/${plain.id}/registrations`).send({ accessCode: plain.accessCode });
    expect(registration.body).toMatchObject({ state: 'admitted', notBefore: null });
    // An auto-admitted candidate may still withdraw before starting.
    expect((await c.api.delete(`/api/v1/sittings/${plain.id}/registrations/mine`)).status).toBe(200);
  });

  // ---- the live console -----------------------------------------------------------------------------

  it('streams the console as server-sent events: a snapshot, then each attempt as it changes', async () => {
    const s = await sitting();
    const cookie = await loginCookie(proctor.email);
    const stream = await openStream(t.url, `/api/v1/sittings/${s.id}/console/stream`, cookie);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      const snapshot = (await stream.waitFor((e) => e.event === 'snapshot')).data as { sitting: { id: string }; attempts: unknown[]; serverTime: string };
      expect(snapshot.sitting.id).toBe(s.id);
      expect(snapshot.attempts).toEqual([]);

      const c = await candidate();
      const registration = await c.api.post(`/api/v1/sittings/${s.id}/registrations`).send({ accessCode: s.accessCode });
      const attemptId = registration.body.attemptId as string;
      const isMine = (state: string) => (e: { event: string; data: unknown }) =>
        e.event === 'attempt' && (e.data as { attempt: { id: string; state: string } }).attempt.id === attemptId && (e.data as { attempt: { state: string } }).attempt.state === state;
      const appeared = (await stream.waitFor(isMine('registered'))).data as { serverTime: string; attempt: { name: string; can: { admit: boolean } } };
      expect(appeared.attempt).toMatchObject({ name: c.user.name, can: { admit: true } });
      expect(appeared.serverTime).toEqual(expect.any(String));

      await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/admission`).send({ documentType: 'passport', documentLast4: 'G001' });
      await stream.waitFor(isMine('admitted'));
      const started = await c.api.post(`/api/v1/exams/${examId}/attempts`).send({});
      const live = (await stream.waitFor(isMine('in_progress'))).data as { attempt: { total: number; answered: number; remainingSeconds: number; deadlineAt: string } };
      expect(live.attempt).toMatchObject({ total: 3, answered: 0, deadlineAt: started.body.deadlineAt });
      expect(live.attempt.remainingSeconds).toBeGreaterThan(590);

      const item: ItemJson = started.body.items[0];
      await c.api.put(`/api/v1/attempts/${attemptId}/answers/${item.itemId}`).send({ response: someResponse(item), seq: 1 });
      const answered = await stream.waitFor((e) => e.event === 'attempt' && (e.data as { attempt: { id: string; answered: number } }).attempt.answered === 1);
      expect((answered.data as { attempt: { id: string } }).attempt.id).toBe(attemptId);
    } finally {
      stream.close();
    }
    // The server lets go of the stream when the client leaves.
    await eventually(async () => t.app.get(ConsoleStreams).openCount === 0, 5000);

    const strangerCookie = await loginCookie(otherProctor.email);
    const refused = await openStream(t.url, `/api/v1/sittings/${s.id}/console/stream`, strangerCookie);
    await new Promise((r) => setTimeout(r, 300));
    refused.close();
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).code).toBe('NOT_YOUR_SITTING');
  });

  it('pauses the clock, resumes with the deadline moved by the paused time, adds time, and messages the candidate', async () => {
    const s = await sitting();
    const { api, attemptId, view } = await inProgress(s);
    const before = new Date(view.deadlineAt).getTime();
    const paused = await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/pause`).send({ reason: 'fire alarm' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ state: 'paused', can: { pause: false, resume: true, addTime: true } });
    const frozen = (await api.get(`/api/v1/attempts/${attemptId}`)).body;
    expect(frozen.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 2100));
    expect((await api.get(`/api/v1/attempts/${attemptId}`)).body.remainingSeconds).toBe(frozen.remainingSeconds);
    expect((await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/pause`).send({})).body.code).toBe('TRANSITION_REFUSED');

    const resumed = await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/resume`).send({});
    expect(resumed.body.state).toBe('in_progress');
    const afterResume = new Date(resumed.body.deadlineAt).getTime();
    expect(afterResume - before).toBeGreaterThanOrEqual(2000);
    expect(afterResume - before).toBeLessThan(10_000);

    const extended = await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/time`).send({ minutes: 3, reason: 'accommodation' });
    expect(extended.status).toBe(200);
    expect(new Date(extended.body.deadlineAt).getTime() - afterResume).toBe(180_000);
    expect(extended.body.addedSeconds).toBe(180);
    expect((await api.get(`/api/v1/attempts/${attemptId}`)).body.deadlineAt).toBe(extended.body.deadlineAt);
    expect((await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/time`).send({ minutes: 0 })).status).toBe(400);

    expect((await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/messages`).send({ text: '请保持摄像头开启' })).status).toBe(200);
    const heartbeat = await api.post(`/api/v1/attempts/${attemptId}/events`).send({ type: 'heartbeat' });
    expect(heartbeat.body.messages.map((m: { text: string }) => m.text)).toContain('请保持摄像头开启');

    const events = await t.db.query<{ type: string; actor_id: string | null }[]>(`SELECT type, actor_id FROM attempt_events WHERE attempt_id = $1 AND kind <> 'signal' ORDER BY id`, [attemptId]);
    expect(events.map((e) => e.type)).toEqual(['register', 'admit', 'start', 'pause', 'resume', 'time_added', 'message']);
    expect(events.filter((e) => ['pause', 'resume', 'time_added', 'message'].includes(e.type)).every((e) => e.actor_id === proctor.id)).toBe(true);
    const audits = (await t.db.query(`SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id`, [attemptId])).map((r: { action: string }) => r.action);
    expect(audits).toEqual(expect.arrayContaining(['attempt.admitted', 'attempt.paused', 'attempt.resumed', 'attempt.time_added', 'attempt.messaged']));
  });

  it('keeps a proctor who is not assigned (and candidates) out of the console and every action', async () => {
    const s = await sitting();
    const { attemptId } = await inProgress(s);
    for (const response of [
      await otherProctorApi.get(`/api/v1/sittings/${s.id}/console`),
      await otherProctorApi.get(`/api/v1/sittings/${s.id}`),
      await otherProctorApi.get(`/api/v1/sittings/${s.id}/registrations`),
      await otherProctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/pause`).send({}),
      await otherProctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/time`).send({ minutes: 5 }),
      await otherProctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/termination`).send({ reason: 'x' }),
      await otherProctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/notes`).send({ text: 'x', flag: true }),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('NOT_YOUR_SITTING');
    }
    expect(await stateOf(attemptId)).toBe('in_progress');
    const web = await webAgent(otherProctor.email);
    expect((await web.get(`/proctor/sittings/${s.id}`)).status).toBe(403);
    const { api } = await candidate();
    expect((await api.get(`/api/v1/sittings/${s.id}/console`)).status).toBe(403);
    expect((await api.post(`/api/v1/proctoring/attempts/${attemptId}/pause`).send({})).status).toBe(403);
    // Staff may act on any sitting.
    expect((await staffApi.post(`/api/v1/proctoring/attempts/${attemptId}/pause`).send({})).status).toBe(200);
  });

  // ---- review and appeals ---------------------------------------------------------------------------

  it('terminates: submitted as it stands and flagged; after grading it waits in review, and clearing decides it by score', async () => {
    const s = await sitting();
    const { attemptId, view } = await inProgress(s);
    expect((await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/termination`).send({ reason: '' })).status).toBe(400);
    const ended = await proctorApi.post(`/api/v1/proctoring/attempts/${attemptId}/termination`).send({ reason: 'phone on the desk' });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ state: 'submitted', flagged: true });
    expect(ended.body.flagReasons).toContain('terminated');
    expect(view.items.length).toBe(3);
    await eventually(async () => (await stateOf(attemptId)) === 'under_review', 20_000);

    const queue = (await proctorApi.get('/api/v1/review')).body;
    expect(queue.items.map((r: { attemptId: string }) => r.attemptId)).toContain(attemptId);
    expect((await otherProctorApi.get('/api/v1/review')).body.items.map((r: { attemptId: string }) => r.attemptId)).not.toContain(attemptId);
    const detail = (await proctorApi.get(`/api/v1/review/${attemptId}`)).body;
    const types = detail.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(['register', 'admit', 'start', 'terminate', 'grade', 'hold']);
    const times = detail.timeline.map((e: { at: string }) => new Date(e.at).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(detail.timeline.find((e: { type: string }) => e.type === 'terminate')).toMatchObject({ actor: proctor.name, reason: 'phone on the desk' });
    expect(detail.canDecide).toBe(true);

    expect((await otherProctorApi.post(`/api/v1/review/${attemptId}/decision`).send({ decision: 'clear' })).status).toBe(403);
    const cleared = await proctorApi.post(`/api/v1/review/${attemptId}/decision`).send({ decision: 'clear' });
    expect(cleared.status).toBe(200);
    const row = await attemptRow(attemptId);
    expect(row.state).toBe(row.passed ? 'passed' : 'failed');
    expect(row.decided_at).toBeInstanceOf(Date);
    expect((await proctorApi.post(`/api/v1/review/${attemptId}/decision`).send({ decision: 'clear' })).body.code).toBe('NOT_UNDER_REVIEW');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'attempt.cleared' AND target_id = $1`, [attemptId]);
    expect(n).toBe(1);
  }, 60_000);

  it('invalidates with a reason, takes one appeal, and an upheld appeal sends the attempt back to review (a rejected one does not)', async () => {
    const s = await sitting();
    const first = await inProgress(s);
    const second = await inProgress(s);
    for (const x of [first, second]) {
      const noted = await proctorApi.post(`/api/v1/proctoring/attempts/${x.attemptId}/notes`).send({ text: 'looked at a second screen', flag: true });
      expect(noted.body).toMatchObject({ flagged: true });
      expect(noted.body.flagReasons).toContain('irregularity');
      expect((await x.api.post(`/api/v1/attempts/${x.attemptId}/submission`).send({})).status).toBe(200);
    }
    await eventually(async () => (await stateOf(first.attemptId)) === 'under_review' && (await stateOf(second.attemptId)) === 'under_review', 20_000);

    const noReason = await proctorApi.post(`/api/v1/review/${first.attemptId}/decision`).send({ decision: 'invalidate' });
    expect(noReason.status).toBe(400);
    expect(Object.keys(noReason.body.fields)).toEqual(['reason']);
    for (const x of [first, second]) {
      const invalidated = await proctorApi.post(`/api/v1/review/${x.attemptId}/decision`).send({ decision: 'invalidate', reason: 'second screen confirmed' });
      expect(invalidated.body).toEqual({ attemptId: x.attemptId, state: 'invalidated' });
    }
    const result = (await first.api.get(`/api/v1/attempts/${first.attemptId}/result`)).body;
    expect(result.state).toBe('invalidated');

    // One appeal per attempt, by its candidate only.
    expect((await second.api.post('/api/v1/appeals').send({ attemptId: first.attemptId, reason: 'not mine' })).status).toBe(404);
    const appeal = await first.api.post('/api/v1/appeals').send({ attemptId: first.attemptId, reason: 'The second screen was switched off.' });
    expect(appeal.status).toBe(201);
    expect(appeal.body).toMatchObject({ attemptId: first.attemptId, status: 'open' });
    const again = await first.api.post('/api/v1/appeals').send({ attemptId: first.attemptId, reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('APPEAL_NOT_ALLOWED');
    const rejectedAppeal = (await second.api.post('/api/v1/appeals').send({ attemptId: second.attemptId, reason: 'Please look again.' })).body;

    expect((await proctorApi.post(`/api/v1/appeals/${appeal.body.id}/resolution`).send({ outcome: 'upheld', resolution: 'x' })).status).toBe(403);
    const open = (await staffApi.get('/api/v1/appeals?status=open&perPage=100')).body;
    expect(open.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([appeal.body.id, rejectedAppeal.id]));

    const upheld = await staffApi.post(`/api/v1/appeals/${appeal.body.id}/resolution`).send({ outcome: 'upheld', resolution: 'The recording shows the screen was off.' });
    expect(upheld.status).toBe(200);
    expect(upheld.body).toMatchObject({ status: 'upheld', resolvedBy: staff.id });
    expect(await stateOf(first.attemptId)).toBe('under_review');
    expect((await staffApi.post(`/api/v1/appeals/${appeal.body.id}/resolution`).send({ outcome: 'rejected', resolution: 'x' })).body.code).toBe('APPEAL_RESOLVED');
    // A new decision; the appeal was the candidate's one chance.
    await proctorApi.post(`/api/v1/review/${first.attemptId}/decision`).send({ decision: 'invalidate', reason: 'confirmed by a second proctor' });
    expect(await stateOf(first.attemptId)).toBe('invalidated');
    expect((await first.api.post('/api/v1/appeals').send({ attemptId: first.attemptId, reason: 'once more' })).body.code).toBe('APPEAL_NOT_ALLOWED');

    const rejected = await staffApi.post(`/api/v1/appeals/${rejectedAppeal.id}/resolution`).send({ outcome: 'rejected', resolution: 'The recording confirms it.' });
    expect(rejected.body.status).toBe('rejected');
    expect(await stateOf(second.attemptId)).toBe('invalidated');

    const timeline = (await staffApi.get(`/api/v1/review/${first.attemptId}`)).body.timeline.map((e: { type: string }) => e.type);
    expect(timeline).toEqual(expect.arrayContaining(['irregularity', 'invalidate', 'appeal_filed', 'reopen']));
    const audits = (await t.db.query(`SELECT action FROM audit_events WHERE target_id = ANY($1::text[])`, [[first.attemptId, second.attemptId]])).map((r: { action: string }) => r.action);
    expect(audits).toEqual(expect.arrayContaining(['attempt.irregularity_noted', 'attempt.invalidated', 'appeal.filed', 'appeal.upheld', 'appeal.rejected']));

    // The candidate's appeal page shows where things stand.
    const page = await (await webAgent(first.user.email)).get(`/appeals/${first.attemptId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('The recording shows the screen was off.');
  }, 60_000);

  // ---- essays -----------------------------------------------------------------------------------------

  it('lists essays to score without the candidate, and a score completes the grading of the attempt', async () => {
    const essayExam = await makeShortExam(t.db, { seconds: 600, mode: 'certification', reviewPolicy: 'score' });
    await t.db.query(`INSERT INTO exam_sections (exam_id, position, title, tags, types, question_count, points_each) VALUES ($1, 9, '{}', ARRAY['aipl'], ARRAY['essay'], 1, 4)`, [essayExam]);
    const s = await sitting({ examId: essayExam });
    const { api, user, attemptId, view } = await inProgress(s);
    const essay = view.items.find((i) => i.type === 'essay')!;
    expect(essay).toBeDefined();
    for (const [k, item] of view.items.entries()) {
      const response = item.type === 'essay' ? { text: 'AIPL: A 认知、I 兴趣、P 购买、L 忠诚；试销期间监测 A→I 与 I→P 的流转。' } : someResponse(item);
      expect((await api.put(`/api/v1/attempts/${attemptId}/answers/${item.itemId}`).send({ response, seq: k + 1 })).status).toBe(200);
    }
    await api.post(`/api/v1/attempts/${attemptId}/submission`).send({});
    await eventually(async () => (await stateOf(attemptId)) === 'graded', 20_000);

    expect((await proctorApi.get('/api/v1/essays')).status).toBe(403);
    const queue = (await staffApi.get('/api/v1/essays?perPage=100')).body;
    const entry = queue.items.find((e: { attemptId: string; itemId: string }) => e.attemptId === attemptId && e.itemId === essay.itemId);
    expect(entry).toMatchObject({ points: 4, text: expect.stringContaining('AIPL'), stem: expect.any(String), rubric: expect.any(String) });
    expect(entry.stem.length).toBeGreaterThan(20);
    expect(JSON.stringify(queue)).not.toContain(user.email);
    expect(JSON.stringify(queue)).not.toContain(user.name);

    const url = `/api/v1/essays/${attemptId}/items/${essay.itemId}/score`;
    const tooMuch = await staffApi.post(url).send({ score: 150, unit: 'percent' });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.code).toBe('SCORE_OUT_OF_RANGE');
    expect((await staffApi.post(url).send({ score: 5 })).status).toBe(400);
    expect((await staffApi.post(`/api/v1/essays/${attemptId}/items/${view.items.find((i) => i.type !== 'essay')!.itemId}/score`).send({ score: 1 })).body.code).toBe('NOT_AN_ESSAY');
    const scored = await staffApi.post(url).send({ score: 3, unit: 'points' });
    expect(scored.status).toBe(200);
    expect(scored.body).toMatchObject({ credit: 0.75 });
    expect(['passed', 'failed']).toContain(scored.body.state);
    const [item] = await t.db.query(`SELECT credit, grade_status, scored_by FROM attempt_items WHERE attempt_id = $1 AND item_id = $2`, [attemptId, essay.itemId]);
    expect(item).toMatchObject({ credit: '0.750000', grade_status: 'human_scored', scored_by: staff.id });
    const row = await attemptRow(attemptId);
    expect(row.state).toBe(row.passed ? 'passed' : 'failed');
    expect(Number(row.max_points)).toBe(7);
    const after = (await staffApi.get('/api/v1/essays?perPage=100')).body;
    expect(after.items.find((e: { attemptId: string }) => e.attemptId === attemptId)).toBeUndefined();
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'essay.scored' AND target_id = $1`, [attemptId]);
    expect(n).toBe(1);
  }, 60_000);

  // ---- the pages --------------------------------------------------------------------------------------

  it('serves the pages: candidates register through the form, staff schedule, proctors act from the console', async () => {
    // Staff schedule a sitting through the form (datetime-local fields are China time).
    const staffWeb = await webAgent(staff.email);
    const form = await staffWeb.get('/admin/sittings/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="proctorIds"');
    const bad = await staffWeb.post('/admin/sittings').type('form').send({ _csrf: csrfOf(form.text), examId, title: 'Form sitting', opensAt: '2030-01-01T09:00', closesAt: '2030-01-01T08:00', capacity: '10' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('value="Form sitting"');
    const created = await staffWeb
      .post('/admin/sittings')
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfOf(form.text))}&examId=${examId}&title=Form+sitting&opensAt=2020-01-01T09:00&closesAt=2099-01-01T11:30&capacity=10&staggerSeconds=0&proctorIds=${proctor.id}`);
    expect(created.status).toBe(303);
    const sittingId = /\/admin\/sittings\/([0-9a-f-]{36})/.exec(created.headers.location)![1];
    const [row] = await t.db.query(`SELECT opens_at, closes_at, access_code FROM sittings WHERE id = $1`, [sittingId]);
    expect((row.opens_at as Date).toISOString()).toBe('2020-01-01T01:00:00.000Z');
    expect((row.closes_at as Date).toISOString()).toBe('2099-01-01T03:30:00.000Z');
    const edit = await staffWeb.get(`/admin/sittings/${sittingId}`);
    expect(edit.text).toContain('value="2020-01-01T09:00"');
    expect(edit.text).toContain(row.access_code);
    expect((await staffWeb.get('/admin/sittings?phase=open')).text).toContain('Form sitting');

    // A candidate registers from /sittings.
    const c = await candidate();
    const candidateWeb = await webAgent(c.user.email);
    const list = await candidateWeb.get('/sittings');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Form sitting');
    expect(list.text).not.toContain(row.access_code);
    const wrong = await candidateWeb.post(`/sittings/${sittingId}/registration`).type('form').send({ _csrf: csrfOf(list.text), accessCode: 'WRONG-CODE' });
    expect(wrong.status).toBe(303);
    expect((await candidateWeb.get('/sittings')).text).toContain('考场口令不正确');
    const ok = await candidateWeb.post(`/sittings/${sittingId}/registration`).type('form').send({ _csrf: csrfOf(list.text), accessCode: row.access_code });
    expect(ok.status).toBe(303);
    const mine = await candidateWeb.get('/sittings');
    expect(mine.text).toMatch(/data-registrations[\s\S]*Form sitting[\s\S]*已报名/);

    // The proctor's list and console; an action through the plain form.
    const proctorWeb = await webAgent(proctor.email);
    expect((await proctorWeb.get('/proctor')).text).toContain('Form sitting');
    const consolePage = await proctorWeb.get(`/proctor/sittings/${sittingId}`);
    expect(consolePage.status).toBe(200);
    expect(consolePage.text).toContain(c.user.name);
    expect(consolePage.text).toContain('id="console-row-template"');
    expect(consolePage.text).toContain('/static/js/proctor.js');
    expect(consolePage.text).not.toMatch(/<script>(?!<\/script>)|onclick=/);
    const [{ id: attemptId }] = await t.db.query(`SELECT id FROM attempts WHERE sitting_id = $1`, [sittingId]);
    const admitted = await proctorWeb.post(`/proctor/attempts/${attemptId}/admission`).type('form').send({ _csrf: csrfOf(consolePage.text), sittingId, documentType: 'resident_id', documentLast4: '4321' });
    expect(admitted.status).toBe(303);
    expect(admitted.headers.location).toBe(`/proctor/sittings/${sittingId}#attempt-${attemptId}`);
    expect(await stateOf(attemptId)).toBe('admitted');
    const refused = await proctorWeb.post(`/proctor/attempts/${attemptId}/pause`).type('form').send({ _csrf: csrfOf(consolePage.text), sittingId });
    expect(refused.status).toBe(303);
    expect((await proctorWeb.get(`/proctor/sittings/${sittingId}`)).text).toContain('flash-error');

    // Review, appeals and essays pages render.
    expect((await proctorWeb.get('/review')).status).toBe(200);
    expect((await staffWeb.get('/review/appeals')).status).toBe(200);
    expect((await proctorWeb.get('/review/appeals')).status).toBe(403);
    expect((await staffWeb.get('/admin/essays')).status).toBe(200);
    expect((await staffWeb.get(`/review/${attemptId}`)).text).toContain('身份证');
  });
});
