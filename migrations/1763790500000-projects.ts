import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TMIC projects, the grants that give people a role on them, and project deliveries.
 *
 * A project belongs to a brand organisation (checked by the service: a CHECK cannot look at
 * another table) and sits in one of the four incubation stages.
 *
 * A grant is a staff decision; at most one active grant per person and project. A grant is never
 * edited back to life: withdrawal (certificate lapsed or revoked, by the daily job) and staff
 * revocation end the row and keep why; reinstatement writes a new active row that points at the
 * withdrawn one (reinstates_grant_id, unique: a withdrawal is reinstated at most once), so the
 * table itself tells the grant's history.
 *
 * A delivery is the ISV-scoring input "TMIC project delivered with the ISV's participation":
 * recorded by staff with an outcome, counted only once the brand confirmed it
 * (brand_confirmed_at). isv-scoring reads id, project_id, organisation_id, outcome, delivered_at
 * and brand_confirmed_at — keep those names. delivered_at may be back-filled at most 12 months
 * before it was recorded and never after. The service applies the exact rule (from the start of
 * the same calendar day a year ago, China time; a few minutes of client clock skew) and says what
 * to fix; the CHECK is the backstop against recorded_at (immutable, so it holds for the row
 * forever), loose by that day and those minutes so it never contradicts the service.
 */
export class Projects1763790500000 implements MigrationInterface {
  name = 'Projects1763790500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        brand_organisation_id uuid NOT NULL REFERENCES organisations(id),
        name varchar(200) NOT NULL CHECK (length(btrim(name)) > 0),
        description text NOT NULL DEFAULT '',
        stage varchar(30) NOT NULL CHECK (stage IN ('trend_intelligence', 'new_product_partner', 'simulation_lab', 'trial_sales_diagnosis')),
        status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'closed')),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX projects_brand_idx ON projects (brand_organisation_id, created_at DESC)`);
    await q.query(`CREATE INDEX projects_listing_idx ON projects (status, stage, created_at DESC)`);

    await q.query(`
      CREATE TABLE project_grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id),
        user_id uuid NOT NULL REFERENCES users(id),
        role varchar(20) NOT NULL CHECK (role IN ('lead', 'planner', 'viewer')),
        status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn', 'revoked_by_staff')),
        granted_by uuid NOT NULL REFERENCES users(id),
        granted_at timestamptz NOT NULL DEFAULT now(),
        certificate_id uuid REFERENCES certificates(id),
        withdrawn_at timestamptz,
        withdrawal_reason varchar(30) CHECK (withdrawal_reason IN ('certificate_expired', 'certificate_revoked', 'certificate_missing')),
        withdrawal_certificate_serial varchar(40),
        revoked_by uuid REFERENCES users(id),
        revoked_at timestamptz,
        revocation_reason text,
        reinstates_grant_id uuid UNIQUE REFERENCES project_grants(id),
        CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)),
        CHECK ((status = 'revoked_by_staff') = (revoked_at IS NOT NULL AND revoked_by IS NOT NULL))
      )`);
    // One active grant per person and project: a second grant or a reinstatement races into this.
    await q.query(`CREATE UNIQUE INDEX project_grants_one_active_idx ON project_grants (project_id, user_id) WHERE status = 'active'`);
    await q.query(`CREATE INDEX project_grants_project_idx ON project_grants (project_id, granted_at DESC)`);
    await q.query(`CREATE INDEX project_grants_user_active_idx ON project_grants (user_id) WHERE status = 'active'`);

    await q.query(`
      CREATE TABLE project_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        outcome varchar(20) NOT NULL CHECK (outcome IN ('launched', 'partial', 'stopped')),
        delivered_at timestamptz NOT NULL,
        note text NOT NULL DEFAULT '',
        recorded_by uuid NOT NULL REFERENCES users(id),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        brand_confirmed_by uuid REFERENCES users(id),
        brand_confirmed_at timestamptz,
        brand_confirmed_on_behalf boolean,
        UNIQUE (project_id, organisation_id),
        CHECK (delivered_at <= recorded_at + interval '5 minutes' AND delivered_at >= recorded_at - interval '12 months 1 day'),
        CHECK ((brand_confirmed_at IS NULL) = (brand_confirmed_by IS NULL)),
        CHECK ((brand_confirmed_at IS NULL) = (brand_confirmed_on_behalf IS NULL))
      )`);
    await q.query(`CREATE INDEX project_deliveries_organisation_idx ON project_deliveries (organisation_id, delivered_at DESC)`);
    await q.query(`CREATE INDEX project_deliveries_unconfirmed_idx ON project_deliveries (project_id) WHERE brand_confirmed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE project_deliveries`);
    await q.query(`DROP TABLE project_grants`);
    await q.query(`DROP TABLE projects`);
  }
}
