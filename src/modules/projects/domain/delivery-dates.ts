/**
 * When a delivery happened: the back-fill window (at most 12 months before it is recorded, never
 * in the future) and how a typed date is read. Pages show China time; a date without a time is
 * the start of that day in China time.
 */
const CHINA_OFFSET_MS = 8 * 3600_000;
/** An API client's clock a little ahead of ours does not make "now" the future. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
export const BACKFILL_MONTHS = 12;

/** YYYY-MM-DD of an instant in China time. */
export function chinaDay(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The earliest allowed delivery date: the start (China time) of the same calendar day 12 months
 * ago, so a delivery dated exactly a year ago is accepted all day (29 February → 28 February).
 */
export function backfillEarliest(now: Date): Date {
  const local = new Date(now.getTime() + CHINA_OFFSET_MS);
  const year = local.getUTCFullYear() - BACKFILL_MONTHS / 12;
  const month = local.getUTCMonth();
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(local.getUTCDate(), lastDay)) - CHINA_OFFSET_MS);
}

export type DeliveredAtProblem = { code: 'DELIVERED_TOO_OLD'; earliest: string } | { code: 'DELIVERED_IN_FUTURE'; today: string };

/** Null when a delivery dated `deliveredAt` may be recorded at `now`. */
export function deliveredAtProblem(deliveredAt: Date, now: Date): DeliveredAtProblem | null {
  if (deliveredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) return { code: 'DELIVERED_IN_FUTURE', today: chinaDay(now) };
  const earliest = backfillEarliest(now);
  if (deliveredAt.getTime() < earliest.getTime()) return { code: 'DELIVERED_TOO_OLD', earliest: chinaDay(earliest) };
  return null;
}

/**
 * A date as typed: YYYY-MM-DD (China time), a datetime-local value (China time) or ISO 8601 with
 * an offset. Null when it is none of these, or names a day that does not exist.
 */
export function parseDeliveredAt(value: unknown): Date | null {
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
