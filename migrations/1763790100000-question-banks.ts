import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Question banks: banks → questions → immutable versions. A question's identity is
 * (bank, external_id); every change of content adds a version; attempts pin a version id.
 * Filter columns (type, difficulty, tags, search text) are copied from the current version.
 */
export class QuestionBanks1763790100000 implements MigrationInterface {
  name = 'QuestionBanks1763790100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE question_status AS ENUM ('active', 'retired')`);
    await q.query(`
      CREATE TABLE question_banks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL UNIQUE,
        title jsonb NOT NULL DEFAULT '{}'::jsonb,
        description jsonb,
        language varchar(10) NOT NULL DEFAULT 'zh-CN',
        source varchar(500),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE questions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bank_id uuid NOT NULL REFERENCES question_banks(id) ON DELETE CASCADE,
        external_id varchar(200) NOT NULL,
        status question_status NOT NULL DEFAULT 'active',
        current_version_id uuid,
        current_version int NOT NULL DEFAULT 1,
        content_hash char(64) NOT NULL,
        type varchar(20) NOT NULL,
        difficulty smallint,
        tags text[] NOT NULL DEFAULT '{}',
        languages text[] NOT NULL DEFAULT '{}',
        search_text text NOT NULL DEFAULT '',
        position int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (bank_id, external_id)
      )`);
    await q.query(`CREATE INDEX questions_bank_position_idx ON questions (bank_id, position)`);
    await q.query(`CREATE INDEX questions_tags_idx ON questions USING gin (tags)`);
    await q.query(`CREATE INDEX questions_type_difficulty_idx ON questions (type, difficulty)`);
    await q.query(`
      CREATE TABLE question_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        question_id uuid NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        version int NOT NULL,
        content jsonb NOT NULL,
        content_hash char(64) NOT NULL,
        source varchar(20) NOT NULL,
        created_by uuid REFERENCES users(id),
        note varchar(500),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (question_id, version)
      )`);
    // Versions are evidence of what a candidate saw: never changed once written.
    await q.query(`
      CREATE FUNCTION question_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'question versions are immutable: add a new version instead'; END $$`);
    await q.query(`
      CREATE TRIGGER question_versions_no_update BEFORE UPDATE ON question_versions
      FOR EACH ROW EXECUTE FUNCTION question_versions_immutable()`);
    await q.query(`ALTER TABLE questions ADD CONSTRAINT questions_current_version_fk FOREIGN KEY (current_version_id) REFERENCES question_versions(id) DEFERRABLE INITIALLY DEFERRED`);
    await q.query(`
      CREATE TABLE bank_uploads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        file_name varchar(300) NOT NULL,
        bank_name varchar(100),
        content bytea NOT NULL,
        uploaded_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        imported_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bank_uploads`);
    await q.query(`ALTER TABLE questions DROP CONSTRAINT questions_current_version_fk`);
    await q.query(`DROP TRIGGER question_versions_no_update ON question_versions`);
    await q.query(`DROP FUNCTION question_versions_immutable`);
    await q.query(`DROP TABLE question_versions`);
    await q.query(`DROP TABLE questions`);
    await q.query(`DROP TABLE question_banks`);
    await q.query(`DROP TYPE question_status`);
  }
}
