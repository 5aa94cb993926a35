import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DataScope } from '../../infra/http/access';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import { returningRows } from '../../infra/database/returning';
import { CertificateEvent, statusesAllowing } from './domain/certificate-state';
import { CertificateRecord, CertificateStatus, CertificateListFilter, StaffCertificationFilter } from './certificates.types';

interface SummaryDbRow {
  id: string;
  serial: string;
  holder_id: string;
  status: CertificateStatus;
  issued_at: Date;
  expires_at: Date;
  past_expiry: boolean;
}

interface CertificateDbRow {
  id: string;
  serial: string;
  holder_id: string;
  holder_name: string;
  holder_organisation_id: string | null;
  programme: string;
  exam_id: string;
  exam_title: Record<string, string>;
  attempt_id: string;
  score_percent: string;
  issued_at: Date;
  expires_at: Date;
  status: CertificateStatus;
  status_changed_at: Date;
  revoked_at: Date | null;
  revocation_reason: string | null;
  renews_id: string | null;
  superseded_by_id: string | null;
  verification_code: string;
  status_list_index: number;
  evidence: Record<string, unknown>;
  past_expiry: boolean;
}

const CERTIFICATE_COLUMNS = `c.id, c.serial, c.holder_id, c.holder_name, u.organisation_id AS holder_organisation_id, c.programme, c.exam_id,
  e.title AS exam_title, c.attempt_id, c.score_percent, c.issued_at, c.expires_at, c.status, c.status_changed_at, c.revoked_at,
  c.revocation_reason, c.renews_id, c.superseded_by_id, c.verification_code, c.status_list_index, c.evidence, (c.expires_at <= now()) AS past_expiry`;
const CERTIFICATE_FROM = `certificates c JOIN users u ON u.id = c.holder_id JOIN exams e ON e.id = c.exam_id`;

const toRecord = (r: CertificateDbRow): CertificateRecord => ({
  id: r.id,
  serial: r.serial,
  holderId: r.holder_id,
  holderName: r.holder_name,
  holderOrganisationId: r.holder_organisation_id,
  programme: r.programme,
  examId: r.exam_id,
  examTitle: r.exam_title,
  attemptId: r.attempt_id,
  scorePercent: Number(r.score_percent),
  issuedAt: r.issued_at,
  expiresAt: r.expires_at,
  status: r.status,
  pastExpiry: r.past_expiry,
  statusChangedAt: r.status_changed_at,
  revokedAt: r.revoked_at,
  revocationReason: r.revocation_reason,
  renewsId: r.renews_id,
  supersededById: r.superseded_by_id,
  verificationCode: r.verification_code,
  statusListIndex: r.status_list_index,
  evidence: r.evidence,
});

/** What issuance needs to know about a decided attempt (read-only; exams own these rows). */
export interface DecidedAttemptRow {
  attempt_id: string;
  state: string;
  user_id: string;
  holder_name: string;
  exam_id: string;
  exam_key: string | null;
  exam_mode: 'practice' | 'certification';
  validity_months: number | null;
  pass_mark_percent: string;
  score_percent: string | null;
  score_points: string | null;
  max_points: string | null;
  submitted_at: Date | null;
  decided_at: Date | null;
  sitting_id: string | null;
}

export interface NewCertificateRow {
  serial: string;
  holderId: string;
  holderName: string;
  examId: string;
  attemptId: string;
  scorePercent: number;
  issuedAt: Date;
  expiresAt: Date;
  verificationCode: string;
  renewsId: string | null;
  evidence: Record<string, unknown>;
}

export interface StaffCertificationDbRow {
  user_id: string;
  name: string;
  email: string;
  organisation_name: string | null;
  certificate_id: string | null;
  serial: string | null;
  status: CertificateStatus | null;
  issued_at: Date | null;
  expires_at: Date | null;
  past_expiry: boolean | null;
  certification: 'active' | 'expiring' | 'expired' | 'revoked' | 'none';
}

/** The only code in the certificates module that writes SQL. */
@Injectable()
export class CertificatesRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // ---- read side used by other modules ----

  /** The holder's active certificate whose expiry is still ahead by the database clock. */
  async findValidCertificate(userId: string, manager?: EntityManager): Promise<SummaryDbRow | null> {
    const rows: SummaryDbRow[] = await this.db(manager).query(
      `SELECT id, serial, holder_id, status, issued_at, expires_at, false AS past_expiry
         FROM certificates
        WHERE holder_id = $1 AND status = 'active' AND expires_at > now()
        ORDER BY expires_at DESC LIMIT 1`,
      [userId],
    );
    return rows[0] ?? null;
  }

  /** Each holder's latest certificate that has not been superseded by a renewal. */
  async findCurrentCertificates(userIds: string[], manager?: EntityManager): Promise<SummaryDbRow[]> {
    if (userIds.length === 0) return [];
    return this.db(manager).query(
      `SELECT DISTINCT ON (holder_id) id, serial, holder_id, status, issued_at, expires_at, (expires_at <= now()) AS past_expiry
         FROM certificates
        WHERE holder_id = ANY($1::uuid[]) AND status <> 'superseded'
        ORDER BY holder_id, issued_at DESC, created_at DESC`,
      [userIds],
    );
  }

  // ---- issuance ----

  /**
   * Serialises every certificate change of one holder (issue, renew) for the rest of the
   * transaction, so two runs of the same job, or two passes of one person, cannot interleave.
   */
  async lockHolder(holderId: string, manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('certificates:holder:' || $1::text, 0))`, [holderId]);
  }

  async findDecidedAttempt(attemptId: string, manager?: EntityManager): Promise<DecidedAttemptRow | null> {
    const rows: DecidedAttemptRow[] = await this.db(manager).query(
      `SELECT a.id AS attempt_id, a.state, a.user_id, u.name AS holder_name, a.exam_id, e.key AS exam_key, e.mode AS exam_mode,
              e.validity_months, e.pass_mark_percent, a.score_percent, a.score_points, a.max_points, a.submitted_at, a.decided_at, a.sitting_id
         FROM attempts a JOIN exams e ON e.id = a.exam_id JOIN users u ON u.id = a.user_id
        WHERE a.id = $1`,
      [attemptId],
    );
    return rows[0] ?? null;
  }

  /** The reason recorded with the attempt's latest move to 'invalidated'. */
  async invalidationReason(attemptId: string, manager?: EntityManager): Promise<{ reason: string | null; actorId: string | null } | null> {
    const rows: { reason: string | null; actor_id: string | null }[] = await this.db(manager).query(
      `SELECT reason, actor_id FROM attempt_events WHERE attempt_id = $1 AND kind = 'transition' AND to_state = 'invalidated' ORDER BY id DESC LIMIT 1`,
      [attemptId],
    );
    return rows[0] ? { reason: rows[0].reason, actorId: rows[0].actor_id } : null;
  }

  async findByAttempt(attemptId: string, manager?: EntityManager): Promise<CertificateRecord | null> {
    const rows: CertificateDbRow[] = await this.db(manager).query(`SELECT ${CERTIFICATE_COLUMNS} FROM ${CERTIFICATE_FROM} WHERE c.attempt_id = $1`, [attemptId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The holder's current certificate (latest not superseded), locked for the transaction. */
  async findCurrentForUpdate(holderId: string, manager: EntityManager): Promise<CertificateRecord | null> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM certificates WHERE holder_id = $1 AND status <> 'superseded' ORDER BY issued_at DESC, created_at DESC LIMIT 1 FOR UPDATE`,
      [holderId],
    );
    return rows[0] ? this.findById(rows[0].id, manager) : null;
  }

  /** Next number of the year's series; the counter row stays locked until commit, so serials have no gaps. */
  async nextSerialNumber(year: number, manager: EntityManager): Promise<number> {
    const rows: { last_value: number }[] = await manager.query(
      `INSERT INTO certificate_serial_counters (year, last_value) VALUES ($1, 1)
       ON CONFLICT (year) DO UPDATE SET last_value = certificate_serial_counters.last_value + 1
       RETURNING last_value`,
      [year],
    );
    return rows[0].last_value;
  }

  /** Inserts the certificate unless one exists for the attempt already; null when it did. */
  async insertCertificate(row: NewCertificateRow, manager: EntityManager): Promise<string | null> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO certificates (serial, holder_id, holder_name, exam_id, attempt_id, score_percent, issued_at, expires_at, status,
                                 status_changed_at, verification_code, renews_id, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $7, $9, $10, $11)
       ON CONFLICT (attempt_id) DO NOTHING RETURNING id`,
      [row.serial, row.holderId, row.holderName, row.examId, row.attemptId, row.scorePercent, row.issuedAt, row.expiresAt, row.verificationCode, row.renewsId, JSON.stringify(row.evidence)],
    );
    return rows[0]?.id ?? null;
  }

  // ---- transitions ----

  /**
   * Applies a transition if the certificate is in a state that allows it (the table in
   * domain/certificate-state.ts); returns false when it was not (already done, or not allowed).
   */
  async applyTransition(
    id: string,
    event: CertificateEvent,
    to: CertificateStatus,
    manager: EntityManager,
    extra: { revokedBy?: string | null; reason?: string; supersededById?: string; at?: Date } = {},
  ): Promise<boolean> {
    const at = extra.at ?? new Date();
    const result: unknown = await manager.query(
      `UPDATE certificates
          SET status = $3::varchar, status_changed_at = $4::timestamptz,
              revoked_at = CASE WHEN $3::varchar = 'revoked' THEN $4::timestamptz ELSE revoked_at END,
              revoked_by = CASE WHEN $3::varchar = 'revoked' THEN $5::uuid ELSE revoked_by END,
              revocation_reason = CASE WHEN $3::varchar = 'revoked' THEN $6::text ELSE revocation_reason END,
              superseded_by_id = COALESCE($7::uuid, superseded_by_id)
        WHERE id = $1 AND status = ANY($2::text[])
        RETURNING id`,
      [id, statusesAllowing(event), to, at, extra.revokedBy ?? null, extra.reason ?? null, extra.supersededById ?? null],
    );
    return returningRows<{ id: string }>(result).length === 1;
  }

  /** Active certificates past their expiry, locked (others running the job skip them). */
  async lockDueForExpiry(limit: number, manager: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM certificates WHERE status = 'active' AND expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /** Active certificates expiring within `days`, after the id cursor, with the reminders already sent. */
  async expiringWithin(days: number, afterId: string | null, limit: number): Promise<{ id: string; expiresAt: Date; sentDays: number[] }[]> {
    const rows: { id: string; expires_at: Date; sent: number[] }[] = await this.dataSource.query(
      `SELECT c.id, c.expires_at, COALESCE(array_agg(r.days_before) FILTER (WHERE r.days_before IS NOT NULL), '{}') AS sent
         FROM certificates c LEFT JOIN certificate_reminders r ON r.certificate_id = c.id
        WHERE c.status = 'active' AND c.expires_at > now() AND c.expires_at <= now() + make_interval(days => $1)
          AND ($2::uuid IS NULL OR c.id > $2::uuid)
        GROUP BY c.id ORDER BY c.id LIMIT $3`,
      [days, afterId, limit],
    );
    return rows.map((r) => ({ id: r.id, expiresAt: r.expires_at, sentDays: r.sent.map(Number) }));
  }

  /** Records a reminder as sent; false when it had been (the primary key keeps it once). */
  async recordReminder(certificateId: string, daysBefore: number, manager: EntityManager): Promise<boolean> {
    const rows: { certificate_id: string }[] = await manager.query(
      `INSERT INTO certificate_reminders (certificate_id, days_before) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING certificate_id`,
      [certificateId, daysBefore],
    );
    return rows.length === 1;
  }

  // ---- demo seed ----

  async examIdByKey(key: string): Promise<string | null> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM exams WHERE key = $1`, [key]);
    return rows[0]?.id ?? null;
  }

  /**
   * The one attempt row this module ever writes: a stand-in passed attempt for the demo seed
   * (`npm run demo`), so demo certificates go through the real issuance. Never used by the app.
   */
  async createDemoPassedAttempt(input: { examId: string; userId: string; decidedAt: Date; scorePercent: number }): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      `INSERT INTO attempts (exam_id, user_id, state, seed, started_at, submitted_at, submitted_by, score_points, max_points, score_percent, passed, decided_at)
       VALUES ($1, $2, 'passed', 1, $3::timestamptz - interval '50 minutes', $3::timestamptz - interval '5 minutes', 'candidate', $4, 40, $5, true, $3) RETURNING id`,
      [input.examId, input.userId, input.decidedAt, (input.scorePercent * 40) / 100, input.scorePercent],
    );
    return rows[0].id;
  }

  // ---- reads for pages ----

  async findById(id: string, manager?: EntityManager): Promise<CertificateRecord | null> {
    const rows: CertificateDbRow[] = await this.db(manager).query(`SELECT ${CERTIFICATE_COLUMNS} FROM ${CERTIFICATE_FROM} WHERE c.id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findByVerificationCode(code: string): Promise<CertificateRecord | null> {
    const rows: CertificateDbRow[] = await this.dataSource.query(`SELECT ${CERTIFICATE_COLUMNS} FROM ${CERTIFICATE_FROM} WHERE c.verification_code = $1`, [code]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findByHolder(holderId: string): Promise<CertificateRecord[]> {
    const rows: CertificateDbRow[] = await this.dataSource.query(
      `SELECT ${CERTIFICATE_COLUMNS} FROM ${CERTIFICATE_FROM} WHERE c.holder_id = $1 ORDER BY c.issued_at DESC, c.created_at DESC`,
      [holderId],
    );
    return rows.map(toRecord);
  }

  /** Staff list: search by serial or holder name, filter by status (as the clock implies it). */
  async list(filter: CertificateListFilter, page: PageRequest): Promise<{ items: CertificateRecord[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.q) {
      params.push(`%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
      where.push(`(c.serial ILIKE $${params.length} OR c.holder_name ILIKE $${params.length})`);
    }
    if (filter.status) {
      if (filter.status === 'active') where.push(`(c.status = 'active' AND c.expires_at > now())`);
      else if (filter.status === 'expired') where.push(`(c.status = 'expired' OR (c.status = 'active' AND c.expires_at <= now()))`);
      else {
        params.push(filter.status);
        where.push(`c.status = $${params.length}`);
      }
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    params.push(page.perPage, offsetOf(page));
    const rows: (CertificateDbRow & { total_count: string })[] = await this.dataSource.query(
      `SELECT ${CERTIFICATE_COLUMNS}, count(*) OVER () AS total_count FROM ${CERTIFICATE_FROM} ${clause}
        ORDER BY c.issued_at DESC, c.id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { items: rows.map(toRecord), total: rows[0] ? Number(rows[0].total_count) : 0 };
  }

  /**
   * People in scope × their current certificate, classified as the ISV manager's table shows it:
   * active / expiring (active, within `expiringDays`) / expired / revoked / none. The scope is
   * applied in the query, never after it.
   */
  async staffCertification(
    scope: DataScope,
    filter: StaffCertificationFilter,
    expiringDays: number,
    page: PageRequest,
  ): Promise<{ items: StaffCertificationDbRow[]; total: number }> {
    const params: unknown[] = [expiringDays];
    const where: string[] = [`u.active`, `u.role IN ('candidate', 'isv_manager')`];
    if (scope.kind === 'organisation') {
      params.push(scope.organisationId);
      where.push(`u.organisation_id = $${params.length}`);
    } else if (scope.kind === 'self') {
      params.push(scope.userId);
      where.push(`u.id = $${params.length}`);
    } else if (filter.organisationId) {
      params.push(filter.organisationId);
      where.push(`u.organisation_id = $${params.length}`);
    }
    if (filter.q) {
      params.push(`%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
      where.push(`(u.name ILIKE $${params.length} OR u.email ILIKE $${params.length})`);
    }
    const classified = `
      SELECT u.id AS user_id, u.name, u.email, o.name AS organisation_name, cur.id AS certificate_id, cur.serial, cur.status,
             cur.issued_at, cur.expires_at, (cur.expires_at <= now()) AS past_expiry,
             CASE WHEN cur.id IS NULL THEN 'none'
                  WHEN cur.status = 'revoked' THEN 'revoked'
                  WHEN cur.status = 'expired' OR cur.expires_at <= now() THEN 'expired'
                  WHEN cur.expires_at <= now() + make_interval(days => $1) THEN 'expiring'
                  ELSE 'active' END AS certification
        FROM users u
        LEFT JOIN organisations o ON o.id = u.organisation_id
        LEFT JOIN LATERAL (
          SELECT id, serial, status, issued_at, expires_at FROM certificates
           WHERE holder_id = u.id AND status <> 'superseded' ORDER BY issued_at DESC, created_at DESC LIMIT 1
        ) cur ON true
       WHERE ${where.join(' AND ')}`;
    let statusClause = '';
    if (filter.certification) {
      params.push(filter.certification);
      statusClause = `WHERE certification = $${params.length}`;
    }
    params.push(page.perPage, offsetOf(page));
    const rows: (StaffCertificationDbRow & { total_count: string })[] = await this.dataSource.query(
      `SELECT x.*, count(*) OVER () AS total_count FROM (${classified}) x ${statusClause}
        ORDER BY x.name, x.user_id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { items: rows, total: rows[0] ? Number(rows[0].total_count) : 0 };
  }

  /** Positions of revoked certificates in the status list, and the highest position handed out. */
  async revocationStatusList(): Promise<{ revoked: number[]; maxIndex: number }> {
    const rows: { revoked: number[] | null; max_index: number | null }[] = await this.dataSource.query(
      `SELECT array_agg(status_list_index ORDER BY status_list_index) FILTER (WHERE status = 'revoked') AS revoked, max(status_list_index) AS max_index FROM certificates`,
    );
    return { revoked: (rows[0]?.revoked ?? []).map(Number), maxIndex: Number(rows[0]?.max_index ?? 0) };
  }
}
