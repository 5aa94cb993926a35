import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '../../infra/database/returning';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import {
  Delivery,
  DeliveryFilter,
  DeliveryOutcome,
  Grant,
  GrantRole,
  GrantStatus,
  Project,
  ProjectFilter,
  ProjectInput,
  ProjectStage,
  ProjectStatus,
  WithdrawalReason,
} from './projects.types';

export const isUuid = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** Postgres unique_violation, raised when a second active grant or a second delivery races in. */
const isUniqueViolation = (error: unknown, constraint: string): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505' && String((error as { constraint?: string }).constraint ?? '').includes(constraint);

interface ProjectRow {
  id: string;
  brand_organisation_id: string;
  brand_name: string;
  name: string;
  description: string;
  stage: ProjectStage;
  status: ProjectStatus;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  active_members: number;
}

const PROJECT_SELECT = `
  SELECT p.id, p.brand_organisation_id, b.name AS brand_name, p.name, p.description, p.stage, p.status, p.created_by, p.created_at, p.updated_at,
         (SELECT count(*)::int FROM project_grants g WHERE g.project_id = p.id AND g.status = 'active') AS active_members
    FROM projects p
    JOIN organisations b ON b.id = p.brand_organisation_id`;

const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  brandOrganisationId: r.brand_organisation_id,
  brandName: r.brand_name,
  name: r.name,
  description: r.description,
  stage: r.stage,
  status: r.status,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  activeMembers: Number(r.active_members),
});

interface GrantRow {
  id: string;
  project_id: string;
  project_name: string;
  user_id: string;
  user_name: string;
  user_email: string;
  user_organisation_id: string | null;
  user_organisation_name: string | null;
  role: GrantRole;
  status: GrantStatus;
  granted_by: string;
  granted_by_name: string;
  granted_at: Date;
  certificate_id: string | null;
  withdrawn_at: Date | null;
  withdrawal_reason: WithdrawalReason | null;
  withdrawal_certificate_serial: string | null;
  revoked_by: string | null;
  revoked_at: Date | null;
  revocation_reason: string | null;
  reinstates_grant_id: string | null;
  reinstated_by_grant_id: string | null;
}

const GRANT_SELECT = `
  SELECT g.id, g.project_id, p.name AS project_name, g.user_id, u.name AS user_name, u.email AS user_email,
         u.organisation_id AS user_organisation_id, o.name AS user_organisation_name, g.role, g.status,
         g.granted_by, gb.name AS granted_by_name, g.granted_at, g.certificate_id, g.withdrawn_at, g.withdrawal_reason,
         g.withdrawal_certificate_serial, g.revoked_by, g.revoked_at, g.revocation_reason, g.reinstates_grant_id,
         (SELECT r.id FROM project_grants r WHERE r.reinstates_grant_id = g.id) AS reinstated_by_grant_id
    FROM project_grants g
    JOIN projects p ON p.id = g.project_id
    JOIN users u ON u.id = g.user_id
    LEFT JOIN organisations o ON o.id = u.organisation_id
    JOIN users gb ON gb.id = g.granted_by`;

const toGrant = (r: GrantRow): Grant => ({
  id: r.id,
  projectId: r.project_id,
  projectName: r.project_name,
  userId: r.user_id,
  userName: r.user_name,
  userEmail: r.user_email,
  userOrganisationId: r.user_organisation_id,
  userOrganisationName: r.user_organisation_name,
  role: r.role,
  status: r.status,
  grantedBy: r.granted_by,
  grantedByName: r.granted_by_name,
  grantedAt: r.granted_at,
  certificateId: r.certificate_id,
  withdrawnAt: r.withdrawn_at,
  withdrawalReason: r.withdrawal_reason,
  withdrawalCertificateSerial: r.withdrawal_certificate_serial,
  revokedBy: r.revoked_by,
  revokedAt: r.revoked_at,
  revocationReason: r.revocation_reason,
  reinstatesGrantId: r.reinstates_grant_id,
  reinstatedByGrantId: r.reinstated_by_grant_id,
});

interface DeliveryRow {
  id: string;
  project_id: string;
  project_name: string;
  brand_organisation_id: string;
  brand_name: string;
  organisation_id: string;
  organisation_name: string;
  outcome: DeliveryOutcome;
  delivered_at: Date;
  note: string;
  recorded_by: string;
  recorded_by_name: string;
  recorded_at: Date;
  brand_confirmed_by: string | null;
  brand_confirmed_by_name: string | null;
  brand_confirmed_at: Date | null;
  brand_confirmed_on_behalf: boolean | null;
}

const DELIVERY_SELECT = `
  SELECT d.id, d.project_id, p.name AS project_name, p.brand_organisation_id, b.name AS brand_name, d.organisation_id, o.name AS organisation_name,
         d.outcome, d.delivered_at, d.note, d.recorded_by, rb.name AS recorded_by_name, d.recorded_at,
         d.brand_confirmed_by, cb.name AS brand_confirmed_by_name, d.brand_confirmed_at, d.brand_confirmed_on_behalf
    FROM project_deliveries d
    JOIN projects p ON p.id = d.project_id
    JOIN organisations b ON b.id = p.brand_organisation_id
    JOIN organisations o ON o.id = d.organisation_id
    JOIN users rb ON rb.id = d.recorded_by
    LEFT JOIN users cb ON cb.id = d.brand_confirmed_by`;

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  projectId: r.project_id,
  projectName: r.project_name,
  brandOrganisationId: r.brand_organisation_id,
  brandName: r.brand_name,
  organisationId: r.organisation_id,
  organisationName: r.organisation_name,
  outcome: r.outcome,
  deliveredAt: r.delivered_at,
  note: r.note,
  recordedBy: r.recorded_by,
  recordedByName: r.recorded_by_name,
  recordedAt: r.recorded_at,
  brandConfirmedBy: r.brand_confirmed_by,
  brandConfirmedByName: r.brand_confirmed_by_name,
  brandConfirmedAt: r.brand_confirmed_at,
  brandConfirmedOnBehalf: r.brand_confirmed_on_behalf,
});

/** Escapes LIKE wildcards so a search for "50%" finds "50%". */
const likeOf = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The only code that reads and writes projects, project_grants and project_deliveries. */
@Injectable()
export class ProjectsRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // ---- projects ----------------------------------------------------------------------------------

  async insertProject(manager: EntityManager, input: ProjectInput, createdBy: string): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO projects (brand_organisation_id, name, description, stage, status, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [input.brandOrganisationId, input.name, input.description, input.stage, input.status, createdBy],
    );
    return rows[0].id;
  }

  async updateProject(manager: EntityManager, id: string, changes: Partial<ProjectInput>): Promise<void> {
    const sets: string[] = ['updated_at = now()'];
    const params: unknown[] = [id];
    const columns: Record<keyof ProjectInput, string> = { brandOrganisationId: 'brand_organisation_id', name: 'name', description: 'description', stage: 'stage', status: 'status' };
    for (const [key, column] of Object.entries(columns) as [keyof ProjectInput, string][]) {
      if (changes[key] === undefined) continue;
      params.push(changes[key]);
      sets.push(`${column} = $${params.length}`);
    }
    await manager.query(`UPDATE projects SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  async findProject(id: string, manager?: EntityManager, forUpdate = false): Promise<Project | null> {
    if (!isUuid(id)) return null;
    if (forUpdate) await this.db(manager).query(`SELECT 1 FROM projects WHERE id = $1 FOR UPDATE`, [id]);
    const rows: ProjectRow[] = await this.db(manager).query(`${PROJECT_SELECT} WHERE p.id = $1`, [id]);
    return rows[0] ? toProject(rows[0]) : null;
  }

  async listProjects(filter: ProjectFilter, page: PageRequest): Promise<{ items: Project[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.q) {
      params.push(likeOf(filter.q));
      where.push(`(p.name ILIKE $${params.length} OR b.name ILIKE $${params.length})`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`p.status = $${params.length}`);
    }
    if (filter.stage) {
      params.push(filter.stage);
      where.push(`p.stage = $${params.length}`);
    }
    if (filter.brandOrganisationId) {
      params.push(filter.brandOrganisationId);
      where.push(`p.brand_organisation_id = $${params.length}`);
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM projects p JOIN organisations b ON b.id = p.brand_organisation_id ${whereSql}`,
      params,
    );
    const rows: ProjectRow[] = await this.dataSource.query(
      `${PROJECT_SELECT} ${whereSql} ORDER BY p.created_at DESC, p.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.perPage, offsetOf(page)],
    );
    return { items: rows.map(toProject), total: Number(total) };
  }

  /** The projects a person holds an active grant on, with their role. */
  async listGrantedProjects(userId: string, page: PageRequest): Promise<{ items: { project: Project; role: GrantRole; grantedAt: Date }[]; total: number }> {
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM project_grants WHERE user_id = $1 AND status = 'active'`,
      [userId],
    );
    const rows: (ProjectRow & { grant_role: GrantRole; grant_granted_at: Date })[] = await this.dataSource.query(
      `${PROJECT_SELECT.replace('SELECT p.id', 'SELECT g.role AS grant_role, g.granted_at AS grant_granted_at, p.id')}
         JOIN project_grants g ON g.project_id = p.id AND g.user_id = $1 AND g.status = 'active'
        ORDER BY g.granted_at DESC, p.id LIMIT $2 OFFSET $3`,
      [userId, page.perPage, offsetOf(page)],
    );
    return { items: rows.map((r) => ({ project: toProject(r), role: r.grant_role, grantedAt: r.grant_granted_at })), total: Number(total) };
  }

  countActiveGrantsOf(userId: string): Promise<number> {
    return this.dataSource
      .query(`SELECT count(*)::int AS n FROM project_grants WHERE user_id = $1 AND status = 'active'`, [userId])
      .then((rows: { n: number }[]) => Number(rows[0].n));
  }

  // ---- grants ------------------------------------------------------------------------------------

  async findGrant(id: string, manager?: EntityManager, forUpdate = false): Promise<Grant | null> {
    if (!isUuid(id)) return null;
    if (forUpdate) await this.db(manager).query(`SELECT 1 FROM project_grants WHERE id = $1 FOR UPDATE`, [id]);
    const rows: GrantRow[] = await this.db(manager).query(`${GRANT_SELECT} WHERE g.id = $1`, [id]);
    return rows[0] ? toGrant(rows[0]) : null;
  }

  async findActiveGrant(projectId: string, userId: string, manager?: EntityManager): Promise<Grant | null> {
    const rows: GrantRow[] = await this.db(manager).query(`${GRANT_SELECT} WHERE g.project_id = $1 AND g.user_id = $2 AND g.status = 'active'`, [projectId, userId]);
    return rows[0] ? toGrant(rows[0]) : null;
  }

  /** The person's most recent ended grant on the project (to say why they no longer have access). */
  async findLatestEndedGrant(projectId: string, userId: string): Promise<Grant | null> {
    const rows: GrantRow[] = await this.dataSource.query(
      `${GRANT_SELECT} WHERE g.project_id = $1 AND g.user_id = $2 AND g.status <> 'active'
        ORDER BY coalesce(g.withdrawn_at, g.revoked_at) DESC NULLS LAST, g.granted_at DESC LIMIT 1`,
      [projectId, userId],
    );
    return rows[0] ? toGrant(rows[0]) : null;
  }

  /** Inserts an active grant; null when the person already holds one on the project. */
  async insertGrant(
    manager: EntityManager,
    row: { projectId: string; userId: string; role: GrantRole; grantedBy: string; certificateId: string; reinstatesGrantId: string | null },
  ): Promise<string | null> {
    // A savepoint, so a lost race ends this statement only and the transaction can still say why.
    await manager.query(`SAVEPOINT project_grant_insert`);
    try {
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO project_grants (project_id, user_id, role, granted_by, certificate_id, reinstates_grant_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [row.projectId, row.userId, row.role, row.grantedBy, row.certificateId, row.reinstatesGrantId],
      );
      await manager.query(`RELEASE SAVEPOINT project_grant_insert`);
      return rows[0].id;
    } catch (error) {
      await manager.query(`ROLLBACK TO SAVEPOINT project_grant_insert`);
      if (isUniqueViolation(error, 'project_grants_one_active_idx') || isUniqueViolation(error, 'reinstates_grant_id')) return null;
      throw error;
    }
  }

  async listGrants(projectId: string, filter: { status?: GrantStatus }, page: PageRequest): Promise<{ items: Grant[]; total: number }> {
    const params: unknown[] = [projectId];
    let where = 'g.project_id = $1';
    if (filter.status) {
      params.push(filter.status);
      where += ` AND g.status = $${params.length}`;
    }
    const [{ total }]: { total: number }[] = await this.dataSource.query(`SELECT count(*)::int AS total FROM project_grants g WHERE ${where}`, params);
    // Active members first, then the history newest first.
    const rows: GrantRow[] = await this.dataSource.query(
      `${GRANT_SELECT} WHERE ${where}
        ORDER BY (g.status = 'active') DESC, coalesce(g.withdrawn_at, g.revoked_at, g.granted_at) DESC, g.id
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.perPage, offsetOf(page)],
    );
    return { items: rows.map(toGrant), total: Number(total) };
  }

  /** Active grants of a project (the team as members see it). */
  async listActiveGrants(projectId: string, limit: number): Promise<Grant[]> {
    const rows: GrantRow[] = await this.dataSource.query(`${GRANT_SELECT} WHERE g.project_id = $1 AND g.status = 'active' ORDER BY g.role, u.name LIMIT $2`, [projectId, limit]);
    return rows.map(toGrant);
  }

  /** Ends an active grant as withdrawn; false when it was no longer active. */
  async withdrawGrant(manager: EntityManager, id: string, reason: WithdrawalReason, certificateSerial: string | null): Promise<boolean> {
    const rows = returningRows<{ id: string }>(
      await manager.query(
        `UPDATE project_grants SET status = 'withdrawn', withdrawn_at = now(), withdrawal_reason = $2, withdrawal_certificate_serial = $3
          WHERE id = $1 AND status = 'active' RETURNING id`,
        [id, reason, certificateSerial],
      ),
    );
    return rows.length === 1;
  }

  async revokeGrant(manager: EntityManager, id: string, revokedBy: string, reason: string | null): Promise<boolean> {
    const rows = returningRows<{ id: string }>(
      await manager.query(
        `UPDATE project_grants SET status = 'revoked_by_staff', revoked_at = now(), revoked_by = $2, revocation_reason = $3
          WHERE id = $1 AND status = 'active' RETURNING id`,
        [id, revokedBy, reason],
      ),
    );
    return rows.length === 1;
  }

  /** People holding at least one active grant, in id order after `afterUserId` (the daily job walks them in batches). */
  async usersWithActiveGrants(afterUserId: string | null, limit: number): Promise<string[]> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT user_id FROM project_grants WHERE status = 'active' AND ($1::uuid IS NULL OR user_id > $1::uuid) ORDER BY user_id LIMIT $2`,
      [afterUserId, limit],
    );
    return rows.map((r) => r.user_id);
  }

  /** A person's active grants, locked for the rest of the transaction. */
  async lockActiveGrantsOf(manager: EntityManager, userId: string): Promise<Grant[]> {
    await manager.query(`SELECT 1 FROM project_grants WHERE user_id = $1 AND status = 'active' ORDER BY id FOR UPDATE`, [userId]);
    const rows: GrantRow[] = await manager.query(`${GRANT_SELECT} WHERE g.user_id = $1 AND g.status = 'active' ORDER BY g.granted_at`, [userId]);
    return rows.map(toGrant);
  }

  /** The ISV managers of an organisation (active accounts), who hear when their staff lose project access. */
  async isvManagersOf(manager: EntityManager, organisationId: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT u.id FROM users u JOIN organisations o ON o.id = u.organisation_id
        WHERE u.organisation_id = $1 AND o.type = 'isv' AND u.role = 'isv_manager' AND u.active ORDER BY u.id`,
      [organisationId],
    );
    return rows.map((r) => r.id);
  }

  /** The active people of a brand organisation, who are asked to confirm deliveries of its projects. */
  async brandUsersOf(manager: EntityManager, brandOrganisationId: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(`SELECT id FROM users WHERE organisation_id = $1 AND active ORDER BY id LIMIT 50`, [brandOrganisationId]);
    return rows.map((r) => r.id);
  }

  /** ISVs whose people have held a grant on the project (at any time): the ones that can have delivered it. */
  async participatingIsvs(projectId: string, manager?: EntityManager): Promise<{ id: string; name: string }[]> {
    return this.db(manager).query(
      `SELECT DISTINCT o.id, o.name FROM project_grants g JOIN users u ON u.id = g.user_id JOIN organisations o ON o.id = u.organisation_id
        WHERE g.project_id = $1 AND o.type = 'isv' ORDER BY o.name`,
      [projectId],
    );
  }

  /**
   * When a certificate was revoked — the one fact about a certificate the certificates module's
   * read side does not report, needed to say "revoked on <date>". Read-only.
   */
  async certificateRevokedAt(certificateId: string, manager?: EntityManager): Promise<Date | null> {
    const rows: { revoked_at: Date | null }[] = await this.db(manager).query(`SELECT revoked_at FROM certificates WHERE id = $1`, [certificateId]);
    return rows[0]?.revoked_at ?? null;
  }

  // ---- deliveries --------------------------------------------------------------------------------

  /** Records a delivery; null when this ISV's delivery of the project is already recorded. */
  async insertDelivery(
    manager: EntityManager,
    row: { projectId: string; organisationId: string; outcome: DeliveryOutcome; deliveredAt: Date; note: string; recordedBy: string },
  ): Promise<string | null> {
    await manager.query(`SAVEPOINT project_delivery_insert`);
    try {
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO project_deliveries (project_id, organisation_id, outcome, delivered_at, note, recorded_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [row.projectId, row.organisationId, row.outcome, row.deliveredAt, row.note, row.recordedBy],
      );
      await manager.query(`RELEASE SAVEPOINT project_delivery_insert`);
      return rows[0].id;
    } catch (error) {
      await manager.query(`ROLLBACK TO SAVEPOINT project_delivery_insert`);
      if (isUniqueViolation(error, 'project_deliveries_project_id_organisation_id')) return null;
      throw error;
    }
  }

  async findDelivery(id: string, manager?: EntityManager, forUpdate = false): Promise<Delivery | null> {
    if (!isUuid(id)) return null;
    if (forUpdate) await this.db(manager).query(`SELECT 1 FROM project_deliveries WHERE id = $1 FOR UPDATE`, [id]);
    const rows: DeliveryRow[] = await this.db(manager).query(`${DELIVERY_SELECT} WHERE d.id = $1`, [id]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async findDeliveryOf(projectId: string, organisationId: string, manager?: EntityManager): Promise<Delivery | null> {
    const rows: DeliveryRow[] = await this.db(manager).query(`${DELIVERY_SELECT} WHERE d.project_id = $1 AND d.organisation_id = $2`, [projectId, organisationId]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  /** Deliveries of one project, or of every project of one brand. */
  async listDeliveries(scope: { projectId: string } | { brandOrganisationId: string }, filter: DeliveryFilter, page: PageRequest): Promise<{ items: Delivery[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if ('projectId' in scope) {
      params.push(scope.projectId);
      where.push(`d.project_id = $${params.length}`);
    } else {
      params.push(scope.brandOrganisationId);
      where.push(`p.brand_organisation_id = $${params.length}`);
    }
    if (filter.confirmed !== undefined) where.push(filter.confirmed ? 'd.brand_confirmed_at IS NOT NULL' : 'd.brand_confirmed_at IS NULL');
    const whereSql = `WHERE ${where.join(' AND ')}`;
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM project_deliveries d JOIN projects p ON p.id = d.project_id ${whereSql}`,
      params,
    );
    // Waiting for confirmation first, then newest delivery first.
    const rows: DeliveryRow[] = await this.dataSource.query(
      `${DELIVERY_SELECT} ${whereSql} ORDER BY (d.brand_confirmed_at IS NULL) DESC, d.delivered_at DESC, d.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.perPage, offsetOf(page)],
    );
    return { items: rows.map(toDelivery), total: Number(total) };
  }

  /** Marks a delivery confirmed; false when it already was. */
  async confirmDelivery(manager: EntityManager, id: string, confirmedBy: string, onBehalf: boolean): Promise<boolean> {
    const rows = returningRows<{ id: string }>(
      await manager.query(
        `UPDATE project_deliveries SET brand_confirmed_by = $2, brand_confirmed_at = now(), brand_confirmed_on_behalf = $3
          WHERE id = $1 AND brand_confirmed_at IS NULL RETURNING id`,
        [id, confirmedBy, onBehalf],
      ),
    );
    return rows.length === 1;
  }

  /** Removes a delivery recorded by mistake; only while unconfirmed (a confirmed one has earned points). */
  async deleteUnconfirmedDelivery(manager: EntityManager, id: string): Promise<boolean> {
    const rows = returningRows<{ id: string }>(await manager.query(`DELETE FROM project_deliveries WHERE id = $1 AND brand_confirmed_at IS NULL RETURNING id`, [id]));
    return rows.length === 1;
  }
}
