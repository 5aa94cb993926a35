/** The states a certificate can be in; transitions live in domain/certificate-state.ts. */
export const CERTIFICATE_STATUSES = ['active', 'expired', 'revoked', 'superseded'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** A person's valid certificate: active and not past its expiry by the clock. */
export interface ValidCertificate {
  id: string;
  serial: string;
  status: 'active';
  issuedAt: Date;
  expiresAt: Date;
}

/** A person's current (latest non-superseded) certificate, with the status the clock implies. */
export interface CurrentCertificate {
  id: string;
  serial: string;
  status: CertificateStatus;
  /** `status`, except that an active certificate past its expiry reads 'expired' before the daily job runs. */
  effectiveStatus: CertificateStatus;
  issuedAt: Date;
  expiresAt: Date;
}

/** A certificate as the module reads it. */
export interface CertificateRecord {
  id: string;
  serial: string;
  holderId: string;
  /** The name as certified (kept at issue, so the public record does not follow profile edits). */
  holderName: string;
  holderOrganisationId: string | null;
  programme: string;
  examId: string;
  examTitle: Record<string, string>;
  attemptId: string;
  scorePercent: number;
  issuedAt: Date;
  expiresAt: Date;
  status: CertificateStatus;
  /** expires_at is behind the database clock */
  pastExpiry: boolean;
  statusChangedAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
  renewsId: string | null;
  supersededById: string | null;
  verificationCode: string;
  statusListIndex: number;
  evidence: Record<string, unknown>;
}

/** Staff certificate list filter; 'active' and 'expired' follow the clock, not just the stored status. */
export interface CertificateListFilter {
  q?: string;
  status?: CertificateStatus;
}

/** How a person stands, as the ISV manager's table shows it. */
export const CERTIFICATION_STANDINGS = ['active', 'expiring', 'expired', 'revoked', 'none'] as const;
export type CertificationStanding = (typeof CERTIFICATION_STANDINGS)[number];

export interface StaffCertificationFilter {
  q?: string;
  certification?: CertificationStanding;
  /** platform staff only: narrow to one organisation */
  organisationId?: string;
}

export interface StaffCertificationRow {
  userId: string;
  name: string;
  email: string;
  organisationName: string | null;
  certification: CertificationStanding;
  certificateId: string | null;
  serial: string | null;
  issuedAt: Date | null;
  expiresAt: Date | null;
}
