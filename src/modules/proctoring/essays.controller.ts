import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { actorOf } from '../organisations/organisations.service';
import { EssayScoreDto, PageQueryDto } from './dto/proctoring.dto';
import { EssaysService } from './essays.service';
import { firstError, redirectWithMessage } from './proctoring.presenters';
import { metaOf } from './sittings.api.controller';

/** Essay scoring (platform staff): the queue with question, rubric and answer, and a score per essay. */
@Controller('admin/essays')
@Roles('platform_staff')
export class EssaysController {
  constructor(
    private readonly essays: EssaysService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  async queue(@Query() query: PageQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.essays.queue(req.locale, pageRequest(query, 10));
    return this.pages.render(req, reply, 'proctoring/essays', 'proctoring.essays.title', { page, query: {} });
  }

  @Post(':attemptId/:itemId')
  async score(
    @Param('attemptId') attemptId: string,
    @Param('itemId') itemId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.forms.handle(req, reply, EssayScoreDto, { score: body.score, unit: body.unit }, {
      run: (dto) => this.essays.score(attemptId, itemId, { score: dto.score, unit: dto.unit ?? 'points' }, { ...actorOf(principal, metaOf(req)), id: principal.id }),
      success: () => this.pages.redirect(req, reply, '/admin/essays', { kind: 'success', key: 'proctoring.essays.scored' }),
      failure: (errors) => redirectWithMessage(req, reply, '/admin/essays', 'error', firstError(errors)),
    });
  }
}
