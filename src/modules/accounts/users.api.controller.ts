import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import { requestMeta } from './auth.service';
import { CreateUserDto, UpdateUserDto, UserQueryDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('api/v1/users')
export class UsersApiController {
  constructor(private readonly users: UsersService) {}

  /** Staff: everyone. ISV managers: people of their own organisation only. */
  @Get()
  @Roles('platform_staff', 'isv_manager')
  list(@Query() query: UserQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.users.list(
      principal,
      { q: query.q, role: query.role || undefined, organisationId: query.organisationId ?? undefined, active: query.active ? query.active === 'true' : undefined },
      pageRequest(query),
    );
  }

  @Get(':id')
  @Roles('platform_staff', 'isv_manager')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.users.getVisible(principal, id);
  }

  @Post()
  @Roles('platform_staff')
  async create(@Body() body: CreateUserDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const { user, generatedPassword } = await this.users.create({ ...body, password: body.password ?? undefined }, actorOf(principal, requestMeta(req)));
    return generatedPassword ? { ...user, generatedPassword } : user;
  }

  @Patch(':id')
  @Roles('platform_staff')
  update(@Param('id') id: string, @Body() body: UpdateUserDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.users.update(id, body, actorOf(principal, requestMeta(req)));
  }
}
