import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { AuditAction } from '../audit/audit.types';
import { NotificationsService } from '../notifications/notifications.service';
import { Actor, OrganisationsService } from '../organisations/organisations.service';
import { ScoreEventsService } from '../score-events/score-events.service';
import { chinaDay, deliveredAtProblem } from './domain/delivery-dates';
import { ProjectsError } from './projects.errors';
import { isUuid, ProjectsRepository } from './projects.repository';
import { Delivery, DeliveryFilter, DeliveryOutcome, Project } from './projects.types';

export interface DeliveryInput {
  organisationId: string;
  outcome: DeliveryOutcome;
  deliveredAt: Date;
  note: string;
}

/**
 * Project deliveries, the "new-product projects" input of ISV scoring: staff record that an ISV
 * delivered a project (outcome, date — back-filled at most 12 months), the project's brand
 * confirms it (or staff on the brand's behalf, recorded as such), and only the confirmation
 * writes the score event `project.delivered` — in the same transaction, through the outbox.
 */
@Injectable()
export class ProjectDeliveriesService {
  constructor(
    private readonly repository: ProjectsRepository,
    private readonly organisations: OrganisationsService,
    private readonly scoreEvents: ScoreEventsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  private assertStaff(principal: Principal): void {
    if (principal.role !== 'platform_staff') throw new ProjectsError('STAFF_ONLY');
  }

  private async projectOf(projectId: string, manager?: EntityManager): Promise<Project> {
    const project = await this.repository.findProject(projectId, manager);
    if (!project) throw new ProjectsError('PROJECT_NOT_FOUND');
    return project;
  }

  private async record(manager: EntityManager, action: AuditAction, actor: Actor, delivery: Pick<Delivery, 'id' | 'projectId' | 'projectName' | 'organisationName' | 'organisationId'>, detail: Record<string, unknown>): Promise<void> {
    await this.audit.record(
      {
        action,
        actorId: actor.id,
        actorLabel: actor.label,
        targetType: 'project_delivery',
        targetId: delivery.id,
        targetLabel: `${delivery.projectName} · ${delivery.organisationName}`,
        organisationId: delivery.organisationId,
        ip: actor.ip,
        requestId: actor.requestId,
        detail: { projectId: delivery.projectId, ...detail },
      },
      manager,
    );
  }

  /** ISVs that can have delivered the project: those whose people held a grant on it. */
  participatingIsvs(projectId: string): Promise<{ id: string; name: string }[]> {
    return this.repository.participatingIsvs(projectId);
  }

  /** Staff record an ISV's delivery of a project; it counts for scoring once the brand confirms it. */
  async recordDelivery(principal: Principal, projectId: string, input: DeliveryInput, actor: Actor): Promise<Delivery> {
    this.assertStaff(principal);
    const project = await this.projectOf(projectId);
    const isv = isUuid(input.organisationId) ? await this.organisations.find(input.organisationId) : null;
    if (!isv || isv.type !== 'isv') throw new ProjectsError('ISV_NOT_FOUND');
    if (!(await this.repository.participatingIsvs(project.id)).some((o) => o.id === isv.id)) throw new ProjectsError('ISV_NOT_PARTICIPANT', { isv: isv.name, project: project.name });
    const problem = deliveredAtProblem(input.deliveredAt, new Date());
    if (problem?.code === 'DELIVERED_TOO_OLD') throw new ProjectsError('DELIVERED_TOO_OLD', { earliest: problem.earliest });
    if (problem?.code === 'DELIVERED_IN_FUTURE') throw new ProjectsError('DELIVERED_IN_FUTURE', { today: problem.today });
    return this.repository.dataSource.transaction(async (manager) => {
      const id = await this.repository.insertDelivery(manager, {
        projectId: project.id,
        organisationId: isv.id,
        outcome: input.outcome,
        deliveredAt: input.deliveredAt,
        note: input.note.trim(),
        recordedBy: principal.id,
      });
      if (!id) throw new ProjectsError('DELIVERY_EXISTS', { isv: isv.name, project: project.name });
      const delivery = (await this.repository.findDelivery(id, manager))!;
      await this.record(manager, 'project.delivery_recorded', actor, delivery, { outcome: delivery.outcome, deliveredAt: delivery.deliveredAt.toISOString(), isv: isv.name });
      for (const userId of await this.repository.brandUsersOf(manager, project.brandOrganisationId)) {
        await this.notifications.notify(manager, {
          userId,
          kind: 'projects.notifications.deliveryToConfirm',
          params: { project: project.name, isv: isv.name, date: chinaDay(delivery.deliveredAt) },
          link: '/brand/deliveries',
        });
      }
      return delivery;
    });
  }

  /**
   * Confirms a delivery: a person of the project's brand, or staff on the brand's behalf (kept on
   * the row). Writes the score event `project.delivered` for the ISV in the same transaction.
   * `projectId`, when given (the staff route), must be the delivery's project.
   */
  async confirm(principal: Principal, deliveryId: string, actor: Actor, projectId?: string): Promise<Delivery> {
    return this.repository.dataSource.transaction(async (manager) => {
      const delivery = await this.repository.findDelivery(deliveryId, manager, true);
      if (!delivery || (projectId !== undefined && delivery.projectId !== projectId)) throw new ProjectsError('DELIVERY_NOT_FOUND');
      const onBehalf = principal.role === 'platform_staff';
      if (!onBehalf && principal.organisationId !== delivery.brandOrganisationId) throw new ProjectsError('NOT_PROJECT_BRAND');
      if (!(await this.repository.confirmDelivery(manager, delivery.id, principal.id, onBehalf))) throw new ProjectsError('DELIVERY_ALREADY_CONFIRMED');
      await this.scoreEvents.record(manager, {
        organisationId: delivery.organisationId,
        kind: 'project.delivered',
        sourceType: 'project_delivery',
        sourceId: delivery.id,
        occurredAt: delivery.deliveredAt,
        detail: { projectId: delivery.projectId, project: delivery.projectName, outcome: delivery.outcome, brand: delivery.brandName },
      });
      await this.record(manager, 'project.delivery_confirmed', actor, delivery, { outcome: delivery.outcome, onBehalfOfBrand: onBehalf, brand: delivery.brandName });
      return (await this.repository.findDelivery(delivery.id, manager))!;
    });
  }

  /** Staff remove a delivery recorded by mistake, while it is unconfirmed (a confirmed one has earned points). */
  async remove(principal: Principal, projectId: string, deliveryId: string, actor: Actor): Promise<void> {
    this.assertStaff(principal);
    await this.repository.dataSource.transaction(async (manager) => {
      const delivery = await this.repository.findDelivery(deliveryId, manager, true);
      if (!delivery || delivery.projectId !== projectId) throw new ProjectsError('DELIVERY_NOT_FOUND');
      if (!(await this.repository.deleteUnconfirmedDelivery(manager, delivery.id))) throw new ProjectsError('DELIVERY_ALREADY_CONFIRMED');
      await this.record(manager, 'project.delivery_removed', actor, delivery, { outcome: delivery.outcome, deliveredAt: delivery.deliveredAt.toISOString() });
    });
  }

  /** Staff: the deliveries of one project. */
  async ofProject(principal: Principal, projectId: string, filter: DeliveryFilter, page: PageRequest): Promise<Page<Delivery>> {
    this.assertStaff(principal);
    await this.projectOf(projectId);
    const { items, total } = await this.repository.listDeliveries({ projectId }, filter, page);
    return toPage(items, total, page);
  }

  /** A brand's people: the deliveries of their brand's projects, waiting ones first. */
  async ofMyBrand(principal: Principal, filter: DeliveryFilter, page: PageRequest): Promise<Page<Delivery>> {
    const brandId = await this.brandOf(principal);
    const { items, total } = await this.repository.listDeliveries({ brandOrganisationId: brandId }, filter, page);
    return toPage(items, total, page);
  }

  /** The caller's brand organisation, or 403 for anyone who does not belong to a brand. */
  async brandOf(principal: Principal): Promise<string> {
    const organisation = principal.organisationId ? await this.organisations.find(principal.organisationId) : null;
    if (!organisation || organisation.type !== 'brand') throw new ProjectsError('NOT_PROJECT_BRAND');
    return organisation.id;
  }

  /** Whether the caller belongs to a brand (to show the brand's confirmation page). */
  async isBrandUser(principal: Principal): Promise<boolean> {
    if (!principal.organisationId) return false;
    const organisation = await this.organisations.find(principal.organisationId);
    return organisation?.type === 'brand';
  }
}
