/**
 * The programme's exams, as the certificates module sees them. Any certification-mode exam issues
 * a certificate on a pass; the exams listed here are *renewal* exams: open only to holders whose
 * certificate is inside its renewal window. Identified by the shipped exam's stable key
 * (src/modules/exams/content/exams.yaml), so exams carry no certificate concept of their own.
 */
export const RENEWAL_EXAM_KEYS: ReadonlySet<string> = new Set(['tmic-planner-renewal']);

export function isRenewalExam(examKey: string | null): boolean {
  return examKey !== null && RENEWAL_EXAM_KEYS.has(examKey);
}
