import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Courses: course → modules → lessons, enrolments, per-lesson progress and knowledge-check
 * attempts. Lessons and modules are never deleted, only archived (`archived_at`), so learners'
 * progress rows always point at a row that still exists. Content shipped with the app is upserted
 * by its stable keys (`origin = 'content'`, `source_hash` = hash of the last imported file state).
 */
export class Courses1763790200000 implements MigrationInterface {
  name = 'Courses1763790200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE courses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key varchar(100) NOT NULL UNIQUE,
        title jsonb NOT NULL DEFAULT '{}'::jsonb,
        summary jsonb NOT NULL DEFAULT '{}'::jsonb,
        status varchar(20) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
        required_for_certification boolean NOT NULL DEFAULT false,
        origin varchar(20) NOT NULL DEFAULT 'authored' CHECK (origin IN ('content', 'authored')),
        source_hash char(64),
        published_at timestamptz,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One course is "the" required course of the certification: the eligibility rule asks for it.
    await q.query(
      `CREATE UNIQUE INDEX courses_one_required_idx ON courses ((true)) WHERE required_for_certification`,
    );
    await q.query(`
      CREATE TABLE course_modules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        course_id uuid NOT NULL REFERENCES courses(id),
        key varchar(100) NOT NULL,
        title jsonb NOT NULL DEFAULT '{}'::jsonb,
        position int NOT NULL DEFAULT 0,
        check_tags text[] NOT NULL DEFAULT '{}',
        check_questions smallint NOT NULL DEFAULT 0 CHECK (check_questions BETWEEN 0 AND 50),
        origin varchar(20) NOT NULL DEFAULT 'authored' CHECK (origin IN ('content', 'authored')),
        source_hash char(64),
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (course_id, key)
      )`);
    await q.query(`CREATE INDEX course_modules_course_idx ON course_modules (course_id, position)`);
    await q.query(`
      CREATE TABLE lessons (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        course_id uuid NOT NULL REFERENCES courses(id),
        module_id uuid NOT NULL REFERENCES course_modules(id),
        key varchar(100) NOT NULL,
        title jsonb NOT NULL DEFAULT '{}'::jsonb,
        body jsonb NOT NULL DEFAULT '{}'::jsonb,
        minutes smallint NOT NULL DEFAULT 10 CHECK (minutes BETWEEN 1 AND 600),
        attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
        videos jsonb NOT NULL DEFAULT '[]'::jsonb,
        position int NOT NULL DEFAULT 0,
        origin varchar(20) NOT NULL DEFAULT 'authored' CHECK (origin IN ('content', 'authored')),
        source_hash char(64),
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (course_id, key)
      )`);
    await q.query(`CREATE INDEX lessons_module_idx ON lessons (module_id, position)`);
    await q.query(`CREATE INDEX lessons_course_idx ON lessons (course_id)`);
    await q.query(`
      CREATE TABLE course_enrolments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        course_id uuid NOT NULL REFERENCES courses(id),
        user_id uuid NOT NULL REFERENCES users(id),
        origin varchar(20) NOT NULL DEFAULT 'self' CHECK (origin IN ('self', 'assigned')),
        assigned_by uuid REFERENCES users(id),
        assigned_at timestamptz,
        due_at timestamptz,
        enrolled_at timestamptz NOT NULL DEFAULT now(),
        last_lesson_id uuid REFERENCES lessons(id),
        last_activity_at timestamptz,
        completed_at timestamptz,
        UNIQUE (course_id, user_id)
      )`);
    await q.query(`CREATE INDEX course_enrolments_user_idx ON course_enrolments (user_id)`);
    await q.query(`
      CREATE TABLE lesson_progress (
        user_id uuid NOT NULL REFERENCES users(id),
        lesson_id uuid NOT NULL REFERENCES lessons(id),
        started_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        seconds_spent int NOT NULL DEFAULT 0 CHECK (seconds_spent >= 0),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, lesson_id)
      )`);
    await q.query(`CREATE INDEX lesson_progress_lesson_idx ON lesson_progress (lesson_id)`);
    await q.query(`
      CREATE TABLE knowledge_check_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        module_id uuid NOT NULL REFERENCES course_modules(id),
        user_id uuid NOT NULL REFERENCES users(id),
        question_count smallint NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        submitted_at timestamptz,
        score_percent smallint CHECK (score_percent BETWEEN 0 AND 100),
        passed boolean
      )`);
    await q.query(
      `CREATE INDEX knowledge_check_attempts_user_module_idx ON knowledge_check_attempts (user_id, module_id)`,
    );
    await q.query(`
      CREATE TABLE knowledge_check_answers (
        attempt_id uuid NOT NULL REFERENCES knowledge_check_attempts(id) ON DELETE CASCADE,
        position smallint NOT NULL,
        question_version_id uuid NOT NULL REFERENCES question_versions(id),
        response jsonb,
        status varchar(20),
        credit numeric(6,5),
        correct boolean,
        PRIMARY KEY (attempt_id, position)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE knowledge_check_answers`);
    await q.query(`DROP TABLE knowledge_check_attempts`);
    await q.query(`DROP TABLE lesson_progress`);
    await q.query(`DROP TABLE course_enrolments`);
    await q.query(`DROP TABLE lessons`);
    await q.query(`DROP TABLE course_modules`);
    await q.query(`DROP TABLE courses`);
  }
}
