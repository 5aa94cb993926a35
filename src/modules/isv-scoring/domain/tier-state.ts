import { addDays, DAY_MS } from './points';
import { ScoringRules, Tier, tierRank, TIERS } from './rules';

type RankedTier = Exclude<Tier, 'registered'>;

/** What an ISV holds, remembered between recomputes (table isv_tier_states). */
export interface TierState {
  tier: Tier;
  /** Since when the points have been continuously below each tier the ISV still holds. */
  belowSince: Partial<Record<RankedTier, Date>>;
  /** When the ISV was warned that its current tier is at risk (reset when it recovers or moves). */
  warnedAt: Date | null;
  /** When the ISV was warned that the demotion date is near. */
  finalWarnedAt: Date | null;
  /** When the tier was last entered. */
  since: Date;
}

export type TierChange =
  | { kind: 'promoted'; from: Tier; to: Tier }
  | { kind: 'demoted'; from: Tier; to: Tier }
  | { kind: 'atRisk'; tier: Tier; belowSince: Date; demotionOn: Date; towards: Tier }
  | { kind: 'demotionSoon'; tier: Tier; demotionOn: Date; towards: Tier }
  | { kind: 'recovered'; tier: Tier };

/** The at-risk warning the dashboard shows: "at risk since …, demotion on …". */
export interface TierRisk {
  tier: Tier;
  belowSince: Date;
  demotionOn: Date;
  towards: Tier;
}

export interface TierDecision {
  state: TierState;
  changes: TierChange[];
  risk: TierRisk | null;
}

/**
 * The tier an ISV holds after a recompute at `at`, given the tier its points qualify for.
 * Promotion is immediate. Demotion waits: the ISV keeps a tier until its points have stayed below
 * it for the grace period, is warned when it first falls below (and again shortly before the
 * date), and recovers silently — with a "recovered" note — if it climbs back in time. Falling
 * below several tiers is tracked per tier, so a Gold ISV that later also drops below Silver is
 * demoted to Silver when Gold's grace ends and keeps Silver until Silver's own grace ends.
 */
export function decideTier(previous: TierState | null, eligible: Tier, at: Date, rules: ScoringRules): TierDecision {
  const changes: TierChange[] = [];
  if (!previous) {
    const state: TierState = { tier: eligible, belowSince: {}, warnedAt: null, finalWarnedAt: null, since: at };
    if (eligible !== 'registered') changes.push({ kind: 'promoted', from: 'registered', to: eligible });
    return { state, changes, risk: null };
  }

  if (tierRank(eligible) >= tierRank(previous.tier)) {
    const wasAtRisk = previous.belowSince[previous.tier as RankedTier] !== undefined;
    const promoted = tierRank(eligible) > tierRank(previous.tier);
    if (promoted) changes.push({ kind: 'promoted', from: previous.tier, to: eligible });
    else if (wasAtRisk) changes.push({ kind: 'recovered', tier: previous.tier });
    const state: TierState = { tier: eligible, belowSince: {}, warnedAt: null, finalWarnedAt: null, since: promoted ? at : previous.since };
    return { state, changes, risk: null };
  }

  // Below the held tier: start (or keep) the clock for every held tier above what the points allow.
  const belowSince: Partial<Record<RankedTier, Date>> = {};
  for (const tier of TIERS) {
    if (tier === 'registered') continue;
    if (tierRank(tier) > tierRank(eligible) && tierRank(tier) <= tierRank(previous.tier)) belowSince[tier] = previous.belowSince[tier] ?? at;
  }
  const graceMs = rules.demotion.graceDays * DAY_MS;
  let tier: Tier = previous.tier;
  while (tier !== 'registered' && tierRank(tier) > tierRank(eligible)) {
    const since = belowSince[tier];
    if (since === undefined || at.getTime() < since.getTime() + graceMs) break;
    delete belowSince[tier];
    tier = TIERS[tierRank(tier) - 1];
  }

  let warnedAt = previous.warnedAt;
  let finalWarnedAt = previous.finalWarnedAt;
  let since = previous.since;
  if (tier !== previous.tier) {
    changes.push({ kind: 'demoted', from: previous.tier, to: tier });
    warnedAt = null;
    finalWarnedAt = null;
    since = at;
  }
  let risk: TierRisk | null = null;
  const heldSince = tier === 'registered' ? undefined : belowSince[tier];
  if (heldSince !== undefined) {
    const demotionOn = new Date(heldSince.getTime() + graceMs);
    risk = { tier, belowSince: heldSince, demotionOn, towards: eligible };
    if (warnedAt === null) {
      changes.push({ kind: 'atRisk', tier, belowSince: heldSince, demotionOn, towards: eligible });
      warnedAt = at;
    }
    if (finalWarnedAt === null && at.getTime() >= addDays(demotionOn, -rules.demotion.finalWarningDays).getTime()) {
      changes.push({ kind: 'demotionSoon', tier, demotionOn, towards: eligible });
      finalWarnedAt = at;
    }
  }
  return { state: { tier, belowSince, warnedAt, finalWarnedAt, since }, changes, risk };
}

/** The risk a stored state describes (for pages that read the state without recomputing). */
export function riskOf(state: TierState, eligible: Tier, rules: ScoringRules): TierRisk | null {
  if (state.tier === 'registered') return null;
  const since = state.belowSince[state.tier];
  if (!since) return null;
  return { tier: state.tier, belowSince: since, demotionOn: new Date(since.getTime() + rules.demotion.graceDays * DAY_MS), towards: eligible };
}
