import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal } from '../../infra/http/access';
import { AttemptResultsService } from './attempt-results.service';
import { AttemptsService, AttemptView, Meta } from './attempts.service';
import { SignalDto } from './dto/attempts.dto';
import { ExamsService } from './exams.service';

/** The exam page's client session (one per open page); see AttemptsService.view for the rule. */
export const SESSION_HEADER = 'x-attempt-session';

export function metaOf(req: FastifyRequest): Meta {
  const header = req.headers[SESSION_HEADER];
  const session = typeof header === 'string' && /^[\w-]{8,64}$/.test(header) ? header : null;
  return { ip: req.ip ?? null, clientSession: session };
}

const startPayload = (view: AttemptView) => ({ ...view, items: view.items });

@ApiTags('exams')
@Controller('api/v1')
@Authenticated()
@ApiHeader({ name: SESSION_HEADER, required: false, description: 'exam page session id; the most recently opened session of an attempt wins' })
export class AttemptsApiController {
  constructor(
    private readonly exams: ExamsService,
    private readonly attempts: AttemptsService,
    private readonly results: AttemptResultsService,
  ) {}

  /** Exams open to me, with whether I may take them now and why not. */
  @Get('exams')
  list(@CurrentPrincipal() principal: Principal) {
    return this.exams.listForCandidate(principal);
  }

  /** Start (or resume) an attempt: a practice exam, or a certification exam I am admitted to in an open sitting. */
  @Post('exams/:examId/attempts')
  async start(@Param('examId') examId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { view, created } = await this.attempts.start(principal, examId, metaOf(req));
    void reply.status(created ? 201 : 200);
    return startPayload(view);
  }

  @Get('attempts/:attemptId')
  get(@Param('attemptId') attemptId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.attempts.view(principal, attemptId, metaOf(req));
  }

  // PUT attempts/:attemptId/answers/:itemId (the autosave) is a lean route: see autosave.route.ts.

  @Post('attempts/:attemptId/events')
  @HttpCode(202)
  async event(@Param('attemptId') attemptId: string, @Body() body: SignalDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return { accepted: true, ...(await this.attempts.recordSignal(principal, attemptId, body, metaOf(req))) };
  }

  // POST attempts/:attemptId/submission is a lean route too: see autosave.route.ts.

  @Get('attempts/:attemptId/result')
  result(@Param('attemptId') attemptId: string, @CurrentPrincipal() principal: Principal) {
    return this.results.result(principal, attemptId);
  }
}
