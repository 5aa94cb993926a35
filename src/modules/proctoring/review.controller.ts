import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { FormErrors, WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { actorOf } from '../organisations/organisations.service';
import { AppealQueryDto, DecisionDto, PageQueryDto, ResolveAppealDto } from './dto/proctoring.dto';
import { translate } from '../../infra/i18n/i18n';
import { formatDateTime } from '../../infra/views/view-renderer';
import { firstError, redirectWithMessage, timeText } from './proctoring.presenters';
import { ReviewService } from './review.service';
import { metaOf } from './sittings.api.controller';

/** The review queue, one attempt's timeline and decision, and the appeals (staff). */
@Controller('review')
@Roles('platform_staff', 'proctor')
export class ReviewController {
  constructor(
    private readonly review: ReviewService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  async queue(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.review.queue({ ...principal, locale: req.locale }, pageRequest(query));
    return this.pages.render(req, reply, 'proctoring/review-queue', 'proctoring.review.title', { page, query: {}, staff: principal.role === 'platform_staff' });
  }

  @Get('appeals')
  @Roles('platform_staff')
  async appeals(@Query() query: AppealQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const status = query.status ?? 'open';
    const page = await this.review.listAppeals({ ...principal, locale: req.locale }, { status }, pageRequest(query));
    return this.pages.render(req, reply, 'proctoring/appeals', 'proctoring.appeals.title', { page, query: { status }, statuses: ['open', 'upheld', 'rejected'] });
  }

  @Post('appeals/:appealId/resolution')
  @Roles('platform_staff')
  async resolve(@Param('appealId') appealId: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const back = typeof body.attemptId === 'string' && /^[0-9a-f-]{36}$/i.test(body.attemptId) ? `/review/${body.attemptId}` : '/review/appeals';
    return this.forms.handle(req, reply, ResolveAppealDto, { outcome: body.outcome, resolution: body.resolution }, {
      run: (dto) => this.review.resolveAppeal(principal, appealId, dto, actorOf(principal, metaOf(req))),
      success: (appeal) => this.pages.redirect(req, reply, `/review/${appeal.attemptId}`, { kind: 'success', key: appeal.status === 'upheld' ? 'proctoring.appeals.upheld' : 'proctoring.appeals.rejected' }),
      failure: (errors) => redirectWithMessage(req, reply, back, 'error', firstError(errors)),
    });
  }

  @Get(':attemptId')
  async detail(@Param('attemptId') attemptId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderDetail(req, reply, principal, attemptId, { decision: '', reason: '' }, {});
  }

  @Post(':attemptId/decision')
  async decide(@Param('attemptId') attemptId: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forms.handle(req, reply, DecisionDto, { decision: body.decision, reason: body.reason }, {
      run: (dto) => this.review.decide(principal, attemptId, { decision: dto.decision, reason: dto.reason ?? null }, actorOf(principal, metaOf(req))),
      success: (result) => this.pages.redirect(req, reply, `/review/${attemptId}`, { kind: 'success', key: `proctoring.review.decided.${result.state === 'invalidated' ? 'invalidated' : 'cleared'}` }),
      failure: (errors) =>
        this.renderDetail(req, reply, principal, attemptId, { decision: typeof body.decision === 'string' ? body.decision : '', reason: typeof body.reason === 'string' ? body.reason : '' }, errors, 400),
    });
  }

  private async renderDetail(req: FastifyRequest, reply: FastifyReply, principal: Principal, attemptId: string, form: { decision: string; reason: string }, errors: FormErrors, status = 200) {
    const detail = await this.review.detail({ ...principal, locale: req.locale }, attemptId);
    const t = (key: string, params?: Record<string, string | number>) => translate(req.locale, key, params);
    const check = detail.attempt.identityCheck;
    return this.pages.render(
      req,
      reply,
      'proctoring/review-attempt',
      'proctoring.review.attempt',
      {
        ...detail,
        timeline: detail.timeline.map((e) => {
          const label = t(`proctoring.events.${e.type}`);
          return { ...e, isoAt: e.at.toISOString(), atText: `${formatDateTime(e.at, req.locale, false)} ${timeText(e.at, req.locale)}`, label: label === `proctoring.events.${e.type}` ? e.type : label };
        }),
        identityText: check ? `${t(`proctoring.documents.${check.documentType}`)} ···${check.documentLast4} · ${t('proctoring.console.checkedBy')} ${check.checkedByName}${check.note ? ` · ${check.note}` : ''}` : '',
        addedMinutes: detail.attempt.addedSeconds > 0 ? t('proctoring.console.added', { n: Math.round(detail.attempt.addedSeconds / 60) }) : '—',
        form,
        errors,
        resolution: '',
      },
      status,
    );
  }
}
