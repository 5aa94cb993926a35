import { Centipoints } from './points';
import { Dimension, DIMENSIONS, ScoringRules, Tier, tierRank, TIERS } from './rules';
import { ScoreBreakdown } from './score';

export interface DimensionGap {
  dimension: Dimension;
  points: Centipoints;
  max: Centipoints;
  /** Points this dimension must gain on its own (Gold's every-dimension rule); 0 when none. */
  required: Centipoints;
  /** Points the dimension can still give before its cap. */
  room: Centipoints;
}

export interface PlanStep {
  dimension: Dimension;
  /** How many new records. */
  items: number;
  /** Points they would add (the last one may be cut by the cap). */
  points: Centipoints;
  /** The variant a record should be to give the most points (null: any). */
  variant: string | null;
}

export interface TierPlan {
  target: Tier;
  /** Points still missing from the total. */
  totalGap: Centipoints;
  gaps: DimensionGap[];
  /** The cheapest path: the fewest new records that reach the target, by dimension. */
  steps: PlanStep[];
  itemCount: number;
  /** False when the target cannot be reached under these rules (a dimension gives no points). */
  reachable: boolean;
}

/** The tier above this one, or null at the top. */
export function nextTier(tier: Tier): Tier | null {
  const rank = tierRank(tier);
  return rank + 1 < TIERS.length ? TIERS[rank + 1] : null;
}

function bestItemOf(rules: ScoringRules, dimension: Dimension): { points: Centipoints; variant: string | null } {
  const rule = rules.dimensions[dimension];
  let best = { points: rule.pointsPerItem, variant: null as string | null };
  for (const [variant, points] of Object.entries(rule.pointsByVariant).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (points > best.points) best = { points, variant };
  }
  return best;
}

/**
 * What the ISV needs to reach `target` from this breakdown, assuming today's records stay:
 * the gap per dimension and the cheapest path in new records. A new record gives its best
 * variant's points up to the dimension's cap, so the fewest records are: first those a dimension
 * needs on its own (Gold's every-dimension rule), then the biggest gains available anywhere —
 * taking the largest gains first is optimal because every record's gain is fixed except the
 * last one a cap cuts.
 */
export function planFor(breakdown: ScoreBreakdown, target: Tier, rules: ScoringRules): TierPlan {
  const minTotal = target === 'gold' ? rules.tiers.gold.minTotal : target === 'silver' ? rules.tiers.silver.minTotal : 0;
  const minPerDimension = target === 'gold' ? rules.tiers.gold.minPerDimension : 0;
  const gaps: DimensionGap[] = DIMENSIONS.map((dimension) => {
    const { points, max } = breakdown.dimensions[dimension];
    return { dimension, points, max, required: Math.max(0, minPerDimension - points), room: Math.max(0, max - points) };
  });

  // Each dimension's possible new records, as a queue of gains (all equal but the cap-cut last one).
  const offers = new Map<Dimension, { gain: Centipoints; left: Centipoints; variant: string | null; taken: number; added: Centipoints }>();
  for (const gap of gaps) {
    const best = bestItemOf(rules, gap.dimension);
    offers.set(gap.dimension, { gain: best.points, left: gap.room, variant: best.variant, taken: 0, added: 0 });
  }
  const take = (dimension: Dimension): Centipoints => {
    const offer = offers.get(dimension)!;
    const gain = Math.min(offer.gain, offer.left);
    offer.left -= gain;
    offer.taken += 1;
    offer.added += gain;
    return gain;
  };
  const canTake = (dimension: Dimension): boolean => {
    const offer = offers.get(dimension)!;
    return offer.gain > 0 && offer.left > 0;
  };

  let reachable = true;
  let total = breakdown.total;
  for (const gap of gaps) {
    let needed = gap.required;
    while (needed > 0 && canTake(gap.dimension)) {
      const gain = take(gap.dimension);
      needed -= gain;
      total += gain;
    }
    if (needed > 0) reachable = false;
  }
  while (total < minTotal) {
    let best: Dimension | null = null;
    for (const dimension of DIMENSIONS) {
      if (!canTake(dimension)) continue;
      const offer = offers.get(dimension)!;
      const gain = Math.min(offer.gain, offer.left);
      const bestOffer = best ? offers.get(best)! : null;
      if (!bestOffer || gain > Math.min(bestOffer.gain, bestOffer.left)) best = dimension;
    }
    if (!best) {
      reachable = false;
      break;
    }
    total += take(best);
  }

  const steps: PlanStep[] = [];
  for (const dimension of DIMENSIONS) {
    const offer = offers.get(dimension)!;
    if (offer.taken > 0) steps.push({ dimension, items: offer.taken, points: offer.added, variant: offer.variant });
  }
  return {
    target,
    totalGap: Math.max(0, minTotal - breakdown.total),
    gaps,
    steps,
    itemCount: steps.reduce((n, s) => n + s.items, 0),
    reachable,
  };
}
