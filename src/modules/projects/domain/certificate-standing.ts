/**
 * What a person's certificate means for project access, as pure functions: why someone without a
 * valid certificate may not be granted or admitted (and what to tell them), which reason a
 * withdrawal records, and how a member's certificate reads on the staff page.
 */
import type { WithdrawalReason } from '../projects.types';

/** The person's current certificate as the certificates module reports it, plus its revocation date. */
export interface CertificateFacts {
  serial: string;
  /** the status by the clock: an active certificate past its expiry reads 'expired' */
  effectiveStatus: 'active' | 'expired' | 'revoked' | 'superseded';
  expiresAt: Date;
  revokedAt: Date | null;
}

export type CertificateProblem =
  | { reason: 'CERTIFICATE_MISSING' }
  | { reason: 'CERTIFICATE_EXPIRED'; serial: string; at: Date }
  | { reason: 'CERTIFICATE_REVOKED'; serial: string; at: Date };

/**
 * Why a person holds no valid certificate, from their current certificate (null: never certified,
 * or nothing current). Called only once the certificates module said there is no valid one.
 */
export function certificateProblem(current: CertificateFacts | null, now: Date): CertificateProblem {
  if (!current) return { reason: 'CERTIFICATE_MISSING' };
  if (current.effectiveStatus === 'revoked') return { reason: 'CERTIFICATE_REVOKED', serial: current.serial, at: current.revokedAt ?? current.expiresAt };
  if (current.effectiveStatus === 'expired' || current.expiresAt.getTime() <= now.getTime()) {
    return { reason: 'CERTIFICATE_EXPIRED', serial: current.serial, at: current.expiresAt };
  }
  // Active and in date but not valid a moment ago (it lapsed between the two reads) or superseded
  // with no successor: nothing the person can show.
  return { reason: 'CERTIFICATE_MISSING' };
}

/** The reason a withdrawal records on the grant row. */
export function withdrawalReasonOf(problem: CertificateProblem): WithdrawalReason {
  switch (problem.reason) {
    case 'CERTIFICATE_EXPIRED':
      return 'certificate_expired';
    case 'CERTIFICATE_REVOKED':
      return 'certificate_revoked';
    case 'CERTIFICATE_MISSING':
      return 'certificate_missing';
  }
}

export const EXPIRING_WITHIN_DAYS = 60;

export const MEMBER_STANDINGS = ['active', 'expiring', 'expired', 'revoked', 'none'] as const;
export type MemberStanding = (typeof MEMBER_STANDINGS)[number];

/** A member's certificate as the staff page shows it: active, expiring within 60 days, expired, revoked, or none. */
export function memberStanding(current: Pick<CertificateFacts, 'effectiveStatus' | 'expiresAt'> | null, now: Date): MemberStanding {
  if (!current) return 'none';
  switch (current.effectiveStatus) {
    case 'revoked':
      return 'revoked';
    case 'expired':
      return 'expired';
    case 'superseded':
      return 'none';
    case 'active':
      if (current.expiresAt.getTime() <= now.getTime()) return 'expired';
      return current.expiresAt.getTime() - now.getTime() <= EXPIRING_WITHIN_DAYS * 86_400_000 ? 'expiring' : 'active';
  }
}
