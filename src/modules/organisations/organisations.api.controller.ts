import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { CreateOrganisationDto, OrganisationQueryDto, UpdateOrganisationDto } from './dto/organisation.dto';
import { actorOf, OrganisationsService } from './organisations.service';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

@ApiTags('organisations')
@Controller('api/v1/organisations')
@Roles('platform_staff')
export class OrganisationsApiController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  list(@Query() query: OrganisationQueryDto) {
    return this.organisations.list({ q: query.q, type: query.type || undefined }, pageRequest(query));
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.organisations.get(id);
  }

  @Post()
  create(@Body() body: CreateOrganisationDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.organisations.create(body, actorOf(principal, meta(req)));
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() body: UpdateOrganisationDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.organisations.update(id, body, actorOf(principal, meta(req)));
  }
}
