import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { Actor, OrganisationsService } from '../organisations/organisations.service';
import { CertificateProblem } from './domain/certificate-standing';
import { ProjectAccess, ProjectAccessService } from './project-access.service';
import { ProjectsError } from './projects.errors';
import { isUuid, ProjectsRepository } from './projects.repository';
import { Grant, GrantRole, Project, ProjectFilter, ProjectInput } from './projects.types';

/** A project in a member's list: the project and their role on it. */
export interface MemberProject {
  project: Project;
  role: GrantRole;
  grantedAt: Date;
}

/**
 * What a person who is not staff sees as "my projects": the projects of their active grants —
 * none while their certificate is not valid (the grants are suspended until it is, and withdrawn
 * by the daily job), with the reason and how many grants that holds back.
 */
export interface MemberProjects {
  page: Page<MemberProject>;
  suspended: { problem: CertificateProblem; grants: number } | null;
}

/**
 * TMIC projects: staff create and edit them; members read the ones they are admitted to. The
 * admission itself is ProjectAccessService's (the gate); grants and deliveries have their own
 * services.
 */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly repository: ProjectsRepository,
    private readonly access: ProjectAccessService,
    private readonly organisations: OrganisationsService,
    private readonly audit: AuditService,
  ) {}

  private assertStaff(principal: Principal): void {
    if (principal.role !== 'platform_staff') throw new ProjectsError('STAFF_ONLY');
  }

  private async assertBrand(brandOrganisationId: string): Promise<void> {
    const brand = isUuid(brandOrganisationId) ? await this.organisations.find(brandOrganisationId) : null;
    if (!brand || brand.type !== 'brand' || !brand.active) throw new ProjectsError('BRAND_NOT_FOUND');
  }

  async load(id: string, manager?: EntityManager, forUpdate = false): Promise<Project> {
    const project = await this.repository.findProject(id, manager, forUpdate);
    if (!project) throw new ProjectsError('PROJECT_NOT_FOUND');
    return project;
  }

  async create(principal: Principal, input: ProjectInput, actor: Actor): Promise<Project> {
    this.assertStaff(principal);
    await this.assertBrand(input.brandOrganisationId);
    return this.repository.dataSource.transaction(async (manager) => {
      const id = await this.repository.insertProject(manager, input, principal.id);
      const project = await this.load(id, manager);
      await this.audit.record(
        {
          action: 'project.created',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'project',
          targetId: id,
          targetLabel: project.name,
          organisationId: project.brandOrganisationId,
          ip: actor.ip,
          requestId: actor.requestId,
          detail: { brand: project.brandName, stage: project.stage, status: project.status },
        },
        manager,
      );
      return project;
    });
  }

  async update(principal: Principal, id: string, changes: Partial<ProjectInput>, actor: Actor): Promise<Project> {
    this.assertStaff(principal);
    if (changes.brandOrganisationId !== undefined) await this.assertBrand(changes.brandOrganisationId);
    return this.repository.dataSource.transaction(async (manager) => {
      const before = await this.load(id, manager, true);
      await this.repository.updateProject(manager, id, changes);
      const after = await this.load(id, manager);
      const changed = (Object.keys(changes) as (keyof ProjectInput)[]).filter((k) => changes[k] !== undefined && changes[k] !== before[k]);
      if (changed.length) {
        await this.audit.record(
          {
            action: 'project.updated',
            actorId: actor.id,
            actorLabel: actor.label,
            targetType: 'project',
            targetId: id,
            targetLabel: after.name,
            organisationId: after.brandOrganisationId,
            ip: actor.ip,
            requestId: actor.requestId,
            detail: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: after[k] }])),
          },
          manager,
        );
      }
      return after;
    });
  }

  /** Staff: every project, searched and filtered. */
  async list(principal: Principal, filter: ProjectFilter, page: PageRequest): Promise<Page<Project>> {
    this.assertStaff(principal);
    const { items, total } = await this.repository.listProjects(filter, page);
    return toPage(items, total, page);
  }

  /** Anyone else: the projects they are admitted to right now (an active grant and a valid certificate). */
  async listMine(principal: Principal, page: PageRequest): Promise<MemberProjects> {
    const standing = await this.access.certificateStanding(principal.id);
    if (standing.problem) {
      const grants = await this.repository.countActiveGrantsOf(principal.id);
      return { page: toPage([], 0, page), suspended: grants > 0 ? { problem: standing.problem, grants } : null };
    }
    const { items, total } = await this.repository.listGrantedProjects(principal.id, page);
    return { page: toPage(items, total, page), suspended: null };
  }

  /** The team of a project as its members see it: who holds an active grant, in which role. */
  team(access: ProjectAccess): Promise<Grant[]> {
    return this.repository.listActiveGrants(access.project.id, 200);
  }

  /** Pick lists for the staff forms. */
  async brandOptions(): Promise<{ id: string; name: string }[]> {
    return (await this.organisations.options()).filter((o) => o.type === 'brand').map(({ id, name }) => ({ id, name }));
  }
}
