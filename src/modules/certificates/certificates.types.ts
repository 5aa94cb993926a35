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
