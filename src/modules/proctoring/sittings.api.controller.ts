import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import { ConsoleStreams } from './console-stream';
import { CreateSittingDto, PageQueryDto, ProctorsDto, RegisterDto, SittingQueryDto, UpdateSittingDto } from './dto/proctoring.dto';
import { ProctorConsoleService } from './proctor-console.service';
import { SittingsService } from './sittings.service';

export const metaOf = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

/** Sittings as JSON: staff schedule them, proctors read theirs and watch them live, candidates register. */
@ApiTags('proctoring')
@Controller('api/v1/sittings')
export class SittingsApiController {
  constructor(
    private readonly sittings: SittingsService,
    private readonly console: ProctorConsoleService,
    private readonly streams: ConsoleStreams,
  ) {}

  /** Staff: every sitting; a proctor: the sittings assigned to them. `phase` filters by the start window. */
  @Get()
  @Roles('platform_staff', 'proctor')
  list(@Query() query: SittingQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sittings.list(principal, query.phase, pageRequest(query));
  }

  /** For candidates: sittings not yet closed of the certification exams I may take, my registrations, and why other exams are closed to me. */
  @Get('available')
  @Authenticated()
  available(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.sittings.forCandidate(principal, pageRequest(query));
  }

  @Post()
  @Roles('platform_staff')
  create(@Body() body: CreateSittingDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.sittings.create(body, actorOf(principal, metaOf(req)));
  }

  @Get(':id')
  @Roles('platform_staff', 'proctor')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.sittings.getForProctor(principal, id);
  }

  @Patch(':id')
  @Roles('platform_staff')
  update(@Param('id') id: string, @Body() body: UpdateSittingDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.sittings.update(id, body, actorOf(principal, metaOf(req)));
  }

  @Put(':id/proctors')
  @Roles('platform_staff')
  proctors(@Param('id') id: string, @Body() body: ProctorsDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.sittings.setProctors(id, body.proctorIds, actorOf(principal, metaOf(req)));
  }

  /** The roster: every registration of the sitting with its state (the console rows). */
  @Get(':id/registrations')
  @Roles('platform_staff', 'proctor')
  async registrations(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return (await this.console.snapshot(principal, id)).attempts;
  }

  /** Register myself with the access code. 201 with the attempt (state `registered`, or `admitted` with its `notBefore` when the sitting auto-admits). */
  @Post(':id/registrations')
  @Roles('candidate', 'isv_manager')
  register(@Param('id') id: string, @Body() body: RegisterDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.sittings.register(principal, id, body.accessCode, actorOf(principal, metaOf(req)));
  }

  /** Withdraw my registration (before admission; in an auto-admitting sitting, before the start). */
  @Delete(':id/registrations/mine')
  @Roles('candidate', 'isv_manager')
  @HttpCode(200)
  withdraw(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.sittings.withdraw(principal, id, actorOf(principal, metaOf(req)));
  }

  /** The console as it stands: the sitting and every attempt with state, time left, answered count and flags. */
  @Get(':id/console')
  @Roles('platform_staff', 'proctor')
  snapshot(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.console.snapshot(principal, id);
  }

  /**
   * The console live, as server-sent events: `snapshot` (the whole console) once, then
   * `attempt` whenever an attempt changes ({serverTime, attempt}); `: heartbeat` comments when
   * nothing happens; `closed` if the caller stops being a proctor of the sitting.
   */
  @Get(':id/console/stream')
  @Roles('platform_staff', 'proctor')
  async stream(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.streams.serve(principal, id, req, reply);
  }
}
