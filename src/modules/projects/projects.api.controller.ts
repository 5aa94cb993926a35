import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import { confirmedFilter, CreateProjectDto, DeliveryDto, DeliveryListQueryDto, GrantDto, GrantListQueryDto, ProjectListQueryDto, RevokeGrantDto, UpdateProjectDto } from './dto/projects.dto';
import { ProjectAccess } from './project-access.service';
import { ProjectDeliveriesService } from './project-deliveries.service';
import { CurrentProjectAccess, ProjectGated } from './project-gate';
import { ProjectGrantsService } from './project-grants.service';
import { deliveryJson, grantJson, memberJson, memberProjectsJson, metaOf, pageJson, projectJson } from './projects.presenters';
import { ProjectsService } from './projects.service';

/**
 * TMIC projects as JSON (session or API token). Every `:projectId` route passes the ProjectGate:
 * staff, or a person with an active grant on that project and a valid certificate right now;
 * anyone else gets a 403 that says why. Administration (create, edit, grants, deliveries) is
 * staff-only; a brand's people confirm their brand's deliveries under /brand/deliveries.
 */
@ApiTags('projects')
@Controller('api/v1')
@Authenticated()
@ProjectGated()
export class ProjectsApiController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly grants: ProjectGrantsService,
    private readonly deliveries: ProjectDeliveriesService,
  ) {}

  // ---- projects ----------------------------------------------------------------------------------

  /** Staff: every project (search, filter, paginated). Anyone else: the projects they may open now. */
  @Get('projects')
  async list(@Query() query: ProjectListQueryDto, @CurrentPrincipal() principal: Principal) {
    if (principal.role === 'platform_staff') {
      return pageJson(await this.projects.list(principal, { q: query.q, status: query.status, stage: query.stage, brandOrganisationId: query.brand }, pageRequest(query)), projectJson);
    }
    return memberProjectsJson(await this.projects.listMine(principal, pageRequest(query)));
  }

  @Post('projects')
  @Roles('platform_staff')
  async create(@Body() body: CreateProjectDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const input = { brandOrganisationId: body.brandOrganisationId, name: body.name, description: body.description ?? '', stage: body.stage, status: body.status ?? 'active' };
    return projectJson(await this.projects.create(principal, input, actorOf(principal, metaOf(req))));
  }

  /** The project; for a member also their role and the team. */
  @Get('projects/:projectId')
  async get(@CurrentProjectAccess() access: ProjectAccess) {
    const team = await this.projects.team(access);
    return {
      ...projectJson(access.project),
      myRole: access.grant?.role ?? null,
      team: team.map((g) => ({ userId: g.userId, name: g.userName, organisation: g.userOrganisationName, role: g.role })),
    };
  }

  @Patch('projects/:projectId')
  @Roles('platform_staff')
  async update(@Param('projectId') projectId: string, @Body() body: UpdateProjectDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return projectJson(await this.projects.update(principal, projectId, body, actorOf(principal, metaOf(req))));
  }

  // ---- grants ------------------------------------------------------------------------------------

  /** Staff: the project's grants (active first, then history) with each member's certificate status. */
  @Get('projects/:projectId/grants')
  @Roles('platform_staff')
  async members(@Param('projectId') projectId: string, @Query() query: GrantListQueryDto, @CurrentPrincipal() principal: Principal) {
    return pageJson(await this.grants.members(principal, projectId, { status: query.status }, pageRequest(query)), memberJson);
  }

  /** Staff: 201 with the grant; 422 CERTIFICATE_REQUIRED (with the reason) when the person holds no valid certificate. */
  @Post('projects/:projectId/grants')
  @Roles('platform_staff')
  async grant(@Param('projectId') projectId: string, @Body() body: GrantDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return grantJson(await this.grants.grant(principal, projectId, { person: { userId: body.userId }, role: body.role }, actorOf(principal, metaOf(req))));
  }

  @Post('projects/:projectId/grants/:grantId/revocation')
  @Roles('platform_staff')
  @HttpCode(200)
  async revoke(@Param('projectId') projectId: string, @Param('grantId') grantId: string, @Body() body: RevokeGrantDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return grantJson(await this.grants.revoke(principal, projectId, grantId, body.reason ?? null, actorOf(principal, metaOf(req))));
  }

  /** Staff: 201 with the new grant; 422 CERTIFICATE_REQUIRED while the person holds no valid certificate. */
  @Post('projects/:projectId/grants/:grantId/reinstatement')
  @Roles('platform_staff')
  async reinstate(@Param('projectId') projectId: string, @Param('grantId') grantId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return grantJson(await this.grants.reinstate(principal, projectId, grantId, actorOf(principal, metaOf(req))));
  }

  // ---- deliveries --------------------------------------------------------------------------------

  @Get('projects/:projectId/deliveries')
  @Roles('platform_staff')
  async projectDeliveries(@Param('projectId') projectId: string, @Query() query: DeliveryListQueryDto, @CurrentPrincipal() principal: Principal) {
    return pageJson(await this.deliveries.ofProject(principal, projectId, { confirmed: confirmedFilter(query.status) }, pageRequest(query)), deliveryJson);
  }

  /** Staff: 201; counts for the ISV's score once the brand confirms it. */
  @Post('projects/:projectId/deliveries')
  @Roles('platform_staff')
  async recordDelivery(@Param('projectId') projectId: string, @Body() body: DeliveryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const input = { organisationId: body.organisationId, outcome: body.outcome, deliveredAt: body.deliveredAt, note: body.note ?? '' };
    return deliveryJson(await this.deliveries.recordDelivery(principal, projectId, input, actorOf(principal, metaOf(req))));
  }

  /** Staff confirm on the brand's behalf (recorded as such). */
  @Post('projects/:projectId/deliveries/:deliveryId/confirmation')
  @Roles('platform_staff')
  @HttpCode(200)
  async confirmOnBehalf(@Param('projectId') projectId: string, @Param('deliveryId') deliveryId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return deliveryJson(await this.deliveries.confirm(principal, deliveryId, actorOf(principal, metaOf(req)), projectId));
  }

  /** Staff remove an unconfirmed delivery recorded by mistake. */
  @Delete('projects/:projectId/deliveries/:deliveryId')
  @Roles('platform_staff')
  @HttpCode(204)
  async removeDelivery(@Param('projectId') projectId: string, @Param('deliveryId') deliveryId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest): Promise<void> {
    await this.deliveries.remove(principal, projectId, deliveryId, actorOf(principal, metaOf(req)));
  }

  // ---- a brand's people ----------------------------------------------------------------------------

  /** The deliveries of the caller's brand's projects (403 for anyone not of a brand). */
  @Get('brand/deliveries')
  async brandDeliveries(@Query() query: DeliveryListQueryDto, @CurrentPrincipal() principal: Principal) {
    return pageJson(await this.deliveries.ofMyBrand(principal, { confirmed: confirmedFilter(query.status) }, pageRequest(query)), deliveryJson);
  }

  /** A person of the project's brand confirms a delivery; writes the ISV's score event. */
  @Post('brand/deliveries/:deliveryId/confirmation')
  @HttpCode(200)
  async confirm(@Param('deliveryId') deliveryId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return deliveryJson(await this.deliveries.confirm(principal, deliveryId, actorOf(principal, metaOf(req))));
  }
}
