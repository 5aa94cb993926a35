import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { User } from '../accounts/accounts.types';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { AuditAction } from '../audit/audit.types';
import { CertificatesService } from '../certificates/certificates.service';
import { NotificationsService } from '../notifications/notifications.service';
import { Actor, SYSTEM_ACTOR } from '../organisations/organisations.service';
import { CertificateProblem, memberStanding, MemberStanding, withdrawalReasonOf } from './domain/certificate-standing';
import { chinaDay } from './domain/delivery-dates';
import { grantTransition } from './domain/grant-rules';
import { problemData, problemParams, ProjectAccessService } from './project-access.service';
import { ProjectsError } from './projects.errors';
import { isUuid, ProjectsRepository } from './projects.repository';
import { Grant, GrantRole, GrantStatus, Project } from './projects.types';

/** A grant on the staff page, with the member's certificate as it stands now. */
export interface MemberRow {
  grant: Grant;
  certificate: { serial: string; standing: MemberStanding; expiresAt: Date } | null;
  standing: MemberStanding;
  /** staff may reinstate it: withdrawn, not yet reinstated */
  reinstatable: boolean;
}

/** Who to grant: by id (API) or by email (the staff form). */
export type PersonRef = { userId: string } | { email: string };

const WITHDRAW_BATCH = 200;

/**
 * Grants: staff give a person a role on a project — only when that person holds a valid
 * certificate at that moment — revoke grants, and reinstate grants the daily job withdrew. The
 * daily job withdraws the grants of people whose certificate lapsed or was revoked and tells them
 * and their ISV's managers why. Renewal never restores a withdrawn grant by itself.
 */
@Injectable()
export class ProjectGrantsService {
  private readonly logger = new Logger('project-grants');

  constructor(
    private readonly repository: ProjectsRepository,
    private readonly access: ProjectAccessService,
    private readonly certificates: CertificatesService,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  private assertStaff(principal: Principal): void {
    if (principal.role !== 'platform_staff') throw new ProjectsError('STAFF_ONLY');
  }

  private async person(ref: PersonRef): Promise<User> {
    const user = 'userId' in ref ? (isUuid(ref.userId) ? await this.users.findById(ref.userId) : null) : await this.users.findByEmail(ref.email.trim());
    if (!user) throw new ProjectsError('USER_NOT_FOUND', 'userId' in ref ? { who: ref.userId } : { who: ref.email });
    if (!user.active) throw new ProjectsError('USER_INACTIVE', { name: user.name });
    return user;
  }

  private async projectOf(projectId: string, manager?: EntityManager, forUpdate = false): Promise<Project> {
    const project = await this.repository.findProject(projectId, manager, forUpdate);
    if (!project) throw new ProjectsError('PROJECT_NOT_FOUND');
    return project;
  }

  private async grantOf(projectId: string, grantId: string, manager: EntityManager): Promise<Grant> {
    const grant = await this.repository.findGrant(grantId, manager, true);
    if (!grant || grant.projectId !== projectId) throw new ProjectsError('GRANT_NOT_FOUND');
    return grant;
  }

  private async record(manager: EntityManager | undefined, action: AuditAction, actor: Actor, project: Project, target: { id: string; label: string }, detail: Record<string, unknown>): Promise<void> {
    await this.audit.record(
      {
        action,
        actorId: actor.id,
        actorLabel: actor.label,
        targetType: 'project_grant',
        targetId: target.id,
        targetLabel: target.label,
        organisationId: project.brandOrganisationId,
        ip: actor.ip,
        requestId: actor.requestId,
        detail: { projectId: project.id, project: project.name, ...detail },
      },
      manager,
    );
  }

  /** The refusal: audited on its own (the grant is not made, the record of refusing is kept), then thrown. */
  private async refuse(actor: Actor, project: Project, user: User, problem: CertificateProblem, detail: Record<string, unknown>): Promise<never> {
    const params = { name: user.name, ...problemParams(problem) };
    await this.record(undefined, 'project.grant_refused', actor, project, { id: user.id, label: user.email }, { userId: user.id, reason: problem.reason, ...problemParams(problem), ...detail });
    throw new ProjectsError('CERTIFICATE_REQUIRED', params, { messageKey: `projects.errors.certificateRequired.${problem.reason}`, data: problemData(problem) });
  }

  /**
   * Gives a person a role on a project. Refused (422 CERTIFICATE_REQUIRED, audited with the
   * reason) when they hold no valid certificate right now; 409 when they already hold an active
   * grant on it or the project is closed.
   */
  async grant(principal: Principal, projectId: string, input: { person: PersonRef; role: GrantRole }, actor: Actor): Promise<Grant> {
    this.assertStaff(principal);
    const project = await this.projectOf(projectId);
    if (project.status === 'closed') throw new ProjectsError('PROJECT_CLOSED', { project: project.name });
    const user = await this.person(input.person);
    const standing = await this.access.certificateStanding(user.id);
    if (standing.problem) return this.refuse(actor, project, user, standing.problem, { role: input.role });
    return this.repository.dataSource.transaction(async (manager) => {
      const id = await this.repository.insertGrant(manager, { projectId: project.id, userId: user.id, role: input.role, grantedBy: principal.id, certificateId: standing.valid.id, reinstatesGrantId: null });
      if (!id) throw new ProjectsError('ALREADY_GRANTED', { name: user.name, project: project.name });
      await this.record(manager, 'project.granted', actor, project, { id, label: user.email }, { userId: user.id, role: input.role, certificateSerial: standing.valid.serial });
      await this.notifications.notify(manager, { userId: user.id, kind: 'projects.notifications.granted', params: { project: project.name }, link: `/projects/${project.id}` });
      return (await this.repository.findGrant(id, manager))!;
    });
  }

  /** Staff end an active grant (a decision about the person; reinstating it is a new grant). */
  async revoke(principal: Principal, projectId: string, grantId: string, reason: string | null, actor: Actor): Promise<Grant> {
    this.assertStaff(principal);
    return this.repository.dataSource.transaction(async (manager) => {
      const project = await this.projectOf(projectId, manager);
      const grant = await this.grantOf(project.id, grantId, manager);
      if (!grantTransition(grant.status, 'revoke')) throw new ProjectsError('GRANT_NOT_ACTIVE', { status: grant.status });
      const text = reason?.trim() || null;
      await this.repository.revokeGrant(manager, grant.id, principal.id, text);
      await this.record(manager, 'project.grant_revoked', actor, project, { id: grant.id, label: grant.userEmail }, { userId: grant.userId, role: grant.role, reason: text });
      await this.notifications.notify(manager, { userId: grant.userId, kind: 'projects.notifications.revoked', params: { project: project.name, reason: text ?? '—' }, link: '/projects' });
      return (await this.repository.findGrant(grant.id, manager))!;
    });
  }

  /**
   * Staff reinstate a grant the daily job withdrew, in one action: a new active grant with the
   * same role, pointing back at the withdrawn one — only if the person holds a valid certificate
   * now (otherwise refused, and the refusal audited, like a new grant).
   */
  async reinstate(principal: Principal, projectId: string, grantId: string, actor: Actor): Promise<Grant> {
    this.assertStaff(principal);
    const project = await this.projectOf(projectId);
    const withdrawn = await this.repository.findGrant(grantId);
    if (!withdrawn || withdrawn.projectId !== project.id) throw new ProjectsError('GRANT_NOT_FOUND');
    if (!grantTransition(withdrawn.status, 'reinstate')) throw new ProjectsError('GRANT_NOT_WITHDRAWN', { status: withdrawn.status });
    if (withdrawn.reinstatedByGrantId) throw new ProjectsError('GRANT_ALREADY_REINSTATED');
    if (project.status === 'closed') throw new ProjectsError('PROJECT_CLOSED', { project: project.name });
    const user = await this.person({ userId: withdrawn.userId });
    const standing = await this.access.certificateStanding(user.id);
    if (standing.problem) return this.refuse(actor, project, user, standing.problem, { role: withdrawn.role, reinstatementOf: withdrawn.id });
    return this.repository.dataSource.transaction(async (manager) => {
      const again = await this.grantOf(project.id, withdrawn.id, manager);
      if (again.reinstatedByGrantId) throw new ProjectsError('GRANT_ALREADY_REINSTATED');
      const id = await this.repository.insertGrant(manager, { projectId: project.id, userId: user.id, role: withdrawn.role, grantedBy: principal.id, certificateId: standing.valid.id, reinstatesGrantId: withdrawn.id });
      if (!id) {
        if (await this.repository.findActiveGrant(project.id, user.id, manager)) throw new ProjectsError('ALREADY_GRANTED', { name: user.name, project: project.name });
        throw new ProjectsError('GRANT_ALREADY_REINSTATED');
      }
      await this.record(manager, 'project.grant_reinstated', actor, project, { id, label: user.email }, {
        userId: user.id,
        role: withdrawn.role,
        reinstates: withdrawn.id,
        withdrawalReason: withdrawn.withdrawalReason,
        certificateSerial: standing.valid.serial,
      });
      await this.notifications.notify(manager, { userId: user.id, kind: 'projects.notifications.reinstated', params: { project: project.name }, link: `/projects/${project.id}` });
      return (await this.repository.findGrant(id, manager))!;
    });
  }

  /** Staff: a project's grants (active first, then history) with each member's certificate as it stands now. */
  async members(principal: Principal, projectId: string, filter: { status?: GrantStatus }, page: PageRequest): Promise<Page<MemberRow>> {
    this.assertStaff(principal);
    await this.projectOf(projectId);
    const { items, total } = await this.repository.listGrants(projectId, filter, page);
    const certificates = await this.certificates.certificatesOf(items.map((g) => g.userId));
    const now = new Date();
    const rows = items.map((grant): MemberRow => {
      const current = certificates.get(grant.userId) ?? null;
      const standing = memberStanding(current, now);
      return {
        grant,
        certificate: current ? { serial: current.serial, standing, expiresAt: current.expiresAt } : null,
        standing,
        reinstatable: grant.status === 'withdrawn' && !grant.reinstatedByGrantId,
      };
    });
    return toPage(rows, total, page);
  }

  // ---- the daily job -------------------------------------------------------------------------------

  /**
   * Withdraws the active grants of everyone whose certificate is no longer valid (lapsed by the
   * clock, expired, revoked, or gone). Safe to run twice and concurrently with staff actions:
   * each person is handled in one transaction under a lock on their active grants, and a grant
   * already ended is left alone. Returns how many grants it withdrew.
   */
  async withdrawLapsedGrants(): Promise<number> {
    let after: string | null = null;
    let withdrawn = 0;
    for (;;) {
      const userIds = await this.repository.usersWithActiveGrants(after, WITHDRAW_BATCH);
      if (userIds.length === 0) break;
      for (const userId of userIds) withdrawn += await this.withdrawLapsedGrantsOf(userId);
      after = userIds[userIds.length - 1];
    }
    if (withdrawn) this.logger.log(`withdrew ${withdrawn} project grant(s) of people without a valid certificate`);
    return withdrawn;
  }

  /** One person: if their certificate is not valid now, withdraw every active grant they hold, and say why. */
  async withdrawLapsedGrantsOf(userId: string): Promise<number> {
    return this.repository.dataSource.transaction(async (manager) => {
      const grants = await this.repository.lockActiveGrantsOf(manager, userId);
      if (grants.length === 0) return 0;
      const standing = await this.access.certificateStanding(userId, manager);
      if (!standing.problem) return 0;
      const problem = standing.problem;
      const reason = withdrawalReasonOf(problem);
      const serial = problem.reason === 'CERTIFICATE_MISSING' ? null : problem.serial;
      const ended: Grant[] = [];
      for (const grant of grants) {
        if (!(await this.repository.withdrawGrant(manager, grant.id, reason, serial))) continue;
        ended.push(grant);
        await this.audit.record(
          {
            action: 'project.grant_withdrawn',
            actorId: SYSTEM_ACTOR.id,
            actorLabel: SYSTEM_ACTOR.label,
            targetType: 'project_grant',
            targetId: grant.id,
            targetLabel: grant.userEmail,
            organisationId: grant.userOrganisationId,
            detail: {
              projectId: grant.projectId,
              project: grant.projectName,
              userId,
              role: grant.role,
              reason,
              certificateSerial: serial,
              ...(problem.reason === 'CERTIFICATE_MISSING' ? {} : { [problem.reason === 'CERTIFICATE_EXPIRED' ? 'expiredAt' : 'revokedAt']: problem.at.toISOString() }),
            },
          },
          manager,
        );
      }
      if (ended.length === 0) return 0;
      const first = ended[0];
      const params = { projects: ended.map((g) => g.projectName).join('、'), count: ended.length, serial: serial ?? '—', date: problem.reason === 'CERTIFICATE_MISSING' ? '—' : chinaDay(problem.at) };
      const suffix = reason === 'certificate_expired' ? 'expired' : reason === 'certificate_revoked' ? 'revoked' : 'missing';
      await this.notifications.notify(manager, { userId, kind: `projects.notifications.withdrawn.${suffix}`, params, link: '/projects' });
      if (first.userOrganisationId) {
        for (const managerId of await this.repository.isvManagersOf(manager, first.userOrganisationId)) {
          if (managerId === userId) continue;
          await this.notifications.notify(manager, { userId: managerId, kind: `projects.notifications.staffWithdrawn.${suffix}`, params: { ...params, name: first.userName } });
        }
      }
      return ended.length;
    });
  }
}
