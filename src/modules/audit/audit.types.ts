/** Security-relevant actions. Later modules add theirs here so the audit page can filter by them. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.login_throttled',
  'auth.logout',
  'auth.password_changed',
  'user.created',
  'user.updated',
  'user.role_changed',
  'user.organisation_changed',
  'user.deactivated',
  'user.reactivated',
  'organisation.created',
  'organisation.updated',
  'organisation.deactivated',
  'token.issued',
  'token.revoked',
  'bank.imported',
  'question.edited',
  'question.retired',
  'question.restored',
  'exam.created',
  'exam.updated',
  'exam.published',
  'exam.archived',
  'exam.restored',
  'course.published',
  'course.assigned',
  'course.created', 'course.updated', 'course.unpublished', 'course.imported', 'course.completed',
  'sitting.created', 'sitting.updated', 'sitting.proctors_changed', 'sitting.registered', 'sitting.withdrawn', 'attempt.admitted', 'attempt.paused', 'attempt.resumed', 'attempt.time_added', 'attempt.messaged', 'attempt.terminated', 'attempt.irregularity_noted', 'attempt.cleared', 'attempt.invalidated', 'appeal.filed', 'appeal.upheld', 'appeal.rejected', 'essay.scored',
  'contribution.submitted', 'contribution.edited', 'contribution.withdrawn', 'contribution.approved', 'contribution.rejected', 'product.submitted', 'product.edited', 'product.withdrawn', 'product.approved', 'product.rejected',
  'certificate.issued', 'certificate.renewed', 'certificate.expired', 'certificate.revoked', 'certificate.superseded',
  'project.created', 'project.updated', 'project.granted', 'project.grant_refused', 'project.grant_revoked', 'project.grant_withdrawn', 'project.grant_reinstated', 'project.delivery_recorded', 'project.delivery_confirmed', 'project.delivery_removed',
  'scoring.rules_changed', 'scoring.recompute_requested', 'scoring.job_retried',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEventInput {
  action: AuditAction;
  actorId?: string | null;
  actorLabel?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  targetLabel?: string | null;
  organisationId?: string | null;
  ip?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditEvent {
  id: string;
  at: Date;
  action: string;
  actorId: string | null;
  actorLabel: string | null;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  organisationId: string | null;
  ip: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  target?: string;
  from?: Date;
  to?: Date;
}
