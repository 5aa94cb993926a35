import type { Centipoints } from './domain/points';
import type { Dimension, ScoringRulesInput, Tier } from './domain/rules';
import type { ItemStatus, ScoreSource } from './domain/score';
import type { TierState } from './domain/tier-state';

/** Why a recompute ran: a score event, the full (nightly / all-ISV) recompute, or a timer (demotion date). */
export type RecomputeTrigger = 'event' | 'full' | 'scheduled';

export interface RuleVersion {
  version: number;
  rules: ScoringRulesInput;
  effectiveFrom: Date;
  note: string;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: Date;
}

/** An item as stored in a snapshot: the source record of a point. */
export interface SnapshotItem {
  dimension: Dimension;
  source: ScoreSource;
  id: string;
  personId: string | null;
  variant: string | null;
  occurredAt: string;
  expiresAt: string;
  points: Centipoints;
  fullPoints: Centipoints;
  status: ItemStatus;
}

export interface Snapshot {
  id: string;
  organisationId: string;
  computedAt: Date;
  dataCutoff: Date;
  ruleVersion: number;
  trigger: RecomputeTrigger;
  total: Centipoints;
  tier: Tier;
  eligibleTier: Tier;
  dimensionPoints: Record<Dimension, Centipoints>;
  atRiskSince: Date | null;
  demotionOn: Date | null;
  items: SnapshotItem[];
  eventHighWater: string;
}

/** A snapshot without its items (history lists, trend charts). */
export type SnapshotSummary = Omit<Snapshot, 'items'>;

/** The remembered state of one ISV, read under its row lock at the start of a recompute. */
export interface StoredTierState {
  organisationId: string;
  /** null when the ISV has never been scored. */
  state: TierState | null;
  fingerprint: string | null;
  eventHighWater: string;
  latestSnapshotId: string | null;
}

/** One ISV in the staff ranking. */
export interface RankedIsv {
  organisationId: string;
  name: string;
  tier: Tier;
  eligibleTier: Tier;
  total: Centipoints;
  dimensionPoints: Record<Dimension, Centipoints> | null;
  atRiskSince: Date | null;
  demotionOn: Date | null;
  computedAt: Date | null;
  rank: number;
}

export const RANKING_FILTERS = ['all', 'gold', 'silver', 'registered', 'atRisk'] as const;
export type RankingFilter = (typeof RANKING_FILTERS)[number];

/** A person of the ISV for the staff certification table. */
export interface IsvPerson {
  userId: string;
  name: string;
  email: string;
}
