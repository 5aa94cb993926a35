#!/usr/bin/env node
// The floor for saving an answer: a bare Node `http` server with `pg`, doing what the app's save must do and nothing
// else — against the same database, the same rows, the same session cookies:
//   1. read the signed `pa_session` cookie and check its signature (HMAC-SHA256, as @fastify/cookie signs it),
//   2. who the session belongs to, cached per session id for 10 s exactly as the app's lean routes cache it
//      (on a miss: `SELECT data->'auth'->'principal' … FROM http_sessions WHERE sid = $1 AND expires_at > now()`),
//   3. the upsert: the same named `UPDATE attempt_items … FROM attempts … WHERE … AND EXISTS (live session)` statement
//      as ExamsRepository.saveAnswer (and, only when it matched no row, the same second read that says why),
//   4. answer `{seq, savedAt}` as JSON.
// Same pool size as the app (DATABASE_POOL_SIZE, default 20). No validation of the response's shape, no framework,
// no logging. The exam's grace seconds are read once per attempt and cached, as the app caches them
// (AttemptsService.itemIndex).
//
//   DATABASE_URL=… SESSION_SECRET=… PORT=… node bench/exam-autosave/baseline-server.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');

const secret = process.env.SESSION_SECRET;
if (!secret) throw new Error('SESSION_SECRET is required');
const db = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE || 20),
  connectionTimeoutMillis: 5000,
});

const SAVE = `UPDATE attempt_items i SET response = $4, seq = $5, saved_at = now(), marked = coalesce($6, i.marked)
         FROM attempts a
        WHERE i.attempt_id = $1 AND i.item_id = $2 AND a.id = i.attempt_id AND a.user_id = $3
          AND a.state = 'in_progress' AND now() <= a.deadline_at + make_interval(secs => $8)
          AND ($7::text IS NULL OR a.client_session IS NULL OR a.client_session = $7)
          AND i.seq < $5
          AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM http_sessions s WHERE s.sid = $9 AND s.user_id = $3 AND s.expires_at > now()))
        RETURNING i.seq, i.saved_at`;
const WHY = `SELECT a.state, now() > a.deadline_at + make_interval(secs => $4) AS overdue, a.client_session AS session, i.seq, i.saved_at,
              ($5::text IS NULL OR EXISTS (SELECT 1 FROM http_sessions s WHERE s.sid = $5 AND s.user_id = $3 AND s.expires_at > now())) AS signed_in
         FROM attempts a LEFT JOIN attempt_items i ON i.attempt_id = a.id AND i.item_id = $2
        WHERE a.id = $1 AND a.user_id = $3`;

const sessions = new Map();
async function userOf(sid) {
  const now = Date.now();
  const cached = sessions.get(sid);
  if (cached && cached.until >= now) return cached.userId;
  const { rows } = await db.query(
    `SELECT data->'auth'->'principal' AS principal FROM http_sessions WHERE sid = $1 AND expires_at > now() AND user_id IS NOT NULL`,
    [sid],
  );
  const userId = rows[0]?.principal?.id;
  if (!userId) {
    sessions.delete(sid);
    return null;
  }
  sessions.set(sid, { userId, until: now + 10_000 });
  return userId;
}

const graceOf = new Map();
async function grace(attemptId) {
  let g = graceOf.get(attemptId);
  if (g === undefined) {
    const { rows } = await db.query(
      'SELECT e.grace_seconds FROM attempts a JOIN exams e ON e.id = a.exam_id WHERE a.id = $1',
      [attemptId],
    );
    g = rows[0]?.grace_seconds ?? 0;
    graceOf.set(attemptId, g);
  }
  return g;
}

function sidOf(cookieHeader) {
  if (!cookieHeader) return null;
  const m = /(?:^|;\s*)pa_session=([^;]+)/.exec(cookieHeader);
  if (!m) return null;
  const signed = decodeURIComponent(m[1]);
  const dot = signed.lastIndexOf('.');
  if (dot < 0) return null;
  const sid = signed.slice(0, dot);
  const actual = Buffer.from(signed.slice(dot + 1));
  const expected = Buffer.from(createHmac('sha256', secret).update(sid).digest('base64').replace(/=/g, ''));
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? sid : null;
}

function send(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const ROUTE = /^\/api\/v1\/attempts\/([0-9a-f-]{36})\/answers\/([\w-]{1,24})$/i;

async function save(req, res, attemptId, itemId, raw) {
  const sid = sidOf(req.headers.cookie);
  if (!sid) return send(res, 401, { code: 'NOT_SIGNED_IN' });
  const userId = await userOf(sid);
  if (!userId) return send(res, 401, { code: 'NOT_SIGNED_IN' });
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    return send(res, 400, { code: 'BAD_JSON' });
  }
  if (!Number.isInteger(body?.seq) || body.seq < 1) return send(res, 400, { code: 'VALIDATION' });
  const header = req.headers['x-attempt-session'];
  const clientSession = typeof header === 'string' && /^[\w-]{8,64}$/.test(header) ? header : null;
  const graceSeconds = await grace(attemptId);
  const { rows } = await db.query({
    name: 'exams.saveAnswer',
    text: SAVE,
    values: [attemptId, itemId, userId, JSON.stringify(body.response ?? null), body.seq, body.marked ?? null, clientSession, graceSeconds, sid],
  });
  if (rows[0]) return send(res, 200, { seq: Number(rows[0].seq), savedAt: rows[0].saved_at });
  const { rows: why } = await db.query(WHY, [attemptId, itemId, userId, graceSeconds, sid]);
  const f = why[0];
  if (f && !f.signed_in) {
    sessions.delete(sid);
    return send(res, 401, { code: 'NOT_SIGNED_IN' });
  }
  if (!f || f.seq === null) return send(res, 404, { code: 'ITEM_NOT_FOUND' });
  if (f.state !== 'in_progress') return send(res, 409, { code: 'ATTEMPT_NOT_IN_PROGRESS' });
  if (f.overdue) return send(res, 409, { code: 'DEADLINE_PASSED' });
  if (clientSession && f.session && f.session !== clientSession)
    return send(res, 409, { code: 'SESSION_REPLACED' });
  return send(res, 200, { seq: Number(f.seq), savedAt: f.saved_at });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
  const m = req.method === 'PUT' ? ROUTE.exec(req.url) : null;
  if (!m) return send(res, 404, { code: 'NOT_FOUND' });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    save(req, res, m[1], m[2], Buffer.concat(chunks).toString('utf8')).catch((error) =>
      send(res, 500, { code: 'INTERNAL', message: error.message }),
    );
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`baseline on http://127.0.0.1:${server.address().port}`);
});
const stop = () => server.close(() => db.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
