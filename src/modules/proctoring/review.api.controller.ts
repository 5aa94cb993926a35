import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { ValidationFailed } from '../../infra/http/app-error';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import { AppealDto, AppealQueryDto, DecisionDto, EssayScoreDto, PageQueryDto, ResolveAppealDto } from './dto/proctoring.dto';
import { EssaysService } from './essays.service';
import { ReviewService } from './review.service';
import { metaOf } from './sittings.api.controller';

/** The review queue (flagged attempts), appeals against invalidations, and essay scoring, as JSON. */
@ApiTags('proctoring')
@Controller('api/v1')
export class ReviewApiController {
  constructor(
    private readonly review: ReviewService,
    private readonly essays: EssaysService,
  ) {}

  /** Attempts held for review (state `under_review`): staff see all, a proctor those of their sittings. */
  @Get('review')
  @Roles('platform_staff', 'proctor')
  queue(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.review.queue(principal, pageRequest(query));
  }

  /** One attempt with its incident timeline (transitions, signals, proctor actions, messages, notes) in time order. */
  @Get('review/:attemptId')
  @Roles('platform_staff', 'proctor')
  detail(@Param('attemptId') attemptId: string, @CurrentPrincipal() principal: Principal) {
    return this.review.detail(principal, attemptId);
  }

  /** `clear`: passed or failed by the score; `invalidate`: the attempt does not count (reason required). */
  @Post('review/:attemptId/decision')
  @Roles('platform_staff', 'proctor')
  @HttpCode(200)
  decide(@Param('attemptId') attemptId: string, @Body() body: DecisionDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.review.decide(principal, attemptId, { decision: body.decision, reason: body.reason ?? null }, actorOf(principal, metaOf(req)));
  }

  /** A candidate appeals the invalidation of their attempt — once. */
  @Post('appeals')
  @Roles('candidate', 'isv_manager')
  appeal(@Body() body: AppealDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    if (!body.attemptId) throw new ValidationFailed({ attemptId: ['validation.required'] });
    return this.review.fileAppeal(principal, body.attemptId, body.reason, actorOf(principal, metaOf(req)));
  }

  @Get('appeals')
  @Roles('platform_staff')
  appeals(@Query() query: AppealQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.review.listAppeals(principal, { status: query.status }, pageRequest(query));
  }

  /** `upheld`: the attempt goes back to review for a new decision; `rejected`: it stays invalidated. */
  @Post('appeals/:appealId/resolution')
  @Roles('platform_staff')
  @HttpCode(200)
  resolve(@Param('appealId') appealId: string, @Body() body: ResolveAppealDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.review.resolveAppeal(principal, appealId, body, actorOf(principal, metaOf(req)));
  }

  /** Essay answers waiting for a person, oldest submission first, with the question and rubric (no candidate name). */
  @Get('essays')
  @Roles('platform_staff')
  essayQueue(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.essays.queue(principal.locale, pageRequest(query, 10));
  }

  /** Score an essay in points (of the item's points) or percent; the attempt is decided when nothing is left to score. */
  @Post('essays/:attemptId/items/:itemId/score')
  @Roles('platform_staff')
  @HttpCode(200)
  score(@Param('attemptId') attemptId: string, @Param('itemId') itemId: string, @Body() body: EssayScoreDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.essays.score(attemptId, itemId, { score: body.score, unit: body.unit ?? 'points' }, { ...actorOf(principal, metaOf(req)), id: principal.id });
  }
}
