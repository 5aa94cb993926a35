/**
 * A real SMTP server for tests (smtp-server on 127.0.0.1, a random port) that keeps every message
 * it receives, parsed: subject and addresses decoded, text and HTML parts decoded from base64 or
 * quoted-printable. It accepts any user and password (plain text AUTH allowed, no STARTTLS).
 *
 * Use it to test anything that sends email through the notifications module:
 *
 *   const smtp = await startSmtpServer();
 *   const t = await startTestApp({ roles: { web: true, worker: true }, env: { SMTP_URL: smtp.url } });
 *   // … something that calls NotificationsService.notify(manager, { userId, kind, … }) …
 *   const mail = await smtp.waitForMessage((m) => m.to.includes('someone@example.com'));
 *   expect(mail.subject).toContain('…'); expect(mail.text).toContain('…');
 *   await t.close(); await smtp.stop();
 *
 * The email goes out through the outbox and the `notification.email` job, so the app needs the
 * worker role (or call `NotificationsService.sendEmail(id)` yourself). `refuse(true)` makes the
 * server answer every message with a temporary failure (451), to test retries; stopping it makes
 * the port refuse connections.
 */
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope sender and recipients (what the client said in MAIL FROM / RCPT TO). */
  envelopeFrom: string;
  to: string[];
  /** Decoded headers, lower-case names (the last one wins when a header repeats). */
  headers: Record<string, string>;
  from: string;
  subject: string;
  /** The text/plain part ('' if none). */
  text: string;
  /** The text/html part ('' if none). */
  html: string;
  raw: string;
}

export interface TestSmtpServer {
  /** SMTP_URL for the app, e.g. smtp://test:secret@127.0.0.1:40123 */
  url: string;
  port: number;
  /** Everything received so far, oldest first. */
  readonly messages: ReceivedMail[];
  /** The first received message (already or within the timeout) that matches. */
  waitForMessage(match?: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** While on, every message is refused with "451 temporary failure" (the client sees an error). */
  refuse(on: boolean): void;
  clear(): void;
  stop(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let refusing = false;
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusing) {
          const error = Object.assign(new Error('temporary failure (test server refusing)'), { responseCode: 451 });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          ...parseMessage(raw),
          envelopeFrom: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
        for (const wake of [...waiters]) wake();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://test:secret@127.0.0.1:${port}`,
    port,
    messages,
    waitForMessage(match = () => true, timeoutMs = 15000) {
      return new Promise<ReceivedMail>((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching email within ${timeoutMs} ms (received ${messages.length}: ${messages.map((m) => m.subject).join(' | ')})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    refuse(on: boolean) {
      refusing = on;
    },
    clear() {
      messages.length = 0;
    },
    stop() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// --- A small MIME reader: enough for what nodemailer writes (multipart/alternative, base64 / quoted-printable, RFC 2047 words).

function splitHead(raw: string): { head: string; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  if (at < 0) return { head: raw, body: '' };
  const gap = raw.slice(at).match(/^\r?\n\r?\n/)![0].length;
  return { head: raw.slice(0, at), body: raw.slice(at + gap) };
}

function parseHeaders(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  // Unfold continuation lines, then one header per line.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeQuotedPrintable(value: string, header = false): Buffer {
  const text = (header ? value.replace(/_/g, ' ') : value).replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=); adjacent words join without the space between them. */
function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_whole, _charset: string, encoding: string, text: string) =>
      (encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text, true)).toString('utf8'),
    );
}

function decodeBody(body: string, transferEncoding: string | undefined): string {
  switch ((transferEncoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQuotedPrintable(body).toString('utf8');
    default:
      return body;
  }
}

function parsePart(raw: string, into: { text: string; html: string }): Record<string, string> {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      parsePart(part.replace(/^\r?\n/, ''), into);
    }
  } else if (/^text\/html/i.test(type)) {
    into.html ||= decodeBody(body, headers['content-transfer-encoding']).replace(/\r\n/g, '\n').trimEnd();
  } else if (/^text\/plain/i.test(type)) {
    into.text ||= decodeBody(body, headers['content-transfer-encoding']).replace(/\r\n/g, '\n').trimEnd();
  }
  return headers;
}

export function parseMessage(raw: string): Omit<ReceivedMail, 'envelopeFrom' | 'to' | 'raw'> {
  const parts = { text: '', html: '' };
  const headers = parsePart(raw, parts);
  return { headers, from: headers.from ?? '', subject: headers.subject ?? '', text: parts.text, html: parts.html };
}
