import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebPages } from '../../infra/http/web-pages';
import { WebForm } from '../../infra/http/web-form';
import { CreateOrganisationDto, OrganisationQueryDto, UpdateOrganisationDto } from './dto/organisation.dto';
import { actorOf, OrganisationsService } from './organisations.service';
import { ORGANISATION_TYPES } from './organisations.types';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

@Controller('admin/organisations')
@Roles('platform_staff')
export class OrganisationsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  async list(@Query() query: OrganisationQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.organisations.list({ q: query.q, type: query.type || undefined }, pageRequest(query));
    return this.pages.render(req, reply, 'organisations/list', 'organisations.title', {
      page,
      types: ORGANISATION_TYPES,
      query: { q: query.q ?? '', type: query.type ?? '' },
    });
  }

  @Get('new')
  newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.pages.render(req, reply, 'organisations/form', 'organisations.new', {
      organisation: { id: null, name: '', type: 'isv', active: true },
      types: ORGANISATION_TYPES,
      errors: {},
    });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forms.handle(req, reply, CreateOrganisationDto, body, {
      run: (dto) => this.organisations.create(dto, actorOf(principal, meta(req))),
      success: (org) => this.pages.redirect(req, reply, `/admin/organisations/${org.id}`, { kind: 'success', key: 'organisations.created', params: { name: org.name } }),
      failure: (errors) =>
        this.pages.render(req, reply, 'organisations/form', 'organisations.new', { organisation: { id: null, ...body }, types: ORGANISATION_TYPES, errors }, 400),
    });
  }

  @Get(':id')
  async edit(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const organisation = await this.organisations.get(id);
    return this.pages.render(req, reply, 'organisations/form', 'organisations.edit', { organisation, types: ORGANISATION_TYPES, errors: {} });
  }

  @Post(':id')
  async update(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const current = await this.organisations.get(id);
    const input = { ...body, active: body.active === 'on' || body.active === 'true' };
    delete (input as Record<string, unknown>)._csrf;
    return this.forms.handle(req, reply, UpdateOrganisationDto, input, {
      run: (dto) => this.organisations.update(id, dto, actorOf(principal, meta(req))),
      success: (org) => this.pages.redirect(req, reply, `/admin/organisations/${org.id}`, { kind: 'success', key: 'organisations.saved', params: { name: org.name } }),
      failure: (errors) =>
        this.pages.render(req, reply, 'organisations/form', 'organisations.edit', { organisation: { ...current, ...body, id }, types: ORGANISATION_TYPES, errors }, 400),
    });
  }
}
