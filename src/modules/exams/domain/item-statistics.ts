/**
 * Classical item statistics for an exam, from a matrix of item scores (0…1) per attempt:
 * facility (mean score), discrimination (point-biserial of the item with the rest of the test),
 * and the test's reliability (Cronbach's alpha; equal to KR-20 when every item is 0/1).
 */
export interface ItemStatistic {
  key: string;
  responses: number;
  facility: number | null;
  discrimination: number | null;
  flags: ('too_easy' | 'too_hard' | 'low_discrimination')[];
}

export interface Thresholds {
  minFacility: number;
  maxFacility: number;
  minDiscrimination: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { minFacility: 0.2, maxFacility: 0.9, minDiscrimination: 0.2 };

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function variance(xs: number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
}

export function pearson(xs: number[], ys: number[]): number | null {
  if (xs.length < 3) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * `rows` = attempts; each maps an item key to that attempt's score on it (absent = not drawn).
 * Reliability uses the items every attempt answered (a common blueprint draws different
 * questions, so it is computed over section positions when the caller keys items that way).
 */
export function itemStatistics(rows: Map<string, number>[], thresholds: Thresholds = DEFAULT_THRESHOLDS): { items: ItemStatistic[]; alpha: number | null; kr20: number | null; attempts: number } {
  const keys = [...new Set(rows.flatMap((r) => [...r.keys()]))].sort();
  const totals = rows.map((r) => [...r.values()].reduce((a, b) => a + b, 0));
  const items: ItemStatistic[] = keys.map((key) => {
    const scores: number[] = [];
    const rest: number[] = [];
    rows.forEach((r, i) => {
      const s = r.get(key);
      if (s === undefined) return;
      scores.push(s);
      rest.push(totals[i] - s);
    });
    const facility = scores.length ? mean(scores) : null;
    const discrimination = pearson(scores, rest);
    const flags: ItemStatistic['flags'] = [];
    if (facility !== null && facility > thresholds.maxFacility) flags.push('too_easy');
    if (facility !== null && facility < thresholds.minFacility) flags.push('too_hard');
    if (discrimination !== null && discrimination < thresholds.minDiscrimination) flags.push('low_discrimination');
    return { key, responses: scores.length, facility, discrimination, flags };
  });
  const common = keys.filter((k) => rows.every((r) => r.has(k)));
  let alpha: number | null = null;
  let kr20: number | null = null;
  if (rows.length >= 2 && common.length >= 2) {
    const k = common.length;
    const itemVariances = common.map((key) => variance(rows.map((r) => r.get(key)!)));
    const total = variance(rows.map((r) => common.reduce((a, key) => a + r.get(key)!, 0)));
    if (total > 0) {
      alpha = (k / (k - 1)) * (1 - itemVariances.reduce((a, b) => a + b, 0) / total);
      const dichotomous = rows.every((r) => common.every((key) => r.get(key) === 0 || r.get(key) === 1));
      if (dichotomous) kr20 = alpha; // with 0/1 items, p·q is the item variance: KR-20 = alpha
    }
  }
  return { items, alpha, kr20, attempts: rows.length };
}
