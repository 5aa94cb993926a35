import { CertificateStatus } from '../certificates.types';

/** What happened to a certificate. */
export type CertificateEvent = 'expire' | 'revoke' | 'supersede';

/**
 * The certificate state machine, in one table. A certificate is issued 'active'; it can expire
 * (the daily job, once past its expiry), be revoked (staff, or its attempt invalidated), or be
 * superseded by a renewal. An expired certificate can still be superseded: a renewal exam sat
 * inside the window whose pass was held for review past the old expiry still renews it.
 * Revocation also applies to an expired or superseded certificate: invalidating the attempt
 * behind it must show on the public record whatever its state. Revoked is final.
 */
export const CERTIFICATE_TRANSITIONS: Readonly<Record<CertificateStatus, Partial<Record<CertificateEvent, CertificateStatus>>>> = {
  active: { expire: 'expired', revoke: 'revoked', supersede: 'superseded' },
  expired: { revoke: 'revoked', supersede: 'superseded' },
  superseded: { revoke: 'revoked' },
  revoked: {},
};

/** The next state, or null when the event is not allowed from `from`. */
export function nextStatus(from: CertificateStatus, event: CertificateEvent): CertificateStatus | null {
  return CERTIFICATE_TRANSITIONS[from][event] ?? null;
}

/** The states from which `event` is allowed (for guarded UPDATE … WHERE status = ANY(…)). */
export function statusesAllowing(event: CertificateEvent): CertificateStatus[] {
  return (Object.keys(CERTIFICATE_TRANSITIONS) as CertificateStatus[]).filter((s) => CERTIFICATE_TRANSITIONS[s][event] !== undefined);
}

/** The status the clock implies: an active certificate past its expiry is expired even before the daily job runs. */
export function effectiveStatus(status: CertificateStatus, pastExpiry: boolean): CertificateStatus {
  return status === 'active' && pastExpiry ? 'expired' : status;
}
