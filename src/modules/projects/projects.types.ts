/** TMIC projects, the grants that give people a role on them, and project deliveries. */

/** The four stages of TMIC's digital incubation chain, which are also a project's working areas. */
export const PROJECT_STAGES = ['trend_intelligence', 'new_product_partner', 'simulation_lab', 'trial_sales_diagnosis'] as const;
export type ProjectStage = (typeof PROJECT_STAGES)[number];

export const PROJECT_STATUSES = ['active', 'paused', 'closed'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const GRANT_ROLES = ['lead', 'planner', 'viewer'] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

export const GRANT_STATUSES = ['active', 'withdrawn', 'revoked_by_staff'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

/** Why the daily job withdrew a grant (stored on the grant row). */
export const WITHDRAWAL_REASONS = ['certificate_expired', 'certificate_revoked', 'certificate_missing'] as const;
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];

/**
 * What a delivered project came to: the product launched; the ISV delivered its part (stages
 * completed) without a launch decision yet; or the project stopped (the diagnosis said no). The
 * names are the variants ISV scoring's rules give points by (`pointsByVariant`).
 */
export const DELIVERY_OUTCOMES = ['launched', 'partial', 'stopped'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface Project {
  id: string;
  brandOrganisationId: string;
  brandName: string;
  name: string;
  description: string;
  stage: ProjectStage;
  status: ProjectStatus;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** People holding an active grant (list views). */
  activeMembers: number;
}

export interface ProjectInput {
  brandOrganisationId: string;
  name: string;
  description: string;
  stage: ProjectStage;
  status: ProjectStatus;
}

export interface ProjectFilter {
  q?: string;
  status?: ProjectStatus;
  stage?: ProjectStage;
  brandOrganisationId?: string;
}

export interface Grant {
  id: string;
  projectId: string;
  projectName: string;
  userId: string;
  userName: string;
  userEmail: string;
  userOrganisationId: string | null;
  userOrganisationName: string | null;
  role: GrantRole;
  status: GrantStatus;
  grantedBy: string;
  grantedByName: string;
  grantedAt: Date;
  certificateId: string | null;
  withdrawnAt: Date | null;
  withdrawalReason: WithdrawalReason | null;
  withdrawalCertificateSerial: string | null;
  revokedBy: string | null;
  revokedAt: Date | null;
  revocationReason: string | null;
  reinstatesGrantId: string | null;
  /** The grant that reinstated this one, when it was withdrawn and later reinstated. */
  reinstatedByGrantId: string | null;
}

export interface Delivery {
  id: string;
  projectId: string;
  projectName: string;
  brandOrganisationId: string;
  brandName: string;
  organisationId: string;
  organisationName: string;
  outcome: DeliveryOutcome;
  deliveredAt: Date;
  note: string;
  recordedBy: string;
  recordedByName: string;
  recordedAt: Date;
  brandConfirmedBy: string | null;
  brandConfirmedByName: string | null;
  brandConfirmedAt: Date | null;
  /** true when platform staff confirmed on the brand's behalf */
  brandConfirmedOnBehalf: boolean | null;
}

export interface DeliveryFilter {
  confirmed?: boolean;
}
