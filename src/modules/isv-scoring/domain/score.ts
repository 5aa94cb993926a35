import { addMonths, Centipoints } from './points';
import { Dimension, DIMENSIONS, pointsFor, ScoringRules, Tier } from './rules';

/** Where a point comes from; each maps to a record the dashboard links to. */
export type ScoreSource = 'certificate' | 'project' | 'contribution' | 'product';

export const SOURCE_OF: Record<Dimension, ScoreSource> = {
  certification: 'certificate',
  projects: 'project',
  ecosystem: 'contribution',
  coBuilt: 'product',
};

/** One input record (a certificate, a confirmed project delivery, an approved contribution or product). */
export interface ScoreRecord {
  dimension: Dimension;
  /** The record's id in its own table (certificate id, project delivery id, contribution id, product id). */
  id: string;
  /** When it happened: issued, delivered, held, launched. */
  occurredAt: Date;
  /** The record's own end of validity (a certificate's expiry); null when it has none. */
  validUntil: Date | null;
  /** A project's outcome or a contribution's kind, for rules that give it other points. */
  variant: string | null;
  /** Certification counts people: one item per person, however many certificates they hold. */
  personId: string | null;
}

export type ItemStatus = 'counted' | 'partial' | 'overCap';

/** A scored record: the source of every point on the dashboard and in the API. */
export interface ScoredItem {
  dimension: Dimension;
  source: ScoreSource;
  id: string;
  personId: string | null;
  variant: string | null;
  occurredAt: Date;
  /** When this record stops giving points. */
  expiresAt: Date;
  /** Points it would give without the cap. */
  fullPoints: Centipoints;
  /** Points it gives now (less than fullPoints when the cap cut it). */
  points: Centipoints;
  status: ItemStatus;
}

export interface DimensionScore {
  points: Centipoints;
  max: Centipoints;
  items: ScoredItem[];
}

export interface ScoreBreakdown {
  /** The instant the score describes: records valid at this time count. */
  cutoff: Date;
  total: Centipoints;
  dimensions: Record<Dimension, DimensionScore>;
  /** The highest tier the points qualify for right now (the held tier may differ: demotion grace). */
  eligibleTier: Tier;
}

/** When a record stops giving points: its window after it happened, or its own validity, whichever is first. */
export function expiryOf(record: ScoreRecord, windowMonths: number | null): Date | null {
  const windowEnd = windowMonths === null ? null : addMonths(record.occurredAt, windowMonths);
  if (windowEnd && record.validUntil) return windowEnd < record.validUntil ? windowEnd : record.validUntil;
  return windowEnd ?? record.validUntil;
}

/**
 * Inputs + rules → breakdown. A record counts when it happened at or before the cutoff and its
 * points have not expired. Points are linear: each record adds its points until the dimension's
 * cap; the record that crosses the cap gets partial credit and the rest are listed at zero, so the
 * items always add up to the dimension's points. Records are taken in a fixed order — most
 * points first, then those that last longest — so the cap keeps the durable points and the
 * result does not depend on input order.
 */
export function computeScore(records: readonly ScoreRecord[], rules: ScoringRules, cutoff: Date): ScoreBreakdown {
  const at = cutoff.getTime();
  const dimensions = {} as Record<Dimension, DimensionScore>;
  for (const dimension of DIMENSIONS) dimensions[dimension] = { points: 0, max: rules.dimensions[dimension].cap, items: [] };

  const candidates: ScoredItem[] = [];
  const bestPerPerson = new Map<string, ScoredItem>();
  for (const record of records) {
    const rule = rules.dimensions[record.dimension];
    if (record.occurredAt.getTime() > at) continue;
    const expiresAt = expiryOf(record, rule.windowMonths);
    if (expiresAt === null || expiresAt.getTime() <= at) continue;
    const item: ScoredItem = {
      dimension: record.dimension,
      source: SOURCE_OF[record.dimension],
      id: record.id,
      personId: record.personId,
      variant: record.variant,
      occurredAt: record.occurredAt,
      expiresAt,
      fullPoints: pointsFor(rule, record.variant),
      points: 0,
      status: 'counted',
    };
    if (record.dimension === 'certification' && record.personId) {
      // Each person counts once: keep the certificate that lasts longest.
      const kept = bestPerPerson.get(record.personId);
      if (!kept || compareItems(item, kept) < 0) bestPerPerson.set(record.personId, item);
      continue;
    }
    candidates.push(item);
  }
  candidates.push(...bestPerPerson.values());
  candidates.sort(compareItems);

  for (const item of candidates) {
    const dimension = dimensions[item.dimension];
    const room = dimension.max - dimension.points;
    item.points = Math.max(0, Math.min(item.fullPoints, room));
    item.status = item.points === item.fullPoints ? 'counted' : item.points > 0 ? 'partial' : 'overCap';
    dimension.points += item.points;
    dimension.items.push(item);
  }
  const total = DIMENSIONS.reduce((sum, d) => sum + dimensions[d].points, 0);
  return { cutoff, total, dimensions, eligibleTier: eligibleTier(total, dimensions, rules) };
}

/** Most points first, then longest-lasting, then oldest, then id: a total order. */
function compareItems(a: ScoredItem, b: ScoredItem): number {
  return (
    b.fullPoints - a.fullPoints ||
    b.expiresAt.getTime() - a.expiresAt.getTime() ||
    a.occurredAt.getTime() - b.occurredAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Gold needs its total and points in every dimension; Silver only its total (strong dimensions compensate). */
export function eligibleTier(total: Centipoints, dimensions: Record<Dimension, { points: Centipoints }>, rules: ScoringRules): Tier {
  const gold = rules.tiers.gold;
  if (total >= gold.minTotal && DIMENSIONS.every((d) => dimensions[d].points >= gold.minPerDimension)) return 'gold';
  if (total >= rules.tiers.silver.minTotal) return 'silver';
  return 'registered';
}
