import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { actorOf } from '../organisations/organisations.service';
import { AddTimeDto, AdmitDto, MessageDto, NoteDto, ReasonDto, TerminateDto } from './dto/proctoring.dto';
import { ConsoleAction, ProctorConsoleService } from './proctor-console.service';
import { metaOf } from './sittings.api.controller';

/**
 * A proctor's actions on one attempt of a sitting they proctor (staff: any sitting). Each
 * answers with the attempt's console row as it now stands. 403 NOT_YOUR_SITTING otherwise;
 * 409 TRANSITION_REFUSED when the attempt is not in a state the action applies to.
 */
@ApiTags('proctoring')
@Controller('api/v1/proctoring/attempts/:attemptId')
@Roles('proctor', 'platform_staff')
export class ProctorApiController {
  constructor(private readonly console: ProctorConsoleService) {}

  private act(req: FastifyRequest, principal: Principal, attemptId: string, action: ConsoleAction) {
    return this.console.act(principal, attemptId, action, actorOf(principal, metaOf(req)));
  }

  /** Admit after checking the candidate's identity document (type and last four characters are recorded). */
  @Post('admission')
  @HttpCode(200)
  admit(@Param('attemptId') attemptId: string, @Body() body: AdmitDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.act(req, principal, attemptId, { kind: 'admit', documentType: body.documentType, documentLast4: body.documentLast4, note: body.note ?? null });
  }

  /** Pause: the clock stops until resumed. */
  @Post('pause')
  @HttpCode(200)
  pause(@Param('attemptId') attemptId: string, @Body() body: ReasonDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.act(req, principal, attemptId, { kind: 'pause', reason: body.reason ?? null });
  }

  /** Resume: the deadline moves by the time spent paused. */
  @Post('resume')
  @HttpCode(200)
  resume(@Param('attemptId') attemptId: string, @Body() body: ReasonDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.act(req, principal, attemptId, { kind: 'resume', reason: body.reason ?? null });
  }

  /** Extra minutes: the deadline moves (in progress or paused). */
  @Post('time')
  @HttpCode(200)
  addTime(@Param('attemptId') attemptId: string, @Body() body: AddTimeDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.act(req, principal, attemptId, { kind: 'addTime', minutes: body.minutes, reason: body.reason ?? null });
  }

  /** A message the candidate's exam page shows at its next heartbeat. */
  @Post('messages')
  @HttpCode(200)
  message(@Param('attemptId') attemptId: string, @Body() body: MessageDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.act(req, principal, attemptId, { kind: 'message', text: body.text });
  }

  /** End the attempt now (reason required): it is submitted as it stands and flagged, so its result goes to review. */
  @Post('termination')
  @HttpCode(200)
  terminate(@Param('attemptId') attemptId: string, @Body() body: TerminateDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.act(req, principal, attemptId, { kind: 'terminate', reason: body.reason });
  }

  /** Note an irregularity on the timeline; with `flag`, the result is held for review. */
  @Post('notes')
  @HttpCode(200)
  note(@Param('attemptId') attemptId: string, @Body() body: NoteDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.act(req, principal, attemptId, { kind: 'note', text: body.text, flag: body.flag ?? false });
  }
}
