/** Small helpers the proctoring pages share: form values, flash messages, labels. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../infra/http/app-error';
import { Locale, translate } from '../../infra/i18n/i18n';
import type { FormErrors } from '../../infra/http/web-form';
import type { ConsoleRowView } from './proctor-console.service';
import { Sitting } from './proctoring.types';
import { phaseOf } from './sitting-rules';
import { chinaDateTimeLocal } from '../../infra/time/china-time';


/** A date as a datetime-local field value in China time (what every page shows). */
export function localInput(date: Date | null | undefined): string {
  if (!date) return '';
  return chinaDateTimeLocal(date);
}

/** Redirects after a form with a message already in the reader's language. */
export function redirectWithMessage(req: FastifyRequest, reply: FastifyReply, url: string, kind: 'success' | 'error' | 'info', message: string): FastifyReply {
  req.session.set('flash', { kind, message });
  return reply.redirect(url, 303);
}

/** The first message of a form failure (field or form), for a flash after a redirect. */
export function firstError(errors: FormErrors): string {
  return errors._form ?? Object.values(errors)[0] ?? '';
}

export function messageOf(req: FastifyRequest, error: unknown): string | null {
  return error instanceof AppError && error.status < 500 ? translate(req.locale, error.messageKey, error.params) : null;
}

/** A sitting row for the staff and proctor lists. */
export function sittingRow(s: Sitting, locale: string, pick: (t: Record<string, string>) => string) {
  return {
    id: s.id,
    title: s.title,
    examTitle: pick(s.examTitle),
    opensAt: s.opensAt,
    closesAt: s.closesAt,
    phase: phaseOf(s),
    capacity: s.capacity,
    registered: s.registered,
    autoAdmit: s.autoAdmit,
    staggerSeconds: s.staggerSeconds,
    accessCode: s.accessCode,
    proctorNames: s.proctors.map((p) => p.name).join(locale === 'en' ? ', ' : '、'),
  };
}

/** Seconds as a clock: 1:02:03 or 02:03; nothing to show is a dash. */
export function clockText(seconds: number | null): string {
  if (seconds === null) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

export function timeText(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(date);
}

/** One console row as the page draws it (proctor.js draws the same fields from the stream). */
export function consoleRowForPage(row: ConsoleRowView, locale: Locale, now = Date.now()) {
  const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params);
  const parts: string[] = [];
  if (row.identityCheck) {
    parts.push(`${t(`proctoring.documents.${row.identityCheck.documentType}`)} ···${row.identityCheck.documentLast4} · ${t('proctoring.console.checkedBy')} ${row.identityCheck.checkedByName}`);
  }
  if (row.state === 'admitted' && row.notBefore) parts.push(`${t('proctoring.console.notBefore')} ${timeText(row.notBefore, locale)}`);
  const seen = row.lastSeenAt ? Math.max(0, Math.round((now - row.lastSeenAt.getTime()) / 1000)) : null;
  return {
    id: row.id,
    sittingId: row.sittingId,
    state: row.state,
    flagged: row.flagged,
    name: row.name,
    email: row.email,
    organisation: row.organisation ?? '',
    detailText: parts.join(' · '),
    clock: clockText(row.remainingSeconds),
    addedText: row.addedSeconds > 0 ? t('proctoring.console.added', { n: Math.round(row.addedSeconds / 60) }) : '',
    progress: row.total > 0 ? `${row.answered} / ${row.total}` : '—',
    flagReasons: row.flagReasons,
    signals: row.signals,
    lastSeenAt: row.lastSeenAt ? row.lastSeenAt.toISOString() : '',
    lastSeenText: seen === null ? t('proctoring.console.never') : seen < 120 ? t('proctoring.console.secondsAgo', { n: seen }) : t('proctoring.console.minutesAgo', { n: Math.round(seen / 60) }),
    can: row.can,
  };
}

/** The shape of an empty row: the template proctor.js clones for a candidate who registers while the console is open. */
export function blankConsoleRow(sittingId: string) {
  return {
    id: '__ID__',
    sittingId,
    state: 'registered',
    flagged: false,
    name: '',
    email: '',
    organisation: '',
    detailText: '',
    clock: '—',
    addedText: '',
    progress: '—',
    flagReasons: [] as string[],
    signals: 0,
    lastSeenAt: '',
    lastSeenText: '',
    can: { admit: false, pause: false, resume: false, addTime: false, message: false, terminate: false, note: false },
  };
}
