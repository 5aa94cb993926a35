/**
 * Dates as the product shows them: every page shows China time (UTC+8, no daylight saving), a
 * date typed without a time is the start of that day in China time, and back-filled records
 * (project deliveries, ISV contributions and products) may go back 12 calendar months.
 */
export const CHINA_OFFSET_MS = 8 * 3600_000;

/** YYYY-MM-DD of an instant in China time (readable in every language). */
export function chinaDay(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** YYYY-MM-DDTHH:mm of an instant in China time: the value of a datetime-local field. */
export function chinaDateTimeLocal(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 16);
}

/** The start of the instant's day in China time, as an instant. */
export function startOfChinaDay(instant: Date): Date {
  const local = new Date(instant.getTime() + CHINA_OFFSET_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - CHINA_OFFSET_MS);
}

/**
 * A date as typed: YYYY-MM-DD (the start of that day in China time), a datetime-local value
 * (China time) or ISO 8601 with an offset. Null when it is none of these, or names a day that
 * does not exist (`new Date` would roll 31 February over into March).
 */
export function parseChinaDateTime(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  let date: Date;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) date = new Date(`${text}T00:00:00+08:00`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) date = new Date(`${text}${text.length === 16 ? ':00' : ''}+08:00`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) date = new Date(text);
  else return null;
  if (Number.isNaN(date.getTime())) return null;
  const [year, month, day] = text.slice(0, 10).split('-').map(Number);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  return date;
}

// ---- back-fill window ----------------------------------------------------------------------

/** An API client's clock a little ahead of ours does not make "now" the future. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
export const BACKFILL_MONTHS = 12;

/**
 * The earliest date a back-filled record may carry: the start (China time) of the same
 * calendar day 12 months ago, so a record dated exactly a year ago is accepted all day
 * (29 February falls back to 28 February).
 */
export function backfillEarliest(now: Date): Date {
  const local = new Date(now.getTime() + CHINA_OFFSET_MS);
  const year = local.getUTCFullYear() - BACKFILL_MONTHS / 12;
  const month = local.getUTCMonth();
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(local.getUTCDate(), lastDay)) - CHINA_OFFSET_MS);
}

export type BackfillProblem = { kind: 'too_old'; earliest: string } | { kind: 'in_future'; today: string };

/** Null when a record dated `at` may be recorded at `now`: not in the future, at most 12 months back. */
export function backfillProblem(at: Date, now: Date): BackfillProblem | null {
  if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) return { kind: 'in_future', today: chinaDay(now) };
  const earliest = backfillEarliest(now);
  if (at.getTime() < earliest.getTime()) return { kind: 'too_old', earliest: chinaDay(earliest) };
  return null;
}
