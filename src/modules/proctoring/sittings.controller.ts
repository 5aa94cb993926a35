import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { actorOf } from '../organisations/organisations.service';
import { AppealDto, PageQueryDto, RegisterDto } from './dto/proctoring.dto';
import { firstError, messageOf, redirectWithMessage } from './proctoring.presenters';
import { ReviewService } from './review.service';
import { metaOf } from './sittings.api.controller';
import { SittingsService } from './sittings.service';

/** The candidate's pages: sittings to register for, my registrations, and the appeal of an invalidated attempt. */
@Controller()
@Roles('candidate', 'isv_manager')
export class SittingsController {
  constructor(
    private readonly sittings: SittingsService,
    private readonly review: ReviewService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get('sittings')
  async list(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const data = await this.sittings.forCandidate({ ...principal, locale: req.locale }, pageRequest(query, 10));
    return this.pages.render(req, reply, 'proctoring/sittings', 'proctoring.sittings.title', { ...data, query: {} });
  }

  @Post('sittings/:id/registration')
  async register(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forms.handle(req, reply, RegisterDto, body, {
      run: (dto) => this.sittings.register({ ...principal, locale: req.locale }, id, dto.accessCode, actorOf(principal, metaOf(req))),
      success: (result) =>
        this.pages.redirect(req, reply, '/sittings', { kind: 'success', key: result.state === 'admitted' ? 'proctoring.sittings.registeredAdmitted' : 'proctoring.sittings.registered' }),
      failure: (errors) => redirectWithMessage(req, reply, '/sittings', 'error', firstError(errors)),
    });
  }

  @Post('sittings/:id/withdrawal')
  async withdraw(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      await this.sittings.withdraw(principal, id, actorOf(principal, metaOf(req)));
    } catch (error) {
      const message = messageOf(req, error);
      if (message === null) throw error;
      return redirectWithMessage(req, reply, '/sittings', 'error', message);
    }
    return this.pages.redirect(req, reply, '/sittings', { kind: 'success', key: 'proctoring.sittings.withdrawn' });
  }

  @Get('appeals/:attemptId')
  async appealPage(@Param('attemptId') attemptId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const view = await this.review.appealPage({ ...principal, locale: req.locale }, attemptId);
    return this.pages.render(req, reply, 'proctoring/appeal', 'proctoring.appeal.title', { ...view, reason: '', errors: {} });
  }

  @Post('appeals/:attemptId')
  async appeal(@Param('attemptId') attemptId: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forms.handle(req, reply, AppealDto, { reason: body.reason }, {
      run: (dto) => this.review.fileAppeal(principal, attemptId, dto.reason, actorOf(principal, metaOf(req))),
      success: () => this.pages.redirect(req, reply, `/appeals/${attemptId}`, { kind: 'success', key: 'proctoring.appeal.filed' }),
      failure: async (errors) => {
        const view = await this.review.appealPage({ ...principal, locale: req.locale }, attemptId);
        return this.pages.render(req, reply, 'proctoring/appeal', 'proctoring.appeal.title', { ...view, reason: typeof body.reason === 'string' ? body.reason : '', errors }, 400);
      },
    });
  }
}
