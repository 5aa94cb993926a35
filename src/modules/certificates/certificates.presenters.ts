import { Locale, translate } from '../../infra/i18n/i18n';
import { pickText } from '../question-banks/domain/question';
import { effectiveStatus } from './domain/certificate-state';
import { CertificateRecord, CertificateStatus } from './certificates.types';

/** What anyone holding the code may see: no email, no organisation, no score, no internal ids. */
export interface PublicVerification {
  serial: string;
  holderName: string;
  programme: string;
  programmeCode: string;
  issuedAt: string;
  expiresAt: string;
  status: CertificateStatus;
  /** when the status last changed (revoked, expired or superseded); absent while active */
  statusChangedAt?: string;
  revokedAt?: string;
}

export function programmeName(code: string, locale: Locale): string {
  return translate(locale, `certificates.programme.${code}`);
}

export function publicVerification(c: CertificateRecord, locale: Locale): PublicVerification {
  const status = effectiveStatus(c.status, c.pastExpiry);
  const view: PublicVerification = {
    serial: c.serial,
    holderName: c.holderName,
    programme: programmeName(c.programme, locale),
    programmeCode: c.programme,
    issuedAt: c.issuedAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    status,
  };
  if (status === 'expired') view.statusChangedAt = (c.status === 'expired' ? c.statusChangedAt : c.expiresAt).toISOString();
  if (status === 'superseded') view.statusChangedAt = c.statusChangedAt.toISOString();
  if (status === 'revoked' && c.revokedAt) {
    view.statusChangedAt = c.revokedAt.toISOString();
    view.revokedAt = c.revokedAt.toISOString();
  }
  return view;
}

/** The holder's own view of a certificate. */
export interface OwnCertificate {
  id: string;
  serial: string;
  programme: string;
  examTitle: string;
  status: CertificateStatus;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  scorePercent: number;
  verificationUrl: string;
  credentialUrl: string;
  pdfUrls: { zh: string; en: string };
  renews: string | null;
  supersededBy: string | null;
}

export function ownCertificate(c: CertificateRecord, locale: Locale, publicBaseUrl: string): OwnCertificate {
  return {
    id: c.id,
    serial: c.serial,
    programme: programmeName(c.programme, locale),
    examTitle: pickText(c.examTitle, locale, ['zh-CN', 'en']),
    status: effectiveStatus(c.status, c.pastExpiry),
    issuedAt: c.issuedAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    revokedAt: c.revokedAt?.toISOString() ?? null,
    revocationReason: c.revocationReason,
    scorePercent: c.scorePercent,
    verificationUrl: verificationUrl(publicBaseUrl, c.verificationCode),
    credentialUrl: `${publicBaseUrl}/api/v1/verify/${encodeURIComponent(c.verificationCode)}/credential`,
    pdfUrls: { zh: `/certificates/${c.id}/certificate.pdf?lang=zh-CN`, en: `/certificates/${c.id}/certificate.pdf?lang=en` },
    renews: c.renewsId,
    supersededBy: c.supersededById,
  };
}

export function verificationUrl(publicBaseUrl: string, code: string): string {
  return `${publicBaseUrl}/verify/${encodeURIComponent(code)}`;
}

/**
 * LinkedIn's "add to profile" link for a certification, filled from the certificate (a plain
 * URL the browser opens; no call is made from here). Parameters as LinkedIn documents them for
 * its Add to Profile feature: name, organizationName, issue/expiration year and month, certUrl, certId.
 */
export function linkedInAddToProfileUrl(
  c: Pick<CertificateRecord, 'serial' | 'issuedAt' | 'expiresAt' | 'programme'>,
  verifyUrl: string,
  locale: Locale,
): string {
  const params = new URLSearchParams({
    startTask: 'CERTIFICATION_NAME',
    name: programmeName(c.programme, locale),
    organizationName: translate(locale, 'certificates.issuerName'),
    issueYear: String(c.issuedAt.getUTCFullYear()),
    issueMonth: String(c.issuedAt.getUTCMonth() + 1),
    expirationYear: String(c.expiresAt.getUTCFullYear()),
    expirationMonth: String(c.expiresAt.getUTCMonth() + 1),
    certUrl: verifyUrl,
    certId: c.serial,
  });
  return `https://www.linkedin.com/profile/add?${params.toString()}`;
}
