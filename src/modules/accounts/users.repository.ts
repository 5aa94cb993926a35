import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DataScope } from '../../infra/http/access';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import { NewUser, User, UserChanges, UserFilter, UserWithHash } from './accounts.types';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: User['role'];
  organisation_id: string | null;
  organisation_name: string | null;
  locale: User['locale'];
  active: boolean;
  time_multiplier: string;
  created_at: Date;
  password_hash?: string;
}

const SELECT = `SELECT u.id, u.email, u.name, u.role, u.organisation_id, o.name AS organisation_name, u.locale, u.active,
                       u.time_multiplier, u.created_at, u.password_hash
                  FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id`;

function toUser(row: UserRow): UserWithHash {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    locale: row.locale,
    active: row.active,
    timeMultiplier: Number(row.time_multiplier),
    createdAt: row.created_at,
    passwordHash: row.password_hash ?? '',
  };
}

export function withoutHash(user: UserWithHash): User {
  const { passwordHash: _omit, ...rest } = user;
  return rest;
}

/** Turns a data scope into a WHERE fragment over `users u`, appending its parameters. */
export function scopeClause(scope: DataScope, params: unknown[]): string {
  switch (scope.kind) {
    case 'all':
      return 'TRUE';
    case 'organisation':
      params.push(scope.organisationId);
      return `u.organisation_id = $${params.length}`;
    case 'self':
      params.push(scope.userId);
      return `u.id = $${params.length}`;
  }
}

@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async findById(id: string, manager?: EntityManager): Promise<UserWithHash | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: UserRow[] = await this.m(manager).query(`${SELECT} WHERE u.id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findByEmail(email: string, manager?: EntityManager): Promise<UserWithHash | null> {
    const rows: UserRow[] = await this.m(manager).query(`${SELECT} WHERE lower(u.email) = lower($1)`, [email]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async emailTaken(email: string, exceptId: string | null, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await this.m(manager).query(`SELECT 1 FROM users WHERE lower(email) = lower($1) AND id IS DISTINCT FROM $2`, [
      email,
      exceptId,
    ]);
    return rows.length > 0;
  }

  async insert(user: NewUser, manager?: EntityManager): Promise<string> {
    const rows: { id: string }[] = await this.m(manager).query(
      `INSERT INTO users (email, name, role, password_hash, organisation_id, locale) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [user.email, user.name, user.role, user.passwordHash, user.organisationId, user.locale ?? 'zh-CN'],
    );
    return rows[0].id;
  }

  async update(id: string, changes: UserChanges, manager?: EntityManager): Promise<void> {
    const columns: Record<keyof UserChanges, string> = {
      name: 'name',
      email: 'email',
      role: 'role',
      organisationId: 'organisation_id',
      locale: 'locale',
      active: 'active',
      timeMultiplier: 'time_multiplier',
    };
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [key, column] of Object.entries(columns) as [keyof UserChanges, string][]) {
      if (changes[key] === undefined) continue;
      params.push(changes[key]);
      sets.push(`${column} = $${params.length}`);
    }
    if (!sets.length) return;
    await this.m(manager).query(`UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
  }

  async setPasswordHash(id: string, hash: string, manager?: EntityManager): Promise<void> {
    await this.m(manager).query(`UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1`, [
      id,
      hash,
    ]);
  }

  async countByRole(role: User['role']): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM users WHERE role = $1`, [role]);
    return Number(rows[0].n);
  }

  async list(scope: DataScope, filter: UserFilter, page: PageRequest): Promise<{ items: User[]; total: number }> {
    const params: unknown[] = [];
    const where = [scopeClause(scope, params)];
    if (filter.q) {
      params.push(`%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
      where.push(`(u.name ILIKE $${params.length} OR u.email ILIKE $${params.length})`);
    }
    if (filter.role) {
      params.push(filter.role);
      where.push(`u.role = $${params.length}`);
    }
    if (filter.organisationId) {
      params.push(filter.organisationId);
      where.push(`u.organisation_id = $${params.length}`);
    }
    if (filter.active !== undefined) {
      params.push(filter.active);
      where.push(`u.active = $${params.length}`);
    }
    const clause = where.join(' AND ');
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM users u WHERE ${clause}`, params);
    const rows: UserRow[] = await this.dataSource.query(
      `${SELECT} WHERE ${clause} ORDER BY u.name, u.email LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      params,
    );
    return { items: rows.map((r) => withoutHash(toUser(r))), total: Number(n) };
  }

  /** Ends every session of a person (deactivation, role or organisation change, password change). */
  async endSessions(userId: string, exceptSid: string | null, manager?: EntityManager): Promise<void> {
    await this.m(manager).query(`DELETE FROM http_sessions WHERE user_id = $1 AND sid IS DISTINCT FROM $2`, [userId, exceptSid]);
  }

  /** The principal a live session was signed in as (lean routes read it without building a session object). */
  async sessionPrincipal(sessionId: string): Promise<Record<string, unknown> | null> {
    const rows: { principal: Record<string, unknown> | null }[] = await this.dataSource.query(
      `SELECT data->'auth'->'principal' AS principal FROM http_sessions WHERE sid = $1 AND expires_at > now() AND user_id IS NOT NULL`,
      [sessionId],
    );
    return rows[0]?.principal ?? null;
  }
}
