import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exams, sittings and attempts. Answers live one row per attempt item and are saved with a
 * client sequence number (the highest wins); every state change, integrity signal and proctor
 * action is an attempt event (the timeline). The deadline is stored, not derived on the client.
 */
export class Exams1763790300000 implements MigrationInterface {
  name = 'Exams1763790300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key varchar(100) UNIQUE,
        title jsonb NOT NULL,
        description jsonb,
        mode varchar(20) NOT NULL CHECK (mode IN ('practice', 'certification')),
        status varchar(20) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
        time_limit_seconds int NOT NULL CHECK (time_limit_seconds BETWEEN 1 AND 36000),
        pass_mark_percent numeric(5,2) NOT NULL CHECK (pass_mark_percent BETWEEN 0 AND 100),
        attempts_allowed int CHECK (attempts_allowed IS NULL OR attempts_allowed >= 1),
        cooldown_hours int NOT NULL DEFAULT 0 CHECK (cooldown_hours >= 0),
        requires_course boolean NOT NULL DEFAULT false,
        shuffle_questions boolean NOT NULL DEFAULT true,
        shuffle_options boolean NOT NULL DEFAULT true,
        review_policy varchar(20) NOT NULL DEFAULT 'score' CHECK (review_policy IN ('nothing', 'score', 'breakdown', 'responses')),
        review_from varchar(20) NOT NULL DEFAULT 'graded' CHECK (review_from IN ('graded', 'sitting_closed')),
        validity_months int CHECK (validity_months IS NULL OR validity_months BETWEEN 1 AND 120),
        grace_seconds int NOT NULL DEFAULT 15 CHECK (grace_seconds BETWEEN 0 AND 120),
        integrity_thresholds jsonb NOT NULL DEFAULT '{}'::jsonb,
        published_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE exam_sections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        exam_id uuid NOT NULL REFERENCES exams(id) ON DELETE CASCADE,
        position int NOT NULL,
        title jsonb NOT NULL DEFAULT '{}'::jsonb,
        bank_id uuid REFERENCES question_banks(id),
        tags text[] NOT NULL,
        types text[] NOT NULL DEFAULT '{}',
        difficulties smallint[] NOT NULL DEFAULT '{}',
        question_count int NOT NULL CHECK (question_count >= 1),
        points_each int NOT NULL DEFAULT 1 CHECK (points_each >= 1),
        UNIQUE (exam_id, position)
      )`);
    await q.query(`
      CREATE TABLE sittings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        exam_id uuid NOT NULL REFERENCES exams(id),
        title varchar(200) NOT NULL,
        opens_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL,
        capacity int NOT NULL CHECK (capacity >= 1),
        access_code varchar(32) NOT NULL,
        auto_admit boolean NOT NULL DEFAULT false,
        stagger_seconds int NOT NULL DEFAULT 0 CHECK (stagger_seconds BETWEEN 0 AND 600),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (closes_at > opens_at)
      )`);
    await q.query(`
      CREATE TABLE sitting_proctors (
        sitting_id uuid NOT NULL REFERENCES sittings(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id),
        PRIMARY KEY (sitting_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        exam_id uuid NOT NULL REFERENCES exams(id),
        user_id uuid NOT NULL REFERENCES users(id),
        sitting_id uuid REFERENCES sittings(id),
        state varchar(20) NOT NULL,
        seed int NOT NULL,
        time_multiplier numeric(4,2) NOT NULL DEFAULT 1,
        registered_at timestamptz NOT NULL DEFAULT now(),
        admitted_at timestamptz,
        identity_check jsonb,
        not_before timestamptz,
        started_at timestamptz,
        deadline_at timestamptz,
        paused_at timestamptz,
        added_seconds int NOT NULL DEFAULT 0,
        submitted_at timestamptz,
        submitted_by varchar(20),
        receipt_sha256 char(64),
        answered_count int,
        score_points numeric(10,3),
        max_points numeric(10,3),
        score_percent numeric(5,2),
        passed boolean,
        topic_scores jsonb,
        flagged boolean NOT NULL DEFAULT false,
        flag_reasons text[] NOT NULL DEFAULT '{}',
        client_session varchar(64),
        last_seen_at timestamptz,
        last_ip inet,
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX attempts_user_exam_idx ON attempts (user_id, exam_id, created_at DESC)`);
    await q.query(`CREATE INDEX attempts_sitting_idx ON attempts (sitting_id, state)`);
    await q.query(`CREATE INDEX attempts_open_deadline_idx ON attempts (deadline_at) WHERE state IN ('in_progress', 'paused')`);
    await q.query(`CREATE INDEX attempts_review_idx ON attempts (state) WHERE state = 'under_review'`);
    // One live attempt per person and exam: a retried "start" finds the same attempt.
    await q.query(`CREATE UNIQUE INDEX attempts_one_live_idx ON attempts (user_id, exam_id) WHERE state IN ('registered', 'admitted', 'in_progress', 'paused')`);
    await q.query(`
      CREATE TABLE attempt_items (
        attempt_id uuid NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        position int NOT NULL,
        item_id varchar(24) NOT NULL,
        section_id uuid NOT NULL REFERENCES exam_sections(id),
        question_id uuid NOT NULL REFERENCES questions(id),
        question_version_id uuid NOT NULL REFERENCES question_versions(id),
        points int NOT NULL,
        topic varchar(100) NOT NULL,
        response jsonb,
        seq bigint NOT NULL DEFAULT 0,
        saved_at timestamptz,
        marked boolean NOT NULL DEFAULT false,
        credit numeric(7,6),
        grade_status varchar(20),
        scored_by uuid REFERENCES users(id),
        scored_at timestamptz,
        PRIMARY KEY (attempt_id, position),
        UNIQUE (attempt_id, item_id)
      )`);
    await q.query(`CREATE INDEX attempt_items_essays_idx ON attempt_items (grade_status) WHERE grade_status = 'needs_human'`);
    await q.query(`CREATE INDEX attempt_items_question_idx ON attempt_items (question_id)`);
    await q.query(`
      CREATE TABLE attempt_events (
        id bigserial PRIMARY KEY,
        attempt_id uuid NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        kind varchar(20) NOT NULL CHECK (kind IN ('transition', 'signal', 'proctor', 'message', 'note')),
        type varchar(40) NOT NULL,
        actor_id uuid REFERENCES users(id),
        from_state varchar(20),
        to_state varchar(20),
        reason text,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX attempt_events_attempt_idx ON attempt_events (attempt_id, id)`);
    await q.query(`
      CREATE TABLE attempt_appeals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        attempt_id uuid NOT NULL UNIQUE REFERENCES attempts(id),
        reason text NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected')),
        resolution text,
        resolved_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['attempt_appeals', 'attempt_events', 'attempt_items', 'attempts', 'sitting_proctors', 'sittings', 'exam_sections', 'exams']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
