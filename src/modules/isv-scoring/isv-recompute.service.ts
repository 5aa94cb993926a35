import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Outbox } from '../../infra/queue/outbox';
import { addDays, addMonths } from './domain/points';
import { compileRules, DIMENSIONS, ScoringRules } from './domain/rules';
import { computeScore, ScoreBreakdown, ScoreRecord } from './domain/score';
import { decideTier, TierChange, TierDecision } from './domain/tier-state';
import { IsvScoringRepository, NewSnapshot, StateUpdate } from './isv-scoring.repository';
import { RecomputeTrigger, SnapshotItem } from './isv-scoring.types';
import { InputWindows, ScoreInputsRepository } from './score-inputs.repository';
import { TierNotifier } from './tier-notifier';

/** What one recompute of one ISV did. */
export interface RecomputeOutcome {
  organisationId: string;
  total: number;
  tier: string;
  snapshotId: string | null;
  changes: TierChange[];
}

/** How many ISVs the full recompute scores per transaction: big enough to be set-based, small enough to hold row locks briefly. */
export const FULL_RECOMPUTE_CHUNK = 200;

/**
 * Recomputes ISV scores. One code path for one ISV (on a score event) and for every ISV (nightly
 * and after a rule change): lock the ISVs' tier-state rows, read the cut-off, rule version and
 * event marks, read every input record in one set-based statement, score in memory with the pure
 * function, then write the snapshots and states in two statements — all in one transaction, so a
 * snapshot, its tier state and its notifications commit together.
 *
 * A snapshot is stored when the score moved, or when new score events arrived (so every event
 * leaves a trace in the history); a reconciling run that finds nothing changed only marks the
 * state as checked.
 */
@Injectable()
export class IsvRecomputeService {
  private readonly logger = new Logger('isv-scoring');
  private readonly compiled = new Map<number, ScoringRules>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: IsvScoringRepository,
    private readonly inputs: ScoreInputsRepository,
    private readonly outbox: Outbox,
    private readonly notifier: TierNotifier,
  ) {}

  recomputeOne(organisationId: string, trigger: RecomputeTrigger = 'event'): Promise<RecomputeOutcome | null> {
    return this.recomputeBatch([organisationId], trigger).then((outcomes) => outcomes[0] ?? null);
  }

  /** Every active ISV, chunk by chunk (each chunk its own transaction). */
  async recomputeAll(trigger: RecomputeTrigger = 'full'): Promise<{ isvs: number; snapshots: number; changes: number; ms: number }> {
    const started = Date.now();
    const ids = await this.repository.activeIsvIds();
    let snapshots = 0;
    let changes = 0;
    for (let i = 0; i < ids.length; i += FULL_RECOMPUTE_CHUNK) {
      const outcomes = await this.recomputeBatch(ids.slice(i, i + FULL_RECOMPUTE_CHUNK), trigger);
      snapshots += outcomes.filter((o) => o.snapshotId !== null).length;
      changes += outcomes.reduce((n, o) => n + o.changes.length, 0);
    }
    const ms = Date.now() - started;
    this.logger.log(`full recompute: ${ids.length} ISV(s), ${snapshots} new snapshot(s), ${changes} tier change(s) in ${ms} ms`);
    return { isvs: ids.length, snapshots, changes, ms };
  }

  async recomputeBatch(organisationIds: string[], trigger: RecomputeTrigger): Promise<RecomputeOutcome[]> {
    const unique = [...new Set(organisationIds)].sort();
    if (unique.length === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      const states = await this.repository.lockStates(manager, unique);
      if (states.length === 0) return [];
      const ids = states.map((s) => s.organisationId);
      const context = await this.repository.recomputeContext(manager, ids);
      const rules = this.rulesOf(context.ruleVersion, context.rules);
      const recordsByIsv = await this.inputs.recordsOf(manager, ids, context.cutoff, windowsOf(rules, context.cutoff));

      const snapshots: NewSnapshot[] = [];
      const updates: StateUpdate[] = [];
      const decided = new Map<string, { breakdown: ScoreBreakdown; decision: TierDecision }>();
      for (const stored of states) {
        const breakdown = computeScore(recordsByIsv.get(stored.organisationId) ?? [], rules, context.cutoff);
        const decision = decideTier(stored.state, breakdown.eligibleTier, context.cutoff, rules);
        decided.set(stored.organisationId, { breakdown, decision });
        const items = snapshotItems(breakdown);
        const highWater = context.highWater.get(stored.organisationId) ?? '0';
        const fingerprint = fingerprintOf(context.ruleVersion, breakdown, decision, items);
        const newEvents = BigInt(highWater) > BigInt(stored.eventHighWater);
        if (stored.latestSnapshotId === null || fingerprint !== stored.fingerprint || newEvents) {
          snapshots.push({
            organisationId: stored.organisationId,
            dataCutoff: context.cutoff,
            ruleVersion: context.ruleVersion,
            trigger,
            total: breakdown.total,
            tier: decision.state.tier,
            eligibleTier: breakdown.eligibleTier,
            dimensionPoints: Object.fromEntries(DIMENSIONS.map((d) => [d, breakdown.dimensions[d].points])) as NewSnapshot['dimensionPoints'],
            atRiskSince: decision.risk?.belowSince ?? null,
            demotionOn: decision.risk?.demotionOn ?? null,
            items,
            eventHighWater: highWater,
          });
        }
        updates.push({
          organisationId: stored.organisationId,
          state: decision.state,
          eligibleTier: breakdown.eligibleTier,
          total: breakdown.total,
          ruleVersion: context.ruleVersion,
          snapshotId: null,
          fingerprint,
          eventHighWater: highWater,
          checkedAt: context.cutoff,
        });
      }
      const snapshotIds = await this.repository.insertSnapshots(manager, snapshots);
      for (const update of updates) update.snapshotId = snapshotIds.get(update.organisationId) ?? null;
      await this.repository.updateStates(manager, updates);

      const withChanges = [...decided.entries()].filter(([, d]) => d.decision.changes.length > 0);
      if (withChanges.length) {
        await this.notifier.tierChanged(
          manager,
          withChanges.map(([organisationId, d]) => ({ organisationId, changes: d.decision.changes, total: d.breakdown.total })),
        );
        for (const [organisationId, d] of withChanges) await this.scheduleDeadlines(manager, organisationId, d.decision, rules);
      }
      return updates.map((u) => ({
        organisationId: u.organisationId,
        total: u.total,
        tier: u.state.tier,
        snapshotId: u.snapshotId,
        changes: decided.get(u.organisationId)?.decision.changes ?? [],
      }));
    });
  }

  /**
   * The score an ISV would get now, without storing anything (for an ISV never scored yet).
   * Reads the same inputs as a recompute, in a read-only transaction.
   */
  async preview(organisationId: string): Promise<{ breakdown: ScoreBreakdown; ruleVersion: number; rules: ScoringRules; records: ScoreRecord[] }> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const context = await this.repository.recomputeContext(manager, [organisationId]);
      const rules = this.rulesOf(context.ruleVersion, context.rules);
      const records = (await this.inputs.recordsOf(manager, [organisationId], context.cutoff, windowsOf(rules, context.cutoff))).get(organisationId) ?? [];
      return { breakdown: computeScore(records, rules, context.cutoff), ruleVersion: context.ruleVersion, rules, records };
    });
  }

  /** Compiled rules of a stored version. */
  async rulesOfVersion(version: number): Promise<ScoringRules> {
    const cached = this.compiled.get(version);
    if (cached) return cached;
    const found = await this.repository.ruleVersion(version);
    if (!found) throw new Error(`scoring rule version ${version} does not exist`);
    return this.rulesOf(version, found.rules);
  }

  /**
   * When an ISV falls below its tier, recomputes are booked for the final-warning date and the
   * demotion date, so both happen on the day even if no event or nightly run falls on it.
   */
  private async scheduleDeadlines(manager: EntityManager, organisationId: string, decision: TierDecision, rules: ScoringRules): Promise<void> {
    if (!decision.risk || !decision.changes.some((c) => c.kind === 'atRisk')) return;
    const dates = [addDays(decision.risk.demotionOn, -rules.demotion.finalWarningDays), decision.risk.demotionOn];
    for (const runAt of dates) {
      await this.outbox.add(manager, 'isv.recompute', { organisationId, deadline: true }, { jobId: `isv.recompute-due-${organisationId}-${runAt.getTime()}`, runAt });
    }
  }

  /** Rule versions never change once written, so each is compiled once per process. */
  private rulesOf(version: number, input: unknown): ScoringRules {
    let rules = this.compiled.get(version);
    if (!rules) {
      rules = compileRules(input);
      this.compiled.set(version, rules);
    }
    return rules;
  }
}

/** The earliest a record can have happened and still count (a few days' slack for month arithmetic). */
export function windowsOf(rules: ScoringRules, cutoff: Date): InputWindows {
  const since = (months: number | null) => (months === null ? new Date(0) : addDays(addMonths(cutoff, -months), -3));
  return {
    projectsSince: since(rules.dimensions.projects.windowMonths),
    ecosystemSince: since(rules.dimensions.ecosystem.windowMonths),
    coBuiltSince: since(rules.dimensions.coBuilt.windowMonths),
  };
}

export function snapshotItems(breakdown: ScoreBreakdown): SnapshotItem[] {
  return DIMENSIONS.flatMap((dimension) =>
    breakdown.dimensions[dimension].items.map((item) => ({
      dimension,
      source: item.source,
      id: item.id,
      personId: item.personId,
      variant: item.variant,
      occurredAt: item.occurredAt.toISOString(),
      expiresAt: item.expiresAt.toISOString(),
      points: item.points,
      fullPoints: item.fullPoints,
      status: item.status,
    })),
  );
}

/** What makes two scores the same for history: rule version, points of every item, tier and risk. */
function fingerprintOf(ruleVersion: number, breakdown: ScoreBreakdown, decision: TierDecision, items: SnapshotItem[]): string {
  const key = JSON.stringify([
    ruleVersion,
    breakdown.total,
    decision.state.tier,
    breakdown.eligibleTier,
    decision.risk ? [decision.risk.belowSince.getTime(), decision.risk.demotionOn.getTime()] : null,
    items.map((i) => [i.id, i.points, i.status, i.expiresAt]),
  ]);
  return createHash('sha256').update(key).digest('hex');
}
