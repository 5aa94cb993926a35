import { Centipoints } from './points';
import { ScoringRules, Tier } from './rules';
import { computeScore, ScoredItem, ScoreRecord } from './score';

/** A moment ahead when counted points expire, and what it does to the score if nothing is added. */
export interface UpcomingExpiry {
  at: Date;
  items: ScoredItem[];
  /** Points the expiring items give today. */
  pointsExpiring: Centipoints;
  totalBefore: Centipoints;
  totalAfter: Centipoints;
  /** The tier the points would qualify for after it. */
  eligibleAfter: Tier;
}

/**
 * The expiries within `horizonDays` of `from` that change the score, each with the total after
 * it — computed by scoring the same records at that instant, so points over a cap that step in
 * for expired ones are accounted for (an expiry that costs nothing is not listed).
 */
export function upcomingExpiries(records: readonly ScoreRecord[], rules: ScoringRules, from: Date, horizonDays: number): UpcomingExpiry[] {
  const now = computeScore(records, rules, from);
  const until = from.getTime() + horizonDays * 24 * 3600 * 1000;
  const counted = Object.values(now.dimensions).flatMap((d) => d.items.filter((item) => item.points > 0));
  const instants = [...new Set(counted.map((item) => item.expiresAt.getTime()).filter((t) => t > from.getTime() && t <= until))].sort((a, b) => a - b);
  const result: UpcomingExpiry[] = [];
  let before = now.total;
  for (const instant of instants) {
    const after = computeScore(records, rules, new Date(instant));
    const items = counted.filter((item) => item.expiresAt.getTime() === instant);
    if (after.total < before) {
      result.push({
        at: new Date(instant),
        items,
        pointsExpiring: items.reduce((sum, item) => sum + item.points, 0),
        totalBefore: before,
        totalAfter: after.total,
        eligibleAfter: after.eligibleTier,
      });
    }
    before = after.total;
  }
  return result;
}
