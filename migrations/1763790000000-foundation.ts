import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foundation: organisations, people, server-side sessions, personal API tokens, the append-only
 * audit log and the transactional outbox that later modules use to reach BullMQ after commit.
 */
export class Foundation1763790000000 implements MigrationInterface {
  name = 'Foundation1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`CREATE TYPE organisation_type AS ENUM ('isv', 'brand')`);
    await q.query(`CREATE TYPE user_role AS ENUM ('candidate', 'isv_manager', 'proctor', 'platform_staff')`);
    await q.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        type organisation_type NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name))`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL,
        name varchar(200) NOT NULL,
        password_hash text NOT NULL,
        role user_role NOT NULL DEFAULT 'candidate',
        organisation_id uuid REFERENCES organisations(id),
        locale varchar(10) NOT NULL DEFAULT 'zh-CN',
        active boolean NOT NULL DEFAULT true,
        time_multiplier numeric(4,2) NOT NULL DEFAULT 1.00 CHECK (time_multiplier >= 1 AND time_multiplier <= 4),
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`CREATE INDEX users_organisation_idx ON users (organisation_id)`);
    await q.query(`
      CREATE TABLE http_sessions (
        sid varchar(128) PRIMARY KEY,
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        data jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX http_sessions_user_idx ON http_sessions (user_id)`);
    await q.query(`CREATE INDEX http_sessions_expires_idx ON http_sessions (expires_at)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        token_prefix varchar(16) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`);
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        action varchar(64) NOT NULL,
        actor_id uuid,
        actor_label varchar(254),
        target_type varchar(40),
        target_id varchar(64),
        target_label varchar(254),
        organisation_id uuid,
        ip inet,
        request_id varchar(64),
        detail jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_events_at_idx ON audit_events (at DESC)`);
    await q.query(`CREATE INDEX audit_events_action_at_idx ON audit_events (action, at DESC)`);
    await q.query(`CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id, at DESC)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at DESC)`);
    await q.query(`CREATE INDEX audit_events_login_failed_label_idx ON audit_events (lower(target_label), at DESC) WHERE action IN ('auth.login_failed', 'auth.login')`);
    await q.query(`CREATE INDEX audit_events_login_failed_ip_idx ON audit_events (ip, at DESC) WHERE action = 'auth.login_failed'`);
    // Append-only: the audit log is evidence; nothing may change or remove a row.
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        job_name varchar(80) NOT NULL,
        job_id varchar(200),
        payload jsonb NOT NULL,
        delay_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE relayed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TRIGGER audit_events_no_update_delete ON audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE api_tokens`);
    await q.query(`DROP TABLE http_sessions`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE organisations`);
    await q.query(`DROP TYPE user_role`);
    await q.query(`DROP TYPE organisation_type`);
  }
}
