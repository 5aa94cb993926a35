import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, ROLES, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { actorOf, OrganisationsService } from '../organisations/organisations.service';
import { requestMeta } from './auth.service';
import { CreateUserDto, UpdateUserDto, UserQueryDto } from './dto/user.dto';
import { UsersService } from './users.service';

@Controller('people')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly organisations: OrganisationsService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  @Roles('platform_staff', 'isv_manager')
  async list(@Query() query: UserQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.users.list(
      principal,
      { q: query.q, role: query.role || undefined, organisationId: query.organisationId ?? undefined, active: query.active ? query.active === 'true' : undefined },
      pageRequest(query),
    );
    const isStaff = principal.role === 'platform_staff';
    return this.pages.render(req, reply, 'accounts/people', isStaff ? 'people.title' : 'people.myStaff', {
      page,
      isStaff,
      roles: ROLES,
      organisations: isStaff ? await this.organisations.options() : [],
      query: { q: query.q ?? '', role: query.role ?? '', organisationId: query.organisationId ?? '', active: query.active ?? '' },
    });
  }

  @Get('new')
  @Roles('platform_staff')
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderForm(req, reply, { id: null, email: '', name: '', role: 'candidate', organisationId: '', active: true, timeMultiplier: 1 }, {});
  }

  @Post()
  @Roles('platform_staff')
  async create(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forms.handle(req, reply, CreateUserDto, body, {
      run: (dto) => this.users.create({ ...dto, password: dto.password ?? undefined }, actorOf(principal, requestMeta(req))),
      success: ({ user, generatedPassword }) =>
        generatedPassword
          ? this.pages.redirect(req, reply, `/people/${user.id}`, { kind: 'success', key: 'people.createdWithPassword', params: { email: user.email, password: generatedPassword } })
          : this.pages.redirect(req, reply, `/people/${user.id}`, { kind: 'success', key: 'people.created', params: { email: user.email } }),
      failure: (errors) => this.renderForm(req, reply, { id: null, ...body, active: true, timeMultiplier: 1 }, errors, 400),
    });
  }

  @Get(':id')
  @Roles('platform_staff', 'isv_manager')
  async view(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const user = await this.users.getVisible(principal, id);
    if (principal.role !== 'platform_staff') {
      return this.pages.render(req, reply, 'accounts/person', 'people.person', { person: user });
    }
    return this.renderForm(req, reply, user, {});
  }

  @Post(':id')
  @Roles('platform_staff')
  async update(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const current = await this.users.getVisible(principal, id);
    const input = { ...body, active: body.active === 'on' || body.active === 'true' };
    return this.forms.handle(req, reply, UpdateUserDto, input, {
      run: (dto) => this.users.update(id, dto, actorOf(principal, requestMeta(req))),
      success: (user) => this.pages.redirect(req, reply, `/people/${user.id}`, { kind: 'success', key: 'people.saved', params: { email: user.email } }),
      failure: (errors) => this.renderForm(req, reply, { ...current, ...body, id }, errors, 400),
    });
  }

  private async renderForm(req: FastifyRequest, reply: FastifyReply, person: Record<string, unknown> | object, errors: Record<string, string>, status = 200) {
    const p = person as { id: string | null };
    return this.pages.render(
      req,
      reply,
      'accounts/person-form',
      p.id ? 'people.edit' : 'people.new',
      { person, errors, roles: ROLES, organisations: await this.organisations.options() },
      status,
    );
  }
}
