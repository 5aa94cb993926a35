import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '../../infra/database/returning';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import {
  ContributionKind,
  EvidenceFile,
  EvidenceItem,
  HistoryEntry,
  Submission,
  SubmissionFilter,
  SubmissionStatus,
  SubmissionType,
} from './isv-contributions.types';
import type { CheckedFile } from './submission-rules';

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** The two tables differ only in a contribution's kind and title against a product's name. */
const TABLES: Record<SubmissionType, { table: string; title: string; kind: string; fileColumn: string; auditTarget: string }> = {
  contribution: { table: 'isv_contributions', title: 'title', kind: 's.kind', fileColumn: 'contribution_id', auditTarget: 'isv_contribution' },
  product: { table: 'isv_products', title: 'name', kind: 'NULL::varchar', fileColumn: 'product_id', auditTarget: 'isv_product' },
};

/** What audit_events.target_type a record is logged under. */
export const auditTargetOf = (type: SubmissionType): string => TABLES[type].auditTarget;

interface SubmissionRow {
  type: SubmissionType;
  id: string;
  organisation_id: string;
  organisation_name: string;
  kind: ContributionKind | null;
  title: string;
  description: string;
  evidence: EvidenceItem[];
  occurred_at: Date;
  status: SubmissionStatus;
  submitted_by: string;
  submitted_by_name: string;
  submitted_at: Date;
  approved_at: Date | null;
  reviewed_by: string | null;
  reviewed_by_name: string | null;
  reviewed_at: Date | null;
  review_note: string | null;
  withdrawn_at: Date | null;
  resubmission_of_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const toSubmission = (r: SubmissionRow): Submission => ({
  type: r.type,
  id: r.id,
  organisationId: r.organisation_id,
  organisationName: r.organisation_name,
  kind: r.kind,
  title: r.title,
  description: r.description,
  evidence: r.evidence,
  occurredAt: r.occurred_at,
  status: r.status,
  submittedBy: r.submitted_by,
  submittedByName: r.submitted_by_name,
  submittedAt: r.submitted_at,
  approvedAt: r.approved_at,
  reviewedBy: r.reviewed_by,
  reviewedByName: r.reviewed_by_name,
  reviewedAt: r.reviewed_at,
  reviewNote: r.review_note,
  withdrawnAt: r.withdrawn_at,
  resubmissionOfId: r.resubmission_of_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function selectOf(type: SubmissionType): string {
  const t = TABLES[type];
  return `
    SELECT '${type}'::varchar AS type, s.id, s.organisation_id, o.name AS organisation_name, ${t.kind} AS kind, s.${t.title} AS title,
           s.description, s.evidence, s.occurred_at, s.status, s.submitted_by, su.name AS submitted_by_name, s.submitted_at,
           s.approved_at, s.reviewed_by, ru.name AS reviewed_by_name, s.reviewed_at, s.review_note, s.withdrawn_at,
           s.resubmission_of_id, s.created_at, s.updated_at
      FROM ${t.table} s
      JOIN organisations o ON o.id = s.organisation_id
      JOIN users su ON su.id = s.submitted_by
      LEFT JOIN users ru ON ru.id = s.reviewed_by`;
}

/** WHERE conditions for a list; `kind` 'product' selects products, a contribution kind selects contributions of it. */
function filterOf(type: SubmissionType, filter: SubmissionFilter, params: unknown[]): string[] | null {
  if (filter.kind === 'product' && type === 'contribution') return null;
  if (filter.kind && filter.kind !== 'product' && type === 'product') return null;
  const where: string[] = [];
  if (filter.organisationId) {
    params.push(filter.organisationId);
    where.push(`s.organisation_id = $${params.length}`);
  }
  if (filter.status) {
    params.push(filter.status);
    where.push(`s.status = $${params.length}`);
  }
  if (filter.kind && filter.kind !== 'product') {
    params.push(filter.kind);
    where.push(`s.kind = $${params.length}`);
  }
  return where;
}

@Injectable()
export class IsvContributionsRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    type: SubmissionType,
    row: { organisationId: string; kind: ContributionKind | null; title: string; description: string; occurredAt: Date; submittedBy: string; resubmissionOfId: string | null },
  ): Promise<string> {
    const rows: { id: string }[] =
      type === 'contribution'
        ? await manager.query(
            `INSERT INTO isv_contributions (organisation_id, kind, title, description, occurred_at, submitted_by, resubmission_of_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
            [row.organisationId, row.kind, row.title, row.description, row.occurredAt, row.submittedBy, row.resubmissionOfId],
          )
        : await manager.query(
            `INSERT INTO isv_products (organisation_id, name, description, occurred_at, submitted_by, resubmission_of_id)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
            [row.organisationId, row.title, row.description, row.occurredAt, row.submittedBy, row.resubmissionOfId],
          );
    return rows[0].id;
  }

  async find(type: SubmissionType, id: string, manager: EntityManager = this.dataSource.manager, forUpdate = false): Promise<Submission | null> {
    if (!isUuid(id)) return null;
    if (forUpdate) await manager.query(`SELECT 1 FROM ${TABLES[type].table} WHERE id = $1 FOR UPDATE`, [id]);
    const rows: SubmissionRow[] = await manager.query(`${selectOf(type)} WHERE s.id = $1`, [id]);
    return rows[0] ? toSubmission(rows[0]) : null;
  }

  /** Changes the fields given (only while submitted; the service checks the status under a row lock). */
  async updateFields(
    manager: EntityManager,
    type: SubmissionType,
    id: string,
    changes: { kind?: ContributionKind; title?: string; description?: string; occurredAt?: Date },
  ): Promise<void> {
    const t = TABLES[type];
    const sets: string[] = ['updated_at = now()'];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (changes.kind !== undefined && type === 'contribution') set('kind', changes.kind);
    if (changes.title !== undefined) set(t.title, changes.title);
    if (changes.description !== undefined) set('description', changes.description);
    if (changes.occurredAt !== undefined) set('occurred_at', changes.occurredAt);
    await manager.query(`UPDATE ${t.table} SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  async setEvidence(manager: EntityManager, type: SubmissionType, id: string, evidence: EvidenceItem[]): Promise<void> {
    await manager.query(`UPDATE ${TABLES[type].table} SET evidence = $2, updated_at = now() WHERE id = $1`, [id, JSON.stringify(evidence)]);
  }

  async insertFile(manager: EntityManager, type: SubmissionType, submissionId: string, organisationId: string, file: CheckedFile, uploadedBy: string): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO isv_evidence_files (organisation_id, ${TABLES[type].fileColumn}, filename, content_type, size_bytes, sha256, content, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [organisationId, submissionId, file.filename, file.contentType, file.sizeBytes, file.sha256, file.content, uploadedBy],
    );
    return rows[0].id;
  }

  /** Removes files of one record; returns the ids actually removed (ids of other records are ignored). */
  async deleteFiles(manager: EntityManager, type: SubmissionType, submissionId: string, fileIds: string[]): Promise<string[]> {
    const ids = fileIds.filter(isUuid);
    if (!ids.length) return [];
    const rows = returningRows<{ id: string }>(
      await manager.query(`DELETE FROM isv_evidence_files WHERE ${TABLES[type].fileColumn} = $1 AND id = ANY($2::uuid[]) RETURNING id`, [submissionId, ids]),
    );
    return rows.map((r) => r.id);
  }

  async findFile(id: string): Promise<EvidenceFile | null> {
    if (!isUuid(id)) return null;
    const rows: {
      id: string;
      organisation_id: string;
      contribution_id: string | null;
      product_id: string | null;
      filename: string;
      content_type: string;
      size_bytes: number;
      content: Buffer;
    }[] = await this.dataSource.query(
      `SELECT id, organisation_id, contribution_id, product_id, filename, content_type, size_bytes, content FROM isv_evidence_files WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      organisationId: r.organisation_id,
      submissionType: r.contribution_id ? 'contribution' : 'product',
      submissionId: (r.contribution_id ?? r.product_id)!,
      filename: r.filename,
      contentType: r.content_type,
      sizeBytes: r.size_bytes,
      content: r.content,
    };
  }

  async withdraw(manager: EntityManager, type: SubmissionType, id: string): Promise<void> {
    await manager.query(`UPDATE ${TABLES[type].table} SET status = 'withdrawn', withdrawn_at = now(), updated_at = now() WHERE id = $1 AND status = 'submitted'`, [id]);
  }

  async review(manager: EntityManager, type: SubmissionType, id: string, decision: { status: 'approved' | 'rejected'; reviewerId: string; note: string | null; at: Date }): Promise<void> {
    await manager.query(
      `UPDATE ${TABLES[type].table}
          SET status = $2::varchar, reviewed_by = $3, reviewed_at = $4, review_note = $5, approved_at = CASE WHEN $2::varchar = 'approved' THEN $4::timestamptz END, updated_at = now()
        WHERE id = $1 AND status = 'submitted'`,
      [id, decision.status, decision.reviewerId, decision.at, decision.note],
    );
  }

  /** One type's records, newest submission first. */
  async list(type: SubmissionType, filter: SubmissionFilter, page: PageRequest): Promise<{ items: Submission[]; total: number }> {
    const params: unknown[] = [];
    const where = filterOf(type, filter, params);
    if (!where) return { items: [], total: 0 };
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }]: { total: string }[] = await this.dataSource.query(`SELECT count(*) AS total FROM ${TABLES[type].table} s ${clause}`, params);
    const rows: SubmissionRow[] = await this.dataSource.query(
      `${selectOf(type)} ${clause} ORDER BY s.submitted_at DESC, s.id LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      params,
    );
    return { items: rows.map(toSubmission), total: Number(total) };
  }

  /** Both types together for the staff review queue; oldest submission first, so nothing waits forever. */
  async queue(filter: SubmissionFilter, page: PageRequest): Promise<{ items: Submission[]; total: number }> {
    const params: unknown[] = [];
    const parts: string[] = [];
    for (const type of ['contribution', 'product'] as const) {
      const where = filterOf(type, filter, params);
      if (where) parts.push(`${selectOf(type)} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`);
    }
    if (!parts.length) return { items: [], total: 0 };
    const union = parts.join(' UNION ALL ');
    const [{ total }]: { total: string }[] = await this.dataSource.query(`SELECT count(*) AS total FROM (${union}) q`, params);
    const rows: SubmissionRow[] = await this.dataSource.query(
      `SELECT * FROM (${union}) q ORDER BY q.submitted_at, q.id LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      params,
    );
    return { items: rows.map(toSubmission), total: Number(total) };
  }

  /** Records the given one resubmits, and those that resubmit it, oldest first (the whole chain). */
  async chain(type: SubmissionType, id: string): Promise<Submission[]> {
    const t = TABLES[type];
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH RECURSIVE up AS (
         SELECT id, resubmission_of_id, 0 AS depth FROM ${t.table} WHERE id = $1
         UNION ALL SELECT p.id, p.resubmission_of_id, up.depth + 1 FROM ${t.table} p JOIN up ON p.id = up.resubmission_of_id WHERE up.depth < 50
       ), down AS (
         SELECT id, 0 AS depth FROM ${t.table} WHERE id = $1
         UNION ALL SELECT c.id, down.depth + 1 FROM ${t.table} c JOIN down ON c.resubmission_of_id = down.id WHERE down.depth < 50
       )
       SELECT id FROM up UNION SELECT id FROM down`,
      [id],
    );
    if (rows.length <= 1) return [];
    const found: SubmissionRow[] = await this.dataSource.query(`${selectOf(type)} WHERE s.id = ANY($1::uuid[]) ORDER BY s.submitted_at, s.id`, [rows.map((r) => r.id)]);
    return found.map(toSubmission);
  }

  /**
   * The record's entries in the audit log, oldest first. Reads the audit module's table
   * directly: the log is the one complete history (who submitted, edited, withdrew, decided, with
   * the note), and an append-only table read by target is a query, not a dependency on its rules.
   */
  async history(type: SubmissionType, id: string): Promise<HistoryEntry[]> {
    const rows: { at: Date; action: string; actor_label: string | null; note: string | null }[] = await this.dataSource.query(
      `SELECT a.at, a.action, coalesce(u.name, a.actor_label) AS actor_label, a.detail->>'note' AS note
         FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id
        WHERE a.target_type = $1 AND a.target_id = $2
        ORDER BY a.at, a.id LIMIT 200`,
      [TABLES[type].auditTarget, id],
    );
    return rows.map((r) => ({ at: r.at, action: r.action, actorLabel: r.actor_label, note: r.note }));
  }

  /** Whether a later record already resubmits this one (each rejection is answered once). */
  async isResubmitted(manager: EntityManager, type: SubmissionType, id: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM ${TABLES[type].table} WHERE resubmission_of_id = $1 LIMIT 1`, [id]);
    return rows.length > 0;
  }
}
