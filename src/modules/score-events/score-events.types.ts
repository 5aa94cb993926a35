/**
 * What changed an ISV's points. Kinds name the business event; `sourceType`/`sourceId` point at
 * the record a point comes from (a certificate, a project delivery, a contribution, a product,
 * a rule version), so every point on the dashboard can link back to it.
 */
export const SCORE_EVENT_KINDS = [
  'certificate.issued',
  'certificate.renewed',
  'certificate.expired',
  'certificate.revoked',
  'certificate.superseded',
  'project.delivered',
  'contribution.approved',
  'product.approved',
  'rules.changed',
  'recompute.requested',
] as const;
export type ScoreEventKind = (typeof SCORE_EVENT_KINDS)[number];

export interface ScoreEventInput {
  organisationId: string;
  kind: ScoreEventKind;
  sourceType: 'certificate' | 'project' | 'project_delivery' | 'contribution' | 'product' | 'rule_version' | 'organisation';
  sourceId: string;
  userId?: string | null;
  /** When the business event happened (defaults to now). */
  occurredAt?: Date;
  detail?: Record<string, unknown>;
}
