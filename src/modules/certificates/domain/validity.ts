import { CertificateStatus } from '../certificates.types';

const DAY_MS = 86_400_000;

/**
 * Adds calendar months in UTC, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb),
 * so a certificate never "skips" into the month after its expiry month.
 */
export function addMonths(from: Date, months: number): Date {
  if (!Number.isInteger(months)) throw new RangeError(`months must be a whole number (got ${months})`);
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(targetYear, targetMonth, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()),
  );
}

/** When the renewal window of a certificate expiring at `expiresAt` opens. */
export function renewalWindowOpensAt(expiresAt: Date, windowDays: number): Date {
  return new Date(expiresAt.getTime() - windowDays * DAY_MS);
}

/** Is `at` inside the renewal window (from `windowDays` before expiry up to the expiry itself)? */
export function insideRenewalWindow(expiresAt: Date, at: Date, windowDays: number): boolean {
  return at.getTime() >= renewalWindowOpensAt(expiresAt, windowDays).getTime() && at.getTime() <= expiresAt.getTime();
}

export interface Predecessor {
  id: string;
  status: CertificateStatus;
  expiresAt: Date;
}

export interface ValidityPlan {
  expiresAt: Date;
  /** 'renewal': counts from the old expiry and supersedes it; 'replacement': supersedes an active certificate sat outside the window; 'first': a new certificate. */
  kind: 'first' | 'renewal' | 'replacement';
  supersedesId: string | null;
}

/**
 * How long a new certificate lasts and what it replaces.
 * - The holder's current certificate (active, or expired by the daily job) was still valid when
 *   the passing attempt was submitted, inside the renewal window → a renewal: the new validity
 *   counts from the old expiry, and the old certificate is superseded. Judged by the submission
 *   time, so a renewal pass held for proctor review past the old expiry still renews.
 * - The current certificate is active but the exam was sat before the window (eligibility keeps
 *   this from happening; a staff-run sitting could) → the old one is superseded so a person
 *   never holds two active certificates, and the new validity counts from issue.
 * - Otherwise (none, revoked, or lapsed before the exam) → a first certificate from issue.
 */
export function planValidity(input: {
  issuedAt: Date;
  validityMonths: number;
  windowDays: number;
  submittedAt: Date;
  predecessor: Predecessor | null;
}): ValidityPlan {
  const { issuedAt, validityMonths, windowDays, submittedAt, predecessor } = input;
  const fromIssue = addMonths(issuedAt, validityMonths);
  if (!predecessor || (predecessor.status !== 'active' && predecessor.status !== 'expired')) {
    return { expiresAt: fromIssue, kind: 'first', supersedesId: null };
  }
  if (insideRenewalWindow(predecessor.expiresAt, submittedAt, windowDays)) {
    const fromOldExpiry = addMonths(predecessor.expiresAt, validityMonths);
    return { expiresAt: fromOldExpiry, kind: 'renewal', supersedesId: predecessor.id };
  }
  if (predecessor.status === 'active' && predecessor.expiresAt.getTime() > submittedAt.getTime()) {
    return { expiresAt: fromIssue, kind: 'replacement', supersedesId: predecessor.id };
  }
  return { expiresAt: fromIssue, kind: 'first', supersedesId: null };
}

/** Reminder points before expiry, in days. */
export const REMINDER_DAYS = [60, 30, 7] as const;
export type ReminderDays = (typeof REMINDER_DAYS)[number];

/**
 * The reminder due now for a certificate, if any: the smallest reminder point the remaining time
 * has passed. Only the nearest one is sent, so a certificate issued with 20 days left (or a job
 * that did not run for a month) gets the 30-day reminder once rather than 60 and 30 together.
 */
export function dueReminder(expiresAt: Date, now: Date): ReminderDays | null {
  const remainingMs = expiresAt.getTime() - now.getTime();
  if (remainingMs <= 0) return null;
  let due: ReminderDays | null = null;
  for (const days of REMINDER_DAYS) if (remainingMs <= days * DAY_MS) due = days;
  return due;
}

/** Whole days left until expiry, rounded up (a reminder says "expires in 7 days", not 6.4). */
export function daysUntil(expiresAt: Date, now: Date): number {
  return Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS));
}
