import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the certificate lifecycle needs beyond the ledger tables of 1763790400000:
 * - holder_name: the name as certified, so the public record does not change when a profile does;
 * - evidence: what the certificate rests on (attempt, exam, score, pass mark), shown to staff and
 *   put in the Open Badges credential;
 * - an index for the staff list, which filters by status and shows the newest first.
 */
export class CertificatesLifecycle1763790410000 implements MigrationInterface {
  name = 'CertificatesLifecycle1763790410000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE certificates ADD COLUMN holder_name varchar(200)`);
    await q.query(`UPDATE certificates c SET holder_name = u.name FROM users u WHERE u.id = c.holder_id`);
    await q.query(`ALTER TABLE certificates ALTER COLUMN holder_name SET NOT NULL`);
    await q.query(`ALTER TABLE certificates ADD COLUMN evidence jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`CREATE INDEX certificates_status_issued_idx ON certificates (status, issued_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX certificates_status_issued_idx`);
    await q.query(`ALTER TABLE certificates DROP COLUMN evidence`);
    await q.query(`ALTER TABLE certificates DROP COLUMN holder_name`);
  }
}
