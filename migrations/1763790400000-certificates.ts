import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Certificates, in-app notifications and score events.
 *
 * A certificate is issued at most once per attempt (UNIQUE attempt_id) and numbered per year
 * from a counter row (serials have no gaps and are not guessable from the verification code,
 * which is random). Every certificate owns a position in the revocation status list.
 * Notifications are stored by kind and parameters and rendered in the reader's language.
 * Score events are the ledger ISV scoring reads; they are written in the same transaction as
 * the change they describe and reach BullMQ through the outbox.
 */
export class Certificates1763790400000 implements MigrationInterface {
  name = 'Certificates1763790400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE certificate_serial_counters (year int PRIMARY KEY, last_value int NOT NULL)`);
    await q.query(`CREATE SEQUENCE certificate_status_index_seq START 1`);
    await q.query(`
      CREATE TABLE certificates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        serial varchar(40) NOT NULL UNIQUE,
        holder_id uuid NOT NULL REFERENCES users(id),
        programme varchar(40) NOT NULL DEFAULT 'TMIC-NPP',
        exam_id uuid NOT NULL REFERENCES exams(id),
        attempt_id uuid NOT NULL UNIQUE REFERENCES attempts(id),
        score_percent numeric(5,2) NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'revoked', 'superseded')),
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by uuid REFERENCES users(id),
        revocation_reason text,
        renews_id uuid REFERENCES certificates(id),
        superseded_by_id uuid REFERENCES certificates(id),
        verification_code varchar(64) NOT NULL UNIQUE,
        status_list_index int NOT NULL UNIQUE DEFAULT nextval('certificate_status_index_seq'),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (expires_at > issued_at),
        CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX certificates_holder_idx ON certificates (holder_id, issued_at DESC)`);
    await q.query(`CREATE INDEX certificates_active_expiry_idx ON certificates (expires_at) WHERE status = 'active'`);
    await q.query(`
      CREATE TABLE certificate_reminders (
        certificate_id uuid NOT NULL REFERENCES certificates(id),
        days_before int NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (certificate_id, days_before)
      )`);
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        kind varchar(60) NOT NULL,
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        link varchar(500),
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        email_status varchar(20) NOT NULL DEFAULT 'none' CHECK (email_status IN ('none', 'pending', 'sent', 'failed')),
        emailed_at timestamptz,
        email_error text
      )`);
    await q.query(`CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL`);
    await q.query(`
      CREATE TABLE score_events (
        id bigserial PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        kind varchar(40) NOT NULL,
        source_type varchar(40) NOT NULL,
        source_id uuid NOT NULL,
        user_id uuid REFERENCES users(id),
        occurred_at timestamptz NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX score_events_organisation_idx ON score_events (organisation_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE score_events`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE certificate_reminders`);
    await q.query(`DROP TABLE certificates`);
    await q.query(`DROP SEQUENCE certificate_status_index_seq`);
    await q.query(`DROP TABLE certificate_serial_counters`);
  }
}
