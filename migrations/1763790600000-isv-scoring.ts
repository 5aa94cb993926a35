import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ISV tier scoring: versioned rules, score snapshots and the tier each ISV holds.
 *
 * A rule version is immutable once written and applies from its effective_from (today or later);
 * the recompute uses the latest version effective at its data cut-off. A snapshot is the whole
 * breakdown of one recompute — per-dimension points, the tier, the rule version, the cut-off,
 * the source record of every point (items) and the highest score event it had seen — so history
 * can be shown and explained later. isv_tier_states holds what must be remembered between
 * recomputes (the tier, since when the points have been below each held tier, warnings sent);
 * its row is also the per-ISV lock that serialises recomputes.
 *
 * Version 1 (the default rules) is seeded here, effective from the start of the programme.
 */
export class IsvScoring1763790600000 implements MigrationInterface {
  name = 'IsvScoring1763790600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scoring_rule_versions (
        version int PRIMARY KEY CHECK (version > 0),
        rules jsonb NOT NULL,
        effective_from timestamptz NOT NULL,
        note text NOT NULL DEFAULT '',
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX scoring_rule_versions_effective_idx ON scoring_rule_versions (effective_from DESC, version DESC)`);
    await q.query(`
      CREATE TABLE isv_score_snapshots (
        id bigserial PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        computed_at timestamptz NOT NULL DEFAULT now(),
        data_cutoff timestamptz NOT NULL,
        rule_version int NOT NULL REFERENCES scoring_rule_versions(version),
        trigger varchar(20) NOT NULL CHECK (trigger IN ('event', 'full', 'scheduled')),
        total numeric(5,2) NOT NULL CHECK (total >= 0 AND total <= 100),
        tier varchar(20) NOT NULL CHECK (tier IN ('registered', 'silver', 'gold')),
        eligible_tier varchar(20) NOT NULL CHECK (eligible_tier IN ('registered', 'silver', 'gold')),
        certification_points numeric(5,2) NOT NULL,
        projects_points numeric(5,2) NOT NULL,
        ecosystem_points numeric(5,2) NOT NULL,
        co_built_points numeric(5,2) NOT NULL,
        at_risk_since timestamptz,
        demotion_on timestamptz,
        items jsonb NOT NULL,
        event_high_water bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX isv_score_snapshots_org_idx ON isv_score_snapshots (organisation_id, id DESC)`);
    await q.query(`
      CREATE TABLE isv_tier_states (
        organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
        tier varchar(20) NOT NULL DEFAULT 'registered' CHECK (tier IN ('registered', 'silver', 'gold')),
        tier_since timestamptz,
        eligible_tier varchar(20) NOT NULL DEFAULT 'registered' CHECK (eligible_tier IN ('registered', 'silver', 'gold')),
        below_since jsonb NOT NULL DEFAULT '{}'::jsonb,
        warned_at timestamptz,
        final_warned_at timestamptz,
        total numeric(5,2) NOT NULL DEFAULT 0,
        rule_version int REFERENCES scoring_rule_versions(version),
        latest_snapshot_id bigint REFERENCES isv_score_snapshots(id),
        fingerprint varchar(64),
        event_high_water bigint NOT NULL DEFAULT 0,
        checked_at timestamptz
      )`);
    await q.query(`CREATE INDEX isv_tier_states_rank_idx ON isv_tier_states (total DESC)`);
    await q.query(
      `INSERT INTO scoring_rule_versions (version, rules, effective_from, note) VALUES (1, $1, '2020-04-01T00:00:00+08:00', 'Default rules')`,
      [
        JSON.stringify({
          dimensions: {
            certification: { cap: 40, pointsPerItem: 4, windowMonths: null },
            projects: { cap: 30, pointsPerItem: 10, pointsByVariant: { partial: 5, stopped: 2 }, windowMonths: 12 },
            ecosystem: { cap: 15, pointsPerItem: 3, pointsByVariant: { case_study: 4, mentoring: 2 }, windowMonths: 12 },
            coBuilt: { cap: 15, pointsPerItem: 7.5, windowMonths: 12 },
          },
          tiers: { silver: { minTotal: 40 }, gold: { minTotal: 70, minPerDimension: 1 } },
          demotion: { graceDays: 90, finalWarningDays: 14 },
        }),
      ],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE isv_tier_states`);
    await q.query(`DROP TABLE isv_score_snapshots`);
    await q.query(`DROP TABLE scoring_rule_versions`);
  }
}
