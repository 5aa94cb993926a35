import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import { Organisation, OrganisationType } from './organisations.types';

interface OrganisationRow {
  id: string;
  name: string;
  type: OrganisationType;
  active: boolean;
  member_count: string;
  created_at: Date;
}

const toOrganisation = (r: OrganisationRow): Organisation => ({
  id: r.id,
  name: r.name,
  type: r.type,
  active: r.active,
  memberCount: Number(r.member_count),
  createdAt: r.created_at,
});

const SELECT = `SELECT o.id, o.name, o.type, o.active, o.created_at,
                       (SELECT count(*) FROM users u WHERE u.organisation_id = o.id) AS member_count
                  FROM organisations o`;

@Injectable()
export class OrganisationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async findById(id: string, manager?: EntityManager): Promise<Organisation | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: OrganisationRow[] = await this.m(manager).query(`${SELECT} WHERE o.id = $1`, [id]);
    return rows[0] ? toOrganisation(rows[0]) : null;
  }

  async findByName(name: string, manager?: EntityManager): Promise<Organisation | null> {
    const rows: OrganisationRow[] = await this.m(manager).query(`${SELECT} WHERE lower(o.name) = lower($1)`, [name]);
    return rows[0] ? toOrganisation(rows[0]) : null;
  }

  async insert(name: string, type: OrganisationType, manager?: EntityManager): Promise<string> {
    const rows: { id: string }[] = await this.m(manager).query(`INSERT INTO organisations (name, type) VALUES ($1, $2) RETURNING id`, [name, type]);
    return rows[0].id;
  }

  async update(id: string, changes: { name?: string; type?: OrganisationType; active?: boolean }, manager?: EntityManager): Promise<void> {
    await this.m(manager).query(
      `UPDATE organisations SET name = coalesce($2, name), type = coalesce($3::organisation_type, type), active = coalesce($4, active), updated_at = now() WHERE id = $1`,
      [id, changes.name ?? null, changes.type ?? null, changes.active ?? null],
    );
  }

  async list(filter: { q?: string; type?: OrganisationType }, page: PageRequest): Promise<{ items: Organisation[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = ['TRUE'];
    if (filter.q) {
      params.push(`%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
      where.push(`o.name ILIKE $${params.length}`);
    }
    if (filter.type) {
      params.push(filter.type);
      where.push(`o.type = $${params.length}`);
    }
    const clause = where.join(' AND ');
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM organisations o WHERE ${clause}`, params);
    const rows: OrganisationRow[] = await this.dataSource.query(
      `${SELECT} WHERE ${clause} ORDER BY o.name LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      params,
    );
    return { items: rows.map(toOrganisation), total: Number(n) };
  }

  /** For pick lists in forms: active organisations, by name. */
  async listActiveOptions(): Promise<{ id: string; name: string; type: OrganisationType }[]> {
    return this.dataSource.query(`SELECT id, name, type FROM organisations WHERE active ORDER BY name LIMIT 1000`);
  }
}
