import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ISV contributions (ecosystem building: training, case studies, events, mentoring) and co-built
 * products, the two ISV-submitted inputs of tier scoring, plus their uploaded evidence files.
 *
 * Both are submitted by the ISV's manager and reviewed by platform staff; only `approved` rows
 * earn points (isv-scoring reads organisation_id, kind, occurred_at, approved_at). A rejected
 * submission stays as it was reviewed; a resubmission is a new row pointing at it
 * (resubmission_of_id), so every review decision keeps the exact text it judged.
 *
 * `evidence` is a JSON array of `{"type":"url","url":…}` and
 * `{"type":"file","fileId":…,"filename":…,"contentType":…,"sizeBytes":…}` items. Files live in
 * isv_evidence_files (bytea, size-limited by the service): small documents and images, kept in the
 * same transaction and backup as the record they prove, readable by every app process without a
 * shared disk. Each file belongs to exactly one contribution or product.
 */
export class IsvContributions1763790510000 implements MigrationInterface {
  name = 'IsvContributions1763790510000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE isv_contributions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        kind varchar(20) NOT NULL CHECK (kind IN ('training', 'case_study', 'event', 'mentoring')),
        title varchar(200) NOT NULL,
        description text NOT NULL,
        evidence jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(evidence) = 'array'),
        occurred_at timestamptz NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
        submitted_by uuid NOT NULL REFERENCES users(id),
        submitted_at timestamptz NOT NULL DEFAULT now(),
        approved_at timestamptz,
        reviewed_by uuid REFERENCES users(id),
        reviewed_at timestamptz,
        review_note text,
        withdrawn_at timestamptz,
        resubmission_of_id uuid REFERENCES isv_contributions(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'approved') = (approved_at IS NOT NULL)),
        CHECK ((status IN ('approved', 'rejected')) = (reviewed_at IS NOT NULL AND reviewed_by IS NOT NULL)),
        CHECK (status <> 'rejected' OR length(btrim(review_note)) > 0),
        CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX isv_contributions_organisation_idx ON isv_contributions (organisation_id, status, occurred_at DESC)`);
    await q.query(`CREATE INDEX isv_contributions_queue_idx ON isv_contributions (status, submitted_at)`);
    await q.query(`CREATE INDEX isv_contributions_resubmission_idx ON isv_contributions (resubmission_of_id) WHERE resubmission_of_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE isv_products (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        name varchar(200) NOT NULL,
        description text NOT NULL,
        evidence jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(evidence) = 'array'),
        occurred_at timestamptz NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
        submitted_by uuid NOT NULL REFERENCES users(id),
        submitted_at timestamptz NOT NULL DEFAULT now(),
        approved_at timestamptz,
        reviewed_by uuid REFERENCES users(id),
        reviewed_at timestamptz,
        review_note text,
        withdrawn_at timestamptz,
        resubmission_of_id uuid REFERENCES isv_products(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'approved') = (approved_at IS NOT NULL)),
        CHECK ((status IN ('approved', 'rejected')) = (reviewed_at IS NOT NULL AND reviewed_by IS NOT NULL)),
        CHECK (status <> 'rejected' OR length(btrim(review_note)) > 0),
        CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX isv_products_organisation_idx ON isv_products (organisation_id, status, occurred_at DESC)`);
    await q.query(`CREATE INDEX isv_products_queue_idx ON isv_products (status, submitted_at)`);
    await q.query(`CREATE INDEX isv_products_resubmission_idx ON isv_products (resubmission_of_id) WHERE resubmission_of_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE isv_evidence_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        contribution_id uuid REFERENCES isv_contributions(id) ON DELETE CASCADE,
        product_id uuid REFERENCES isv_products(id) ON DELETE CASCADE,
        filename varchar(255) NOT NULL,
        content_type varchar(100) NOT NULL,
        size_bytes int NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 10485760),
        sha256 char(64) NOT NULL,
        content bytea NOT NULL,
        uploaded_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((contribution_id IS NULL) <> (product_id IS NULL)),
        CHECK (octet_length(content) = size_bytes)
      )`);
    await q.query(`CREATE INDEX isv_evidence_files_contribution_idx ON isv_evidence_files (contribution_id) WHERE contribution_id IS NOT NULL`);
    await q.query(`CREATE INDEX isv_evidence_files_product_idx ON isv_evidence_files (product_id) WHERE product_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE isv_evidence_files`);
    await q.query(`DROP TABLE isv_products`);
    await q.query(`DROP TABLE isv_contributions`);
  }
}
