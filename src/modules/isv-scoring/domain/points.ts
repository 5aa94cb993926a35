/**
 * Points are fixed decimals with two places, held as integer hundredths ("centipoints") so that
 * sums, caps and comparisons are exact. Rules are written in points (5, 2.5) and converted once.
 */
export type Centipoints = number;

/** Points (at most two decimals) to centipoints; null when the value has more precision than that. */
export function toCentipoints(points: number): Centipoints | null {
  if (!Number.isFinite(points)) return null;
  const scaled = Math.round(points * 100);
  return Math.abs(scaled - points * 100) < 1e-6 ? scaled : null;
}

/** Centipoints to a JSON number of points (exact in decimal: at most two places). */
export function toPoints(centipoints: Centipoints): number {
  return Number((centipoints / 100).toFixed(2));
}

/** "12", "12.5", "12.25": points for people to read. */
export function formatPoints(centipoints: Centipoints): string {
  const fixed = (centipoints / 100).toFixed(2);
  return fixed.replace(/\.?0+$/, '');
}

/** Adds calendar months in UTC, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

export const DAY_MS = 24 * 3600 * 1000;

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}
