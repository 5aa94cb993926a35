import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '../../infra/database/returning';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import type { Centipoints } from './domain/points';
import type { Dimension, ScoringRulesInput, Tier } from './domain/rules';
import type { TierState } from './domain/tier-state';
import { IsvPerson, RankedIsv, RankingFilter, RecomputeTrigger, RuleVersion, Snapshot, SnapshotItem, SnapshotSummary, StoredTierState } from './isv-scoring.types';

const centi = (value: string | number): Centipoints => Math.round(Number(value) * 100);
const pointsText = (value: Centipoints): string => (value / 100).toFixed(2);
const dateOrNull = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

interface StateRow {
  organisation_id: string;
  tier: Tier;
  tier_since: Date | null;
  below_since: Partial<Record<'silver' | 'gold', string>>;
  warned_at: Date | null;
  final_warned_at: Date | null;
  fingerprint: string | null;
  event_high_water: string;
  latest_snapshot_id: string | null;
  checked_at: Date | null;
}

interface SnapshotRow {
  id: string;
  organisation_id: string;
  computed_at: Date;
  data_cutoff: Date;
  rule_version: number;
  trigger: RecomputeTrigger;
  total: string;
  tier: Tier;
  eligible_tier: Tier;
  certification_points: string;
  projects_points: string;
  ecosystem_points: string;
  co_built_points: string;
  at_risk_since: Date | null;
  demotion_on: Date | null;
  items?: SnapshotItem[];
  event_high_water: string;
}

const SUMMARY_COLUMNS = `id, organisation_id, computed_at, data_cutoff, rule_version, trigger, total, tier, eligible_tier,
  certification_points, projects_points, ecosystem_points, co_built_points, at_risk_since, demotion_on, event_high_water`;

function toSummary(row: SnapshotRow): SnapshotSummary {
  return {
    id: String(row.id),
    organisationId: row.organisation_id,
    computedAt: new Date(row.computed_at),
    dataCutoff: new Date(row.data_cutoff),
    ruleVersion: row.rule_version,
    trigger: row.trigger,
    total: centi(row.total),
    tier: row.tier,
    eligibleTier: row.eligible_tier,
    dimensionPoints: {
      certification: centi(row.certification_points),
      projects: centi(row.projects_points),
      ecosystem: centi(row.ecosystem_points),
      coBuilt: centi(row.co_built_points),
    },
    atRiskSince: dateOrNull(row.at_risk_since),
    demotionOn: dateOrNull(row.demotion_on),
    eventHighWater: String(row.event_high_water),
  };
}

/** A snapshot to store (one per recomputed ISV whose score or event mark moved). */
export interface NewSnapshot {
  organisationId: string;
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

/** The state to remember after a recompute. */
export interface StateUpdate {
  organisationId: string;
  state: TierState;
  eligibleTier: Tier;
  total: Centipoints;
  ruleVersion: number;
  snapshotId: string | null;
  fingerprint: string;
  eventHighWater: string;
  checkedAt: Date;
}

/** Queries of isv-scoring's own tables: rule versions, snapshots, tier states. */
@Injectable()
export class IsvScoringRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private async count(sql: string, params: unknown[]): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(sql, params);
    return Number(rows[0].n);
  }

  // ---- recompute (hot path: a handful of statements for any number of ISVs) ----

  /**
   * Locks the tier-state rows of these ISVs (creating missing ones) in id order, so recomputes of
   * one ISV run one at a time and never deadlock with a full recompute. Organisations that are
   * not active ISVs are left out.
   */
  async lockStates(manager: EntityManager, organisationIds: string[]): Promise<StoredTierState[]> {
    const rows: StateRow[] = returningRows(
      await manager.query(
        `INSERT INTO isv_tier_states (organisation_id)
         SELECT o.id FROM organisations o WHERE o.id = ANY($1::uuid[]) AND o.type = 'isv' AND o.active ORDER BY o.id
         ON CONFLICT (organisation_id) DO UPDATE SET organisation_id = EXCLUDED.organisation_id
         RETURNING organisation_id, tier, tier_since, below_since, warned_at, final_warned_at, fingerprint, event_high_water, latest_snapshot_id, checked_at`,
        [organisationIds],
      ),
    );
    return rows.map((row) => ({
      organisationId: row.organisation_id,
      state:
        row.checked_at === null
          ? null
          : {
              tier: row.tier,
              belowSince: Object.fromEntries(Object.entries(row.below_since ?? {}).map(([tier, at]) => [tier, new Date(at)])),
              warnedAt: dateOrNull(row.warned_at),
              finalWarnedAt: dateOrNull(row.final_warned_at),
              since: new Date(row.tier_since ?? row.checked_at),
            },
      fingerprint: row.fingerprint,
      eventHighWater: String(row.event_high_water),
      latestSnapshotId: row.latest_snapshot_id === null ? null : String(row.latest_snapshot_id),
    }));
  }

  /**
   * The cut-off (database clock, read after the locks were taken), the rule version in force at
   * it, and the highest score event of each ISV.
   */
  async recomputeContext(manager: EntityManager, organisationIds: string[]): Promise<{ cutoff: Date; ruleVersion: number; rules: ScoringRulesInput; highWater: Map<string, string> }> {
    const [row]: { cutoff: Date; version: number | null; rules: ScoringRulesInput | null; high_water: Record<string, string | number | null> | null }[] = await manager.query(
      `WITH c AS (SELECT clock_timestamp() AS cutoff),
            v AS (SELECT version, rules FROM scoring_rule_versions, c WHERE effective_from <= c.cutoff ORDER BY effective_from DESC, version DESC LIMIT 1)
       SELECT c.cutoff, v.version, v.rules,
              (SELECT json_object_agg(o, (SELECT max(e.id) FROM score_events e WHERE e.organisation_id = o)) FROM unnest($1::uuid[]) AS o) AS high_water
         FROM c LEFT JOIN v ON true`,
      [organisationIds],
    );
    if (row.version === null || row.rules === null) throw new Error('no scoring rule version is in force: scoring_rule_versions is empty');
    const highWater = new Map<string, string>();
    for (const [organisationId, mark] of Object.entries(row.high_water ?? {})) highWater.set(organisationId, mark === null ? '0' : String(mark));
    return { cutoff: new Date(row.cutoff), ruleVersion: row.version, rules: row.rules, highWater };
  }

  async insertSnapshots(manager: EntityManager, snapshots: NewSnapshot[]): Promise<Map<string, string>> {
    if (snapshots.length === 0) return new Map();
    const rows: { id: string; organisation_id: string }[] = await manager.query(
      `INSERT INTO isv_score_snapshots (organisation_id, computed_at, data_cutoff, rule_version, trigger, total, tier, eligible_tier,
                                        certification_points, projects_points, ecosystem_points, co_built_points, at_risk_since, demotion_on, items, event_high_water)
       SELECT x.organisation_id, clock_timestamp(), x.data_cutoff, x.rule_version, x.trigger, x.total, x.tier, x.eligible_tier,
              x.certification_points, x.projects_points, x.ecosystem_points, x.co_built_points, x.at_risk_since, x.demotion_on, x.items, x.event_high_water
         FROM jsonb_to_recordset($1::jsonb) AS x(organisation_id uuid, data_cutoff timestamptz, rule_version int, trigger text, total numeric, tier text, eligible_tier text,
              certification_points numeric, projects_points numeric, ecosystem_points numeric, co_built_points numeric, at_risk_since timestamptz, demotion_on timestamptz,
              items jsonb, event_high_water bigint)
       RETURNING id, organisation_id`,
      [
        JSON.stringify(
          snapshots.map((s) => ({
            organisation_id: s.organisationId,
            data_cutoff: s.dataCutoff,
            rule_version: s.ruleVersion,
            trigger: s.trigger,
            total: pointsText(s.total),
            tier: s.tier,
            eligible_tier: s.eligibleTier,
            certification_points: pointsText(s.dimensionPoints.certification),
            projects_points: pointsText(s.dimensionPoints.projects),
            ecosystem_points: pointsText(s.dimensionPoints.ecosystem),
            co_built_points: pointsText(s.dimensionPoints.coBuilt),
            at_risk_since: s.atRiskSince,
            demotion_on: s.demotionOn,
            items: s.items,
            event_high_water: s.eventHighWater,
          })),
        ),
      ],
    );
    return new Map(rows.map((r) => [r.organisation_id, String(r.id)]));
  }

  async updateStates(manager: EntityManager, updates: StateUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await manager.query(
      `UPDATE isv_tier_states s
          SET tier = x.tier, tier_since = x.tier_since, eligible_tier = x.eligible_tier, below_since = x.below_since,
              warned_at = x.warned_at, final_warned_at = x.final_warned_at, total = x.total, rule_version = x.rule_version,
              latest_snapshot_id = coalesce(x.snapshot_id, s.latest_snapshot_id), fingerprint = x.fingerprint,
              event_high_water = greatest(s.event_high_water, x.event_high_water), checked_at = x.checked_at
         FROM jsonb_to_recordset($1::jsonb) AS x(organisation_id uuid, tier text, tier_since timestamptz, eligible_tier text, below_since jsonb,
              warned_at timestamptz, final_warned_at timestamptz, total numeric, rule_version int, snapshot_id bigint, fingerprint text,
              event_high_water bigint, checked_at timestamptz)
        WHERE s.organisation_id = x.organisation_id`,
      [
        JSON.stringify(
          updates.map((u) => ({
            organisation_id: u.organisationId,
            tier: u.state.tier,
            tier_since: u.state.since,
            eligible_tier: u.eligibleTier,
            below_since: u.state.belowSince,
            warned_at: u.state.warnedAt,
            final_warned_at: u.state.finalWarnedAt,
            total: pointsText(u.total),
            rule_version: u.ruleVersion,
            snapshot_id: u.snapshotId,
            fingerprint: u.fingerprint,
            event_high_water: u.eventHighWater,
            checked_at: u.checkedAt,
          })),
        ),
      ],
    );
  }

  /** Active ISV managers of these ISVs (who hear about tier changes). */
  async managersOf(manager: EntityManager, organisationIds: string[]): Promise<{ userId: string; organisationId: string }[]> {
    const rows: { id: string; organisation_id: string }[] = await manager.query(
      `SELECT id, organisation_id FROM users WHERE organisation_id = ANY($1::uuid[]) AND role = 'isv_manager' AND active ORDER BY id`,
      [organisationIds],
    );
    return rows.map((r) => ({ userId: r.id, organisationId: r.organisation_id }));
  }

  /** Every active ISV, in id order (the full recompute walks them in chunks). */
  async activeIsvIds(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM organisations WHERE type = 'isv' AND active ORDER BY id`);
    return rows.map((r) => r.id);
  }

  /**
   * ISVs with a score event older than `graceSeconds` beyond the last one their score saw (one
   * index probe per ISV on score_events (organisation_id, id)).
   */
  async isvsBehindTheirEvents(graceSeconds: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT o.id FROM organisations o LEFT JOIN isv_tier_states s ON s.organisation_id = o.id
        WHERE o.type = 'isv' AND o.active
          AND (SELECT max(e.id) FROM score_events e WHERE e.organisation_id = o.id AND e.created_at < now() - make_interval(secs => $1)) > coalesce(s.event_high_water, 0)
        ORDER BY o.id`,
      [graceSeconds],
    );
    return rows.map((r) => r.id);
  }

  // ---- rule versions ----

  async ruleVersions(page: PageRequest): Promise<{ items: RuleVersion[]; total: number }> {
    const rows: RuleVersionRow[] = await this.dataSource.query(
      `SELECT v.version, v.rules, v.effective_from, v.note, v.created_by, u.name AS created_by_name, v.created_at, count(*) OVER () AS total
         FROM scoring_rule_versions v LEFT JOIN users u ON u.id = v.created_by
        ORDER BY v.version DESC LIMIT $1 OFFSET $2`,
      [page.perPage, offsetOf(page)],
    );
    const total = rows.length ? Number(rows[0].total) : await this.count(`SELECT count(*) AS n FROM scoring_rule_versions`, []);
    return { items: rows.map(toRuleVersion), total };
  }

  /** The version in force at `at` (the latest effective_from not after it; the newer version wins a tie). */
  async ruleVersionAt(at: Date): Promise<RuleVersion | null> {
    const rows: RuleVersionRow[] = await this.dataSource.query(
      `SELECT v.version, v.rules, v.effective_from, v.note, v.created_by, u.name AS created_by_name, v.created_at
         FROM scoring_rule_versions v LEFT JOIN users u ON u.id = v.created_by
        WHERE v.effective_from <= $1 ORDER BY v.effective_from DESC, v.version DESC LIMIT 1`,
      [at],
    );
    return rows.length ? toRuleVersion(rows[0]) : null;
  }

  async ruleVersion(version: number): Promise<RuleVersion | null> {
    const rows: RuleVersionRow[] = await this.dataSource.query(
      `SELECT v.version, v.rules, v.effective_from, v.note, v.created_by, u.name AS created_by_name, v.created_at
         FROM scoring_rule_versions v LEFT JOIN users u ON u.id = v.created_by WHERE v.version = $1`,
      [version],
    );
    return rows.length ? toRuleVersion(rows[0]) : null;
  }

  /** Versions not yet in force (scheduled), soonest first. */
  async scheduledRuleVersions(now: Date): Promise<RuleVersion[]> {
    const rows: RuleVersionRow[] = await this.dataSource.query(
      `SELECT v.version, v.rules, v.effective_from, v.note, v.created_by, u.name AS created_by_name, v.created_at
         FROM scoring_rule_versions v LEFT JOIN users u ON u.id = v.created_by
        WHERE v.effective_from > $1 ORDER BY v.effective_from, v.version LIMIT 20`,
      [now],
    );
    return rows.map(toRuleVersion);
  }

  /** Writes the next version number; versions are numbered one after another under a lock. */
  async insertRuleVersion(manager: EntityManager, input: { rules: ScoringRulesInput; effectiveFrom: Date; note: string; createdBy: string | null }): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('scoring_rule_versions'))`);
    const [row]: { version: number }[] = await manager.query(
      `INSERT INTO scoring_rule_versions (version, rules, effective_from, note, created_by)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4 FROM scoring_rule_versions RETURNING version`,
      [JSON.stringify(input.rules), input.effectiveFrom, input.note, input.createdBy],
    );
    return row.version;
  }

  async databaseNow(): Promise<Date> {
    const [row]: { now: Date }[] = await this.dataSource.query(`SELECT clock_timestamp() AS now`);
    return new Date(row.now);
  }

  // ---- reading scores ----

  async organisation(organisationId: string): Promise<{ id: string; name: string; type: string; active: boolean } | null> {
    if (!isUuid(organisationId)) return null;
    const rows: { id: string; name: string; type: string; active: boolean }[] = await this.dataSource.query(
      `SELECT id, name, type, active FROM organisations WHERE id = $1`,
      [organisationId],
    );
    return rows[0] ?? null;
  }

  async latestSnapshot(organisationId: string): Promise<Snapshot | null> {
    const rows: SnapshotRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, items FROM isv_score_snapshots WHERE organisation_id = $1 ORDER BY id DESC LIMIT 1`,
      [organisationId],
    );
    return rows.length ? { ...toSummary(rows[0]), items: rows[0].items ?? [] } : null;
  }

  async tierState(organisationId: string): Promise<{ tier: Tier; belowSince: Partial<Record<'silver' | 'gold', Date>>; checkedAt: Date | null; eventHighWater: string } | null> {
    const rows: StateRow[] = await this.dataSource.query(`SELECT * FROM isv_tier_states WHERE organisation_id = $1`, [organisationId]);
    if (!rows.length) return null;
    const row = rows[0];
    return {
      tier: row.tier,
      belowSince: Object.fromEntries(Object.entries(row.below_since ?? {}).map(([tier, at]) => [tier, new Date(at)])),
      checkedAt: dateOrNull(row.checked_at),
      eventHighWater: String(row.event_high_water),
    };
  }

  async history(organisationId: string, page: PageRequest): Promise<{ items: SnapshotSummary[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.dataSource.query<SnapshotRow[]>(`SELECT ${SUMMARY_COLUMNS} FROM isv_score_snapshots WHERE organisation_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, [
        organisationId,
        page.perPage,
        offsetOf(page),
      ]),
      this.count(`SELECT count(*) AS n FROM isv_score_snapshots WHERE organisation_id = $1`, [organisationId]),
    ]);
    return { items: rows.map(toSummary), total };
  }

  /** The trend: the last snapshot of each day since `since` (a chart needs one point a day, not every event). */
  async dailyTrend(organisationId: string, since: Date): Promise<SnapshotSummary[]> {
    const rows: SnapshotRow[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (date_trunc('day', computed_at AT TIME ZONE 'Asia/Shanghai')) ${SUMMARY_COLUMNS}
           FROM isv_score_snapshots WHERE organisation_id = $1 AND computed_at >= $2
          ORDER BY date_trunc('day', computed_at AT TIME ZONE 'Asia/Shanghai'), id DESC
       ) daily ORDER BY computed_at`,
      [organisationId, since],
    );
    return rows.map(toSummary);
  }

  /** The snapshot in force just before `since` (where the trend line starts). */
  async snapshotBefore(organisationId: string, since: Date): Promise<SnapshotSummary | null> {
    const rows: SnapshotRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM isv_score_snapshots WHERE organisation_id = $1 AND computed_at < $2 ORDER BY id DESC LIMIT 1`,
      [organisationId, since],
    );
    return rows.length ? toSummary(rows[0]) : null;
  }

  /** All ISVs ranked by total (rank over all ISVs, then filtered by tier), paginated. */
  async ranking(filter: RankingFilter, search: string, page: PageRequest): Promise<{ items: RankedIsv[]; total: number }> {
    const rows: (SnapshotRow & { name: string; state_tier: Tier | null; state_eligible: Tier | null; state_total: string | null; at_risk: boolean; rank: string; total_count: string; snap_id: string | null })[] =
      await this.dataSource.query(
        `WITH ranked AS (
           SELECT o.id AS organisation_id, o.name, coalesce(s.tier, 'registered') AS state_tier, coalesce(s.eligible_tier, 'registered') AS state_eligible,
                  coalesce(s.total, 0) AS state_total, coalesce(s.below_since ? s.tier, false) AS at_risk, s.latest_snapshot_id,
                  rank() OVER (ORDER BY coalesce(s.total, 0) DESC) AS rank
             FROM organisations o LEFT JOIN isv_tier_states s ON s.organisation_id = o.id
            WHERE o.type = 'isv' AND o.active
         )
         SELECT r.*, count(*) OVER () AS total_count, snap.id AS snap_id, snap.computed_at, snap.certification_points, snap.projects_points,
                snap.ecosystem_points, snap.co_built_points, snap.at_risk_since, snap.demotion_on
           FROM ranked r LEFT JOIN isv_score_snapshots snap ON snap.id = r.latest_snapshot_id
          WHERE ($1 = 'all' OR ($1 = 'atRisk' AND r.at_risk) OR r.state_tier = $1) AND ($2 = '' OR r.name ILIKE '%' || $2 || '%')
          ORDER BY r.rank, lower(r.name), r.organisation_id
          LIMIT $3 OFFSET $4`,
        [filter, search.replace(/[\\%_]/g, (c) => `\\${c}`), page.perPage, offsetOf(page)],
      );
    const total = rows.length ? Number(rows[0].total_count) : 0;
    return {
      total,
      items: rows.map((r) => ({
        organisationId: r.organisation_id,
        name: r.name,
        tier: r.state_tier ?? 'registered',
        eligibleTier: r.state_eligible ?? 'registered',
        total: centi(r.state_total ?? 0),
        dimensionPoints: r.snap_id
          ? { certification: centi(r.certification_points), projects: centi(r.projects_points), ecosystem: centi(r.ecosystem_points), coBuilt: centi(r.co_built_points) }
          : null,
        atRiskSince: r.at_risk ? dateOrNull(r.at_risk_since) : null,
        demotionOn: r.at_risk ? dateOrNull(r.demotion_on) : null,
        computedAt: r.snap_id ? new Date(r.computed_at) : null,
        rank: Number(r.rank),
      })),
    };
  }

  /** The ISV's people (active accounts), by name, paginated. */
  async people(organisationId: string, page: PageRequest): Promise<{ items: IsvPerson[]; total: number }> {
    const rows: { id: string; name: string; email: string; total: string }[] = await this.dataSource.query(
      `SELECT id, name, email, count(*) OVER () AS total FROM users WHERE organisation_id = $1 AND active ORDER BY lower(name), id LIMIT $2 OFFSET $3`,
      [organisationId, page.perPage, offsetOf(page)],
    );
    const total = rows.length ? Number(rows[0].total) : await this.count(`SELECT count(*) AS n FROM users WHERE organisation_id = $1 AND active`, [organisationId]);
    return { items: rows.map((r) => ({ userId: r.id, name: r.name, email: r.email })), total };
  }
}

interface RuleVersionRow {
  version: number;
  rules: ScoringRulesInput;
  effective_from: Date;
  note: string;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date;
  total?: string;
}

const toRuleVersion = (r: RuleVersionRow): RuleVersion => ({
  version: r.version,
  rules: r.rules,
  effectiveFrom: new Date(r.effective_from),
  note: r.note,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: new Date(r.created_at),
});

export const isUuid = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
