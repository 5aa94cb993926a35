import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Dimension } from './domain/rules';
import type { ScoreRecord, ScoreSource } from './domain/score';

/** Lower bounds on when a record must have happened to possibly count (from the rules' windows). */
export interface InputWindows {
  projectsSince: Date;
  ecosystemSince: Date;
  coBuiltSince: Date;
}

interface InputRow {
  organisation_id: string;
  dimension: Dimension;
  id: string;
  person_id: string | null;
  occurred_at: Date;
  valid_until: Date | null;
  variant: string | null;
}

/**
 * The scoring read model: the one place isv-scoring reads other modules' tables, read-only, as
 * one set-based statement for any number of ISVs (one ISV on an event, a few hundred per chunk
 * in the full recompute). What counts, per dimension:
 *
 * - certification — `certificates` (certificates module) with status 'active' and expires_at
 *   after the cut-off, held by an active person whose organisation_id is the ISV; one row per
 *   person (their longest-lasting certificate);
 * - projects — `project_deliveries` (projects module) confirmed by the brand
 *   (brand_confirmed_at IS NOT NULL), variant = outcome;
 * - ecosystem — `isv_contributions` (isv-contributions module) with status 'approved',
 *   variant = kind;
 * - co-built — `isv_products` (isv-contributions module) with status 'approved'.
 *
 * Windows are applied here only as a lower bound (to read less); the scoring function decides.
 * The indexes it relies on: certificates_holder_idx, users_organisation_idx,
 * isv_contributions_organisation_idx, isv_products_organisation_idx and the projects module's
 * index on project_deliveries (organisation_id).
 */
@Injectable()
export class ScoreInputsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async recordsOf(manager: EntityManager, organisationIds: string[], cutoff: Date, windows: InputWindows): Promise<Map<string, ScoreRecord[]>> {
    const rows: InputRow[] = await manager.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (c.holder_id) u.organisation_id, 'certification' AS dimension, c.id, c.holder_id AS person_id,
                c.issued_at AS occurred_at, c.expires_at AS valid_until, NULL::text AS variant
           FROM users u JOIN certificates c ON c.holder_id = u.id
          WHERE u.organisation_id = ANY($1::uuid[]) AND u.active AND c.status = 'active' AND c.expires_at > $2
          ORDER BY c.holder_id, c.expires_at DESC, c.id
       ) certified
       UNION ALL
       SELECT d.organisation_id, 'projects', d.id, NULL, d.delivered_at, NULL, d.outcome::text
         FROM project_deliveries d
        WHERE d.organisation_id = ANY($1::uuid[]) AND d.brand_confirmed_at IS NOT NULL AND d.delivered_at > $3
       UNION ALL
       SELECT k.organisation_id, 'ecosystem', k.id, NULL, k.occurred_at, NULL, k.kind::text
         FROM isv_contributions k
        WHERE k.organisation_id = ANY($1::uuid[]) AND k.status = 'approved' AND k.occurred_at > $4
       UNION ALL
       SELECT p.organisation_id, 'coBuilt', p.id, NULL, p.occurred_at, NULL, NULL
         FROM isv_products p
        WHERE p.organisation_id = ANY($1::uuid[]) AND p.status = 'approved' AND p.occurred_at > $5`,
      [organisationIds, cutoff, windows.projectsSince, windows.ecosystemSince, windows.coBuiltSince],
    );
    const byOrganisation = new Map<string, ScoreRecord[]>(organisationIds.map((id) => [id, []]));
    for (const row of rows) {
      byOrganisation.get(row.organisation_id)?.push({
        dimension: row.dimension,
        id: row.id,
        personId: row.person_id,
        occurredAt: new Date(row.occurred_at),
        validUntil: row.valid_until ? new Date(row.valid_until) : null,
        variant: row.variant,
      });
    }
    return byOrganisation;
  }

  /**
   * What each scored item is, for people: a certificate's serial, holder and verification code, a
   * project's name, a contribution's title, a product's name. Display only (the dashboard), never
   * on the recompute path.
   */
  async describe(items: { source: ScoreSource; id: string }[]): Promise<Map<string, ItemDescription>> {
    const ids = (source: ScoreSource) => [...new Set(items.filter((i) => i.source === source).map((i) => i.id))];
    const result = new Map<string, ItemDescription>();
    const certificateIds = ids('certificate');
    if (certificateIds.length) {
      const rows: { id: string; serial: string; verification_code: string; holder_name: string; holder_id: string }[] = await this.dataSource.query(
        `SELECT c.id, c.serial, c.verification_code, u.name AS holder_name, u.id AS holder_id FROM certificates c JOIN users u ON u.id = c.holder_id WHERE c.id = ANY($1::uuid[])`,
        [certificateIds],
      );
      for (const r of rows) result.set(r.id, { title: r.holder_name, detail: r.serial, link: `/verify/${encodeURIComponent(r.verification_code)}`, staffOnly: false });
    }
    const deliveryIds = ids('project');
    if (deliveryIds.length) {
      const rows: { id: string; project_id: string; name: string; brand: string }[] = await this.dataSource.query(
        `SELECT d.id, d.project_id, p.name, b.name AS brand
           FROM project_deliveries d JOIN projects p ON p.id = d.project_id JOIN organisations b ON b.id = p.brand_organisation_id
          WHERE d.id = ANY($1::uuid[])`,
        [deliveryIds],
      );
      // The project pages are for its team and staff; an ISV manager sees the name and brand here.
      for (const r of rows) result.set(r.id, { title: r.name, detail: r.brand, link: `/projects/${r.project_id}/deliveries`, staffOnly: true });
    }
    const contributionIds = ids('contribution');
    if (contributionIds.length) {
      const rows: { id: string; title: string }[] = await this.dataSource.query(`SELECT id, title FROM isv_contributions WHERE id = ANY($1::uuid[])`, [contributionIds]);
      for (const r of rows) result.set(r.id, { title: r.title, detail: '', link: `/isv/contributions/${r.id}`, staffOnly: false });
    }
    const productIds = ids('product');
    if (productIds.length) {
      const rows: { id: string; name: string }[] = await this.dataSource.query(`SELECT id, name FROM isv_products WHERE id = ANY($1::uuid[])`, [productIds]);
      for (const r of rows) result.set(r.id, { title: r.name, detail: '', link: `/isv/products/${r.id}`, staffOnly: false });
    }
    return result;
  }
}

/** How a scored item reads on the dashboard, and where it links. */
export interface ItemDescription {
  title: string;
  detail: string;
  link: string;
  /** The link leads to a staff page (a project's deliveries); others see the text only. */
  staffOnly: boolean;
}
