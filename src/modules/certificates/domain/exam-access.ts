import { CertificateStatus } from '../certificates.types';
import { renewalWindowOpensAt } from './validity';

export type ExamAccessRefusal =
  | { code: 'ALREADY_CERTIFIED'; retryAt: Date }
  | { code: 'RENEWAL_NOT_OPEN'; retryAt: Date }
  | { code: 'NO_CERTIFICATE_TO_RENEW'; retryAt: null };

/**
 * Who may take which certification exam, given their current certificate:
 * - the renewal exam: only a holder of a valid certificate inside its renewal window;
 * - the first-time certification exam: anyone without a valid certificate, and a holder inside
 *   the window (either exam renews then); a holder outside the window already is certified, and is
 *   told when renewal opens.
 * Practice exams are not this rule's business. Returns the refusal, or null.
 */
export function certificationExamAccess(input: {
  examMode: 'practice' | 'certification';
  renewalExam: boolean;
  current: { status: CertificateStatus; expiresAt: Date } | null;
  now: Date;
  windowDays: number;
}): ExamAccessRefusal | null {
  if (input.examMode !== 'certification') return null;
  const valid = input.current && input.current.status === 'active' && input.current.expiresAt.getTime() > input.now.getTime() ? input.current : null;
  if (input.renewalExam) {
    if (!valid) return { code: 'NO_CERTIFICATE_TO_RENEW', retryAt: null };
    const opens = renewalWindowOpensAt(valid.expiresAt, input.windowDays);
    return input.now.getTime() < opens.getTime() ? { code: 'RENEWAL_NOT_OPEN', retryAt: opens } : null;
  }
  if (!valid) return null;
  const opens = renewalWindowOpensAt(valid.expiresAt, input.windowDays);
  return input.now.getTime() < opens.getTime() ? { code: 'ALREADY_CERTIFIED', retryAt: opens } : null;
}
