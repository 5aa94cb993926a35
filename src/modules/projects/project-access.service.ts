import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { CertificatesService } from '../certificates/certificates.service';
import { ValidCertificate } from '../certificates/certificates.types';
import { CertificateProblem, certificateProblem } from './domain/certificate-standing';
import { chinaDay } from './domain/delivery-dates';
import { ProjectsError } from './projects.errors';
import { ProjectsRepository } from './projects.repository';
import { Grant, Project } from './projects.types';

/** Who is on a project page or API call, as the gate admitted them. */
export interface ProjectAccess {
  project: Project;
  /** The caller's active grant; null for platform staff, who need none. */
  grant: Grant | null;
  asStaff: boolean;
  /** The certificate that admitted a member (null for staff). */
  certificate: ValidCertificate | null;
}

export type CertificateStanding = { valid: ValidCertificate; problem: null } | { valid: null; problem: CertificateProblem };

/** Why someone may not enter a project, for the 403 body. */
export type AccessDeniedReason = 'NO_GRANT' | 'GRANT_WITHDRAWN' | 'GRANT_REVOKED' | CertificateProblem['reason'];

/** A certificate problem as the parameters of a message ("expired on {date}", serial). */
export function problemParams(problem: CertificateProblem): Record<string, string> {
  return problem.reason === 'CERTIFICATE_MISSING' ? {} : { serial: problem.serial, date: chinaDay(problem.at) };
}

/** A certificate problem as API clients read it. */
export function problemData(problem: CertificateProblem): Record<string, unknown> {
  return {
    reason: problem.reason,
    certificate: problem.reason === 'CERTIFICATE_MISSING' ? null : { serial: problem.serial, [problem.reason === 'CERTIFICATE_EXPIRED' ? 'expiredAt' : 'revokedAt']: problem.at },
  };
}

/**
 * The request-time gate of every project page and API call, and the certificate check that
 * grants, reinstatements and the daily withdrawal share. Nothing here is cached: a certificate
 * that lapsed a second ago, or was revoked, closes the project on the very next request, before
 * any job has run.
 */
@Injectable()
export class ProjectAccessService {
  constructor(
    private readonly repository: ProjectsRepository,
    private readonly certificates: CertificatesService,
  ) {}

  /** Does the person hold a valid certificate right now — and if not, why not. */
  async certificateStanding(userId: string, manager?: EntityManager, now = new Date()): Promise<CertificateStanding> {
    const valid = await this.certificates.validCertificateFor(userId, manager);
    if (valid) return { valid, problem: null };
    const current = (await this.certificates.certificatesOf([userId], manager)).get(userId) ?? null;
    const revokedAt = current?.effectiveStatus === 'revoked' ? await this.repository.certificateRevokedAt(current.id, manager) : null;
    const problem = certificateProblem(current ? { serial: current.serial, effectiveStatus: current.effectiveStatus, expiresAt: current.expiresAt, revokedAt } : null, now);
    return { valid: null, problem };
  }

  /**
   * Admits the caller to a project or throws: 404 when there is no such project, 403 (with the
   * reason) when a non-staff caller has no active grant on it or no valid certificate.
   */
  async admit(principal: Principal, projectId: string): Promise<ProjectAccess> {
    const project = await this.repository.findProject(projectId);
    if (!project) throw new ProjectsError('PROJECT_NOT_FOUND');
    if (principal.role === 'platform_staff') return { project, grant: null, asStaff: true, certificate: null };
    const grant = await this.repository.findActiveGrant(project.id, principal.id);
    if (!grant) throw await this.noGrant(project, principal.id);
    const standing = await this.certificateStanding(principal.id);
    if (standing.problem) throw denied(standing.problem.reason, problemParams(standing.problem), problemData(standing.problem));
    return { project, grant, asStaff: false, certificate: standing.valid };
  }

  private async noGrant(project: Project, userId: string): Promise<ProjectsError> {
    const ended = await this.repository.findLatestEndedGrant(project.id, userId);
    if (ended?.status === 'withdrawn') {
      return denied('GRANT_WITHDRAWN', { date: ended.withdrawnAt ? chinaDay(ended.withdrawnAt) : '', serial: ended.withdrawalCertificateSerial ?? '—' }, { withdrawnAt: ended.withdrawnAt, withdrawalReason: ended.withdrawalReason });
    }
    if (ended?.status === 'revoked_by_staff') return denied('GRANT_REVOKED', { date: ended.revokedAt ? chinaDay(ended.revokedAt) : '' }, { revokedAt: ended.revokedAt });
    return denied('NO_GRANT', {}, {});
  }
}

function denied(reason: AccessDeniedReason, params: Record<string, string>, data: Record<string, unknown>): ProjectsError {
  return new ProjectsError('PROJECT_ACCESS_DENIED', params, { messageKey: `projects.errors.access.${reason}`, data: { ...data, reason } });
}
