import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import { AuditEvent, AuditEventInput, AuditFilter } from './audit.types';

interface AuditRow {
  id: string;
  at: Date;
  action: string;
  actor_id: string | null;
  actor_label: string | null;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  organisation_id: string | null;
  ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
}

const toEvent = (r: AuditRow): AuditEvent => ({
  id: r.id,
  at: r.at,
  action: r.action,
  actorId: r.actor_id,
  actorLabel: r.actor_label,
  targetType: r.target_type,
  targetId: r.target_id,
  targetLabel: r.target_label,
  organisationId: r.organisation_id,
  ip: r.ip,
  requestId: r.request_id,
  detail: r.detail,
});

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(event: AuditEventInput, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO audit_events (action, actor_id, actor_label, target_type, target_id, target_label, organisation_id, ip, request_id, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        event.action,
        event.actorId ?? null,
        event.actorLabel ?? null,
        event.targetType ?? null,
        event.targetId ?? null,
        event.targetLabel ?? null,
        event.organisationId ?? null,
        event.ip ?? null,
        event.requestId ?? null,
        JSON.stringify(event.detail ?? {}),
      ],
    );
  }

  /** Failed sign-ins for an email since its last successful sign-in, within the window. */
  async countLoginFailuresForAccount(email: string, since: Date): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM audit_events
        WHERE action = 'auth.login_failed' AND lower(target_label) = lower($1) AND at > $2
          AND at > coalesce((SELECT max(at) FROM audit_events
                              WHERE action = 'auth.login' AND lower(target_label) = lower($1) AND at > $2), '-infinity')`,
      [email, since],
    );
    return Number(rows[0].n);
  }

  async countLoginFailuresFromIp(ip: string, since: Date): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM audit_events WHERE action = 'auth.login_failed' AND ip = $1 AND at > $2`,
      [ip, since],
    );
    return Number(rows[0].n);
  }

  async list(filter: AuditFilter, page: PageRequest): Promise<{ items: AuditEvent[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.action) add('action = ?', filter.action);
    if (filter.actor) add('actor_label ILIKE ?', `%${filter.actor}%`);
    if (filter.target) {
      params.push(`%${filter.target}%`, filter.target);
      where.push(`(target_label ILIKE $${params.length - 1} OR target_id = $${params.length})`);
    }
    if (filter.from) add('at >= ?', filter.from);
    if (filter.to) add('at < ?', filter.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM audit_events ${clause}`, params);
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT * FROM audit_events ${clause} ORDER BY at DESC, id DESC LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      params,
    );
    return { items: rows.map(toEvent), total: Number(n) };
  }
}
