import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { AppError } from '../../infra/http/app-error';
import { pageRequest } from '../../infra/http/pagination';
import { FormErrors, WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { translate } from '../../infra/i18n/i18n';
import { actorOf } from '../organisations/organisations.service';
import { backfillEarliest, chinaDay } from './domain/delivery-dates';
import {
  confirmedFilter,
  CreateProjectDto,
  DeliveryDto,
  DeliveryListQueryDto,
  GrantFormDto,
  GrantListQueryDto,
  ProjectListQueryDto,
  RevokeGrantDto,
  UpdateProjectDto,
} from './dto/projects.dto';
import { problemParams, ProjectAccess } from './project-access.service';
import { ProjectDeliveriesService } from './project-deliveries.service';
import { CurrentProjectAccess, ProjectGated } from './project-gate';
import { MemberRow, ProjectGrantsService } from './project-grants.service';
import { metaOf } from './projects.presenters';
import { ProjectsService } from './projects.service';
import { Delivery, DELIVERY_OUTCOMES, GRANT_ROLES, GRANT_STATUSES, PROJECT_STAGES, PROJECT_STATUSES, Project } from './projects.types';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

const STATUS_BADGE: Record<string, string> = { active: 'published', paused: 'in_progress', closed: 'archived' };
const STANDING_BADGE: Record<string, string> = { active: 'published', expiring: 'in_progress', expired: 'overdue', revoked: 'overdue', none: 'archived' };
const GRANT_BADGE: Record<string, string> = { active: 'published', withdrawn: 'overdue', revoked_by_staff: 'archived' };

const projectRow = (p: Project) => ({ ...p, badge: STATUS_BADGE[p.status] });
const memberRow = (m: MemberRow) => ({
  ...m.grant,
  badge: GRANT_BADGE[m.grant.status],
  standing: m.standing,
  standingBadge: STANDING_BADGE[m.standing],
  certificateSerial: m.certificate?.serial ?? null,
  withdrawalSerial: m.grant.withdrawalCertificateSerial ?? '—',
  certificateExpiresAt: m.certificate?.expiresAt ?? null,
  reinstatable: m.reinstatable,
});
const deliveryRow = (d: Delivery) => ({ ...d, deliveredDay: chinaDay(d.deliveredAt), confirmed: d.brandConfirmedAt !== null });

interface ProjectFormValues {
  brandOrganisationId: string;
  name: string;
  description: string;
  stage: string;
  status: string;
}

/**
 * Project pages. Staff: the project list, create and edit, each project's members with their
 * certificate status, grants (refusals shown on the form), revoke, reinstate, deliveries. A member:
 * "my projects" and the project page — behind the ProjectGate like every `:projectId` route. A
 * brand's people: their brand's deliveries to confirm.
 */
@Controller()
@Authenticated()
@ProjectGated()
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly grants: ProjectGrantsService,
    private readonly deliveries: ProjectDeliveriesService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  // ---- lists -------------------------------------------------------------------------------------

  @Get('projects')
  async list(@Query() query: ProjectListQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (principal.role !== 'platform_staff') return this.mine(principal, query, req, reply);
    const filter = { q: query.q, status: query.status, stage: query.stage, brandOrganisationId: query.brand };
    const page = await this.projects.list(principal, filter, pageRequest(query));
    return this.pages.render(req, reply, 'projects/list', 'projects.list.title', {
      page: { ...page, items: page.items.map(projectRow) },
      query: { q: query.q ?? '', status: query.status ?? '', stage: query.stage ?? '', brand: query.brand ?? '' },
      statuses: PROJECT_STATUSES,
      stages: PROJECT_STAGES,
      brands: await this.projects.brandOptions(),
    });
  }

  private async mine(principal: Principal, query: ProjectListQueryDto, req: FastifyRequest, reply: FastifyReply) {
    const mine = await this.projects.listMine(principal, pageRequest(query));
    const suspended = mine.suspended
      ? { grants: mine.suspended.grants, message: translate(req.locale, `projects.mine.suspended.${mine.suspended.problem.reason}`, { ...problemParams(mine.suspended.problem), count: mine.suspended.grants }) }
      : null;
    return this.pages.render(req, reply, 'projects/mine', 'projects.mine.title', {
      page: { ...mine.page, items: mine.page.items.map((m) => ({ ...projectRow(m.project), role: m.role, grantedAt: m.grantedAt })) },
      query: {},
      suspended,
      brandUser: await this.deliveries.isBrandUser(principal),
    });
  }

  // ---- create and edit -----------------------------------------------------------------------------

  @Get('projects/new')
  @Roles('platform_staff')
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderProjectForm(req, reply, { mode: 'new', values: { brandOrganisationId: '', name: '', description: '', stage: '', status: 'active' }, errors: {} });
  }

  @Post('projects')
  @Roles('platform_staff')
  async create(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const values = this.projectValues(body);
    return this.forms.handle(req, reply, CreateProjectDto, body, {
      run: (dto) =>
        this.projects.create(principal, { brandOrganisationId: dto.brandOrganisationId, name: dto.name, description: dto.description ?? '', stage: dto.stage, status: dto.status ?? 'active' }, actorOf(principal, metaOf(req))),
      success: (project) => this.pages.redirect(req, reply, `/projects/${project.id}`, { kind: 'success', key: 'projects.flash.created' }),
      failure: (errors) => this.renderProjectForm(req, reply, { mode: 'new', values, errors }, 400),
    });
  }

  @Get('projects/:projectId/edit')
  @Roles('platform_staff')
  async editForm(@CurrentProjectAccess() access: ProjectAccess, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const p = access.project;
    return this.renderProjectForm(req, reply, { mode: 'edit', id: p.id, values: { brandOrganisationId: p.brandOrganisationId, name: p.name, description: p.description, stage: p.stage, status: p.status }, errors: {} });
  }

  @Post('projects/:projectId/edit')
  @Roles('platform_staff')
  async update(@Param('projectId') projectId: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const values = this.projectValues(body);
    return this.forms.handle(req, reply, UpdateProjectDto, body, {
      run: (dto) => this.projects.update(principal, projectId, dto, actorOf(principal, metaOf(req))),
      success: () => this.pages.redirect(req, reply, `/projects/${projectId}`, { kind: 'success', key: 'projects.flash.updated' }),
      failure: (errors) => this.renderProjectForm(req, reply, { mode: 'edit', id: projectId, values, errors }, 400),
    });
  }

  // ---- the project page ----------------------------------------------------------------------------

  @Get('projects/:projectId')
  async detail(@CurrentProjectAccess() access: ProjectAccess, @Query() query: GrantListQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!access.asStaff) {
      const team = await this.projects.team(access);
      return this.pages.render(req, reply, 'projects/detail', 'projects.detail.title', {
        project: projectRow(access.project),
        myRole: access.grant?.role ?? '',
        certificate: access.certificate,
        team,
      });
    }
    return this.staffDetail(req, reply, principal, access, query, { values: { email: '', role: 'planner' }, errors: {} });
  }

  private async staffDetail(
    req: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    access: ProjectAccess,
    query: GrantListQueryDto,
    grantForm: { values: { email: string; role: string }; errors: FormErrors },
    status = 200,
  ) {
    const page = await this.grants.members(principal, access.project.id, { status: query.status }, pageRequest(query));
    return this.pages.render(
      req,
      reply,
      'projects/staff-detail',
      'projects.detail.title',
      {
        project: projectRow(access.project),
        page: { ...page, items: page.items.map(memberRow) },
        query: { status: query.status ?? '' },
        grantStatuses: GRANT_STATUSES,
        roles: GRANT_ROLES,
        grantForm,
      },
      status,
    );
  }

  // ---- grants -------------------------------------------------------------------------------------

  @Post('projects/:projectId/grants')
  @Roles('platform_staff')
  async grant(@CurrentProjectAccess() access: ProjectAccess, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const values = { email: text(body.email), role: text(body.role) || 'planner' };
    return this.forms.handle(req, reply, GrantFormDto, { email: body.email, role: body.role }, {
      run: (dto) => this.grants.grant(principal, access.project.id, { person: { email: dto.email }, role: dto.role }, actorOf(principal, metaOf(req))),
      success: (grant) => this.pages.redirect(req, reply, `/projects/${access.project.id}`, { kind: 'success', key: 'projects.flash.granted', params: { name: grant.userName } }),
      failure: (errors) => this.staffDetail(req, reply, principal, access, {}, { values, errors }, 422),
    });
  }

  @Post('projects/:projectId/grants/:grantId/revoke')
  @Roles('platform_staff')
  async revoke(@Param('projectId') projectId: string, @Param('grantId') grantId: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const back = `/projects/${projectId}`;
    return this.forms.handle(req, reply, RevokeGrantDto, { reason: body.reason }, {
      run: (dto) => this.grants.revoke(principal, projectId, grantId, dto.reason ?? null, actorOf(principal, metaOf(req))),
      success: () => this.pages.redirect(req, reply, back, { kind: 'success', key: 'projects.flash.revoked' }),
      // Messages arrive translated; a translated message passes through translate() unchanged.
      failure: (errors) => this.pages.redirect(req, reply, back, { kind: 'error', key: errors._form ?? Object.values(errors)[0] ?? 'errors.validation' }),
    });
  }

  @Post('projects/:projectId/grants/:grantId/reinstate')
  @Roles('platform_staff')
  async reinstate(@Param('projectId') projectId: string, @Param('grantId') grantId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(req, reply, `/projects/${projectId}`, 'projects.flash.reinstated', async () => {
      await this.grants.reinstate(principal, projectId, grantId, actorOf(principal, metaOf(req)));
    });
  }

  // ---- deliveries ---------------------------------------------------------------------------------

  @Get('projects/:projectId/deliveries')
  @Roles('platform_staff')
  async deliveriesPage(@CurrentProjectAccess() access: ProjectAccess, @Query() query: DeliveryListQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderDeliveries(req, reply, principal, access, query, { values: { organisationId: '', outcome: '', deliveredAt: '', note: '' }, errors: {} });
  }

  @Post('projects/:projectId/deliveries')
  @Roles('platform_staff')
  async recordDelivery(@CurrentProjectAccess() access: ProjectAccess, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const values = { organisationId: text(body.organisationId), outcome: text(body.outcome), deliveredAt: text(body.deliveredAt), note: text(body.note) };
    return this.forms.handle(req, reply, DeliveryDto, body, {
      run: (dto) => this.deliveries.recordDelivery(principal, access.project.id, { organisationId: dto.organisationId, outcome: dto.outcome, deliveredAt: dto.deliveredAt, note: dto.note ?? '' }, actorOf(principal, metaOf(req))),
      success: () => this.pages.redirect(req, reply, `/projects/${access.project.id}/deliveries`, { kind: 'success', key: 'projects.flash.deliveryRecorded' }),
      failure: (errors) => this.renderDeliveries(req, reply, principal, access, {}, { values, errors }, 400),
    });
  }

  @Post('projects/:projectId/deliveries/:deliveryId/confirm')
  @Roles('platform_staff')
  async confirmOnBehalf(@Param('projectId') projectId: string, @Param('deliveryId') deliveryId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(req, reply, `/projects/${projectId}/deliveries`, 'projects.flash.deliveryConfirmed', async () => {
      await this.deliveries.confirm(principal, deliveryId, actorOf(principal, metaOf(req)), projectId);
    });
  }

  @Post('projects/:projectId/deliveries/:deliveryId/remove')
  @Roles('platform_staff')
  async removeDelivery(@Param('projectId') projectId: string, @Param('deliveryId') deliveryId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(req, reply, `/projects/${projectId}/deliveries`, 'projects.flash.deliveryRemoved', async () => {
      await this.deliveries.remove(principal, projectId, deliveryId, actorOf(principal, metaOf(req)));
    });
  }

  private async renderDeliveries(
    req: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    access: ProjectAccess,
    query: DeliveryListQueryDto,
    form: { values: Record<string, string>; errors: FormErrors },
    status = 200,
  ) {
    const now = new Date();
    const page = await this.deliveries.ofProject(principal, access.project.id, { confirmed: confirmedFilter(query.status) }, pageRequest(query));
    return this.pages.render(
      req,
      reply,
      'projects/deliveries',
      'projects.deliveries.title',
      {
        project: projectRow(access.project),
        page: { ...page, items: page.items.map(deliveryRow) },
        query: { status: query.status ?? '' },
        isvs: await this.deliveries.participatingIsvs(access.project.id),
        outcomes: DELIVERY_OUTCOMES,
        earliest: chinaDay(backfillEarliest(now)),
        today: chinaDay(now),
        form,
      },
      status,
    );
  }

  // ---- a brand's people -----------------------------------------------------------------------------

  @Get('brand/deliveries')
  async brandDeliveries(@Query() query: DeliveryListQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const status = query.status ?? 'pending';
    const page = await this.deliveries.ofMyBrand(principal, { confirmed: confirmedFilter(status) }, pageRequest(query));
    return this.pages.render(req, reply, 'projects/brand-deliveries', 'projects.brand.title', {
      page: { ...page, items: page.items.map(deliveryRow) },
      query: { status },
    });
  }

  @Post('brand/deliveries/:deliveryId/confirm')
  async confirm(@Param('deliveryId') deliveryId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(req, reply, '/brand/deliveries', 'projects.flash.deliveryConfirmed', async () => {
      await this.deliveries.confirm(principal, deliveryId, actorOf(principal, metaOf(req)));
    });
  }

  // ---- shared steps ---------------------------------------------------------------------------------

  /** A one-button action: redirect back with a success message, or with what went wrong (4xx). */
  private async act(req: FastifyRequest, reply: FastifyReply, back: string, successKey: string, run: () => Promise<void>) {
    try {
      await run();
      return this.pages.redirect(req, reply, back, { kind: 'success', key: successKey });
    } catch (error) {
      if (error instanceof AppError && error.status < 500 && error.status !== 403 && error.status !== 404) {
        return this.pages.redirect(req, reply, back, { kind: 'error', key: error.messageKey, params: error.params });
      }
      throw error;
    }
  }

  private projectValues(body: Record<string, unknown>): ProjectFormValues {
    return { brandOrganisationId: text(body.brandOrganisationId), name: text(body.name), description: text(body.description), stage: text(body.stage), status: text(body.status) };
  }

  private async renderProjectForm(req: FastifyRequest, reply: FastifyReply, form: { mode: 'new' | 'edit'; id?: string; values: ProjectFormValues; errors: FormErrors }, status = 200) {
    return this.pages.render(
      req,
      reply,
      'projects/form',
      form.mode === 'new' ? 'projects.form.newTitle' : 'projects.form.editTitle',
      {
        mode: form.mode,
        action: form.mode === 'new' ? '/projects' : `/projects/${form.id}/edit`,
        cancel: form.mode === 'new' ? '/projects' : `/projects/${form.id}`,
        values: form.values,
        errors: form.errors,
        brands: await this.projects.brandOptions(),
        stages: PROJECT_STAGES,
        statuses: PROJECT_STATUSES,
      },
      status,
    );
  }
}
