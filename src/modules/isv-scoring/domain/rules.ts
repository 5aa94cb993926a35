import { Centipoints, toCentipoints } from './points';

/** The four dimensions, in the order every page shows them. */
export const DIMENSIONS = ['certification', 'projects', 'ecosystem', 'coBuilt'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Tiers from lowest to highest. */
export const TIERS = ['registered', 'silver', 'gold'] as const;
export type Tier = (typeof TIERS)[number];
export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);

/** One dimension's rule as staff write it (in points, up to two decimals). */
export interface DimensionRuleInput {
  /** Most points the dimension can give. */
  cap: number;
  /** Points for one record (one certified person, one project, one contribution, one product). */
  pointsPerItem: number;
  /**
   * Points by the record's variant (a project's outcome, a contribution's kind) when they differ
   * from pointsPerItem — partial credit for a partial outcome, for example.
   */
  pointsByVariant?: Record<string, number>;
  /**
   * A record's points expire this many months after it happened; null: they last as long as the
   * record itself is valid (a certificate until it expires).
   */
  windowMonths: number | null;
}

/** A rule version's content, as stored in scoring_rule_versions.rules (jsonb). */
export interface ScoringRulesInput {
  dimensions: Record<Dimension, DimensionRuleInput>;
  tiers: {
    /** Silver: a total; strong dimensions may compensate for weak ones. */
    silver: { minTotal: number };
    /** Gold: a total and at least this many points in every dimension. */
    gold: { minTotal: number; minPerDimension: number };
  };
  demotion: {
    /** A tier is lost only after the score stayed below it this many days. */
    graceDays: number;
    /** A second warning this many days before the demotion date. */
    finalWarningDays: number;
  };
}

/** Rules ready for computing: every amount in centipoints. */
export interface DimensionRule {
  cap: Centipoints;
  pointsPerItem: Centipoints;
  pointsByVariant: Record<string, Centipoints>;
  windowMonths: number | null;
}

export interface ScoringRules {
  dimensions: Record<Dimension, DimensionRule>;
  tiers: { silver: { minTotal: Centipoints }; gold: { minTotal: Centipoints; minPerDimension: Centipoints } };
  demotion: { graceDays: number; finalWarningDays: number };
}

/** The scale every version must keep: the caps add up to 100 points. */
export const SCALE_POINTS = 100;

/** The rules shipped as version 1 (seeded by the migration). */
export const DEFAULT_RULES: ScoringRulesInput = {
  dimensions: {
    certification: { cap: 40, pointsPerItem: 4, windowMonths: null },
    projects: { cap: 30, pointsPerItem: 10, pointsByVariant: { partial: 5, stopped: 2 }, windowMonths: 12 },
    ecosystem: { cap: 15, pointsPerItem: 3, pointsByVariant: { case_study: 4, mentoring: 2 }, windowMonths: 12 },
    coBuilt: { cap: 15, pointsPerItem: 7.5, windowMonths: 12 },
  },
  tiers: { silver: { minTotal: 40 }, gold: { minTotal: 70, minPerDimension: 1 } },
  demotion: { graceDays: 90, finalWarningDays: 14 },
};

/** A problem with submitted rules: the field it concerns and an i18n key (+ params) that says what to fix. */
export interface RuleProblem {
  field: string;
  key: string;
  params?: Record<string, string | number>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const VARIANT_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * Checks submitted rules (from the editor form or JSON). Returns the rules in centipoints, or
 * every problem found, each naming its field — so the editor can show all of them at once.
 */
export function validateRules(input: unknown): { rules: ScoringRules; problems: [] } | { rules: null; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const amount = (field: string, value: unknown, options: { allowZero?: boolean } = {}): Centipoints => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push({ field, key: 'isvScoring.rules.errors.number' });
      return 0;
    }
    const centi = toCentipoints(value);
    if (centi === null) {
      problems.push({ field, key: 'isvScoring.rules.errors.twoDecimals' });
      return 0;
    }
    if (value < 0 || value > SCALE_POINTS || (!options.allowZero && value === 0)) {
      problems.push({ field, key: options.allowZero ? 'isvScoring.rules.errors.pointsRange' : 'isvScoring.rules.errors.pointsPositive', params: { max: SCALE_POINTS } });
    }
    return centi;
  };
  const wholeNumber = (field: string, value: unknown, min: number, max: number, key: string): number | null => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push({ field, key, params: { min, max } });
      return null;
    }
    return value;
  };

  if (!isObject(input)) return { rules: null, problems: [{ field: 'rules', key: 'isvScoring.rules.errors.notObject' }] };
  const dimensionsIn = isObject(input.dimensions) ? input.dimensions : {};
  const dimensions = {} as Record<Dimension, DimensionRule>;
  for (const dimension of DIMENSIONS) {
    const raw = dimensionsIn[dimension];
    const base = `dimensions.${dimension}`;
    if (!isObject(raw)) {
      problems.push({ field: base, key: 'isvScoring.rules.errors.missingDimension', params: { dimension } });
      dimensions[dimension] = { cap: 0, pointsPerItem: 0, pointsByVariant: {}, windowMonths: null };
      continue;
    }
    const cap = amount(`${base}.cap`, raw.cap);
    const pointsPerItem = amount(`${base}.pointsPerItem`, raw.pointsPerItem);
    const pointsByVariant: Record<string, Centipoints> = {};
    if (raw.pointsByVariant !== undefined && raw.pointsByVariant !== null) {
      if (!isObject(raw.pointsByVariant)) problems.push({ field: `${base}.pointsByVariant`, key: 'isvScoring.rules.errors.variants' });
      else
        for (const [variant, value] of Object.entries(raw.pointsByVariant)) {
          if (!VARIANT_NAME.test(variant)) problems.push({ field: `${base}.pointsByVariant`, key: 'isvScoring.rules.errors.variantName', params: { variant } });
          pointsByVariant[variant] = amount(`${base}.pointsByVariant.${variant}`, value, { allowZero: true });
        }
    }
    let windowMonths: number | null = null;
    if (raw.windowMonths !== null && raw.windowMonths !== undefined) windowMonths = wholeNumber(`${base}.windowMonths`, raw.windowMonths, 1, 120, 'isvScoring.rules.errors.windowMonths');
    else if (dimension !== 'certification') problems.push({ field: `${base}.windowMonths`, key: 'isvScoring.rules.errors.windowRequired' });
    if (cap > 0 && pointsPerItem > cap) problems.push({ field: `${base}.pointsPerItem`, key: 'isvScoring.rules.errors.itemOverCap' });
    dimensions[dimension] = { cap, pointsPerItem, pointsByVariant, windowMonths };
  }
  const capSum = DIMENSIONS.reduce((sum, d) => sum + dimensions[d].cap, 0);
  if (problems.length === 0 && capSum !== SCALE_POINTS * 100) {
    problems.push({ field: 'dimensions', key: 'isvScoring.rules.errors.capsMustSum', params: { scale: SCALE_POINTS, sum: (capSum / 100).toString() } });
  }

  const tiersIn = isObject(input.tiers) ? input.tiers : {};
  const silverIn = isObject(tiersIn.silver) ? tiersIn.silver : {};
  const goldIn = isObject(tiersIn.gold) ? tiersIn.gold : {};
  const silverMin = amount('tiers.silver.minTotal', silverIn.minTotal);
  const goldMin = amount('tiers.gold.minTotal', goldIn.minTotal);
  const goldPerDimension = amount('tiers.gold.minPerDimension', goldIn.minPerDimension);
  if (goldMin <= silverMin) problems.push({ field: 'tiers.gold.minTotal', key: 'isvScoring.rules.errors.goldAboveSilver' });
  for (const dimension of DIMENSIONS) {
    if (goldPerDimension > dimensions[dimension].cap && dimensions[dimension].cap > 0) {
      problems.push({ field: 'tiers.gold.minPerDimension', key: 'isvScoring.rules.errors.perDimensionOverCap', params: { dimension } });
      break;
    }
  }

  const demotionIn = isObject(input.demotion) ? input.demotion : {};
  const graceDays = wholeNumber('demotion.graceDays', demotionIn.graceDays, 0, 365, 'isvScoring.rules.errors.days');
  const finalWarningDays = wholeNumber('demotion.finalWarningDays', demotionIn.finalWarningDays, 0, 365, 'isvScoring.rules.errors.days');
  if (graceDays !== null && finalWarningDays !== null && finalWarningDays > graceDays) problems.push({ field: 'demotion.finalWarningDays', key: 'isvScoring.rules.errors.finalWarningAfterGrace' });

  if (problems.length || graceDays === null || finalWarningDays === null) return { rules: null, problems };
  return {
    rules: {
      dimensions,
      tiers: { silver: { minTotal: silverMin }, gold: { minTotal: goldMin, minPerDimension: goldPerDimension } },
      demotion: { graceDays, finalWarningDays },
    },
    problems: [],
  };
}

/** Rules read back from a stored version (validated when written; a broken row is a programming error). */
export function compileRules(input: unknown): ScoringRules {
  const result = validateRules(input);
  if (!result.rules) throw new Error(`stored scoring rules are invalid: ${result.problems.map((p) => `${p.field} ${p.key}`).join(', ')}`);
  return result.rules;
}

/** Points a record of this variant earns before the cap. */
export function pointsFor(rule: DimensionRule, variant: string | null): Centipoints {
  return variant !== null && variant in rule.pointsByVariant ? rule.pointsByVariant[variant] : rule.pointsPerItem;
}
