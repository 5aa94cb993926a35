import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { AppError } from '../../infra/http/app-error';
import { pageRequest } from '../../infra/http/pagination';
import { WebPages } from '../../infra/http/web-pages';
import { Locale, translate } from '../../infra/i18n/i18n';
import { actorOf } from '../organisations/organisations.service';
import { formatPoints } from './domain/points';
import { DIMENSIONS, TIERS } from './domain/rules';
import { PageQueryDto, QueuesQueryDto, RankingQueryDto } from './dto/isv-scoring.dto';
import { IsvScoresService } from './isv-scores.service';
import { IsvScoringError } from './isv-scoring.errors';
import { dashboardView } from './isv-scoring.presenters';
import { IsvScoringRepository } from './isv-scoring.repository';
import { RANKING_FILTERS } from './isv-scoring.types';
import { QueuesService } from './queues.service';
import { parseRulesForm, rulesToForm, RulesFormErrors, RulesFormValues } from './rules-form';
import { RecomputeRequestsService, ScoringRulesService } from './scoring-rules.service';

const metaOf = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

function localise(locale: Locale, errors: RulesFormErrors): RulesFormErrors {
  return Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, translate(locale, key)]));
}

/**
 * Score pages: the ISV manager's dashboard; for staff the ranking of every ISV, the same
 * dashboard per ISV, recompute buttons, the rule editor and the queues page.
 */
@Controller()
export class IsvScoringController {
  constructor(
    private readonly scores: IsvScoresService,
    private readonly rules: ScoringRulesService,
    private readonly recomputes: RecomputeRequestsService,
    private readonly queues: QueuesService,
    private readonly repository: IsvScoringRepository,
    private readonly pages: WebPages,
  ) {}

  @Get('isv/score')
  @Roles('isv_manager')
  async myScore(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!principal.organisationId) throw new IsvScoringError('NOT_YOUR_ISV');
    return this.renderDashboard(req, reply, principal, principal.organisationId, query, false);
  }

  @Get('admin/isv-scores')
  @Roles('platform_staff')
  async ranking(@Query() query: RankingQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const filter = query.tier ?? 'all';
    const page = await this.scores.ranking(filter, query.q ?? '', pageRequest(query));
    return this.pages.render(req, reply, 'isv-scoring/ranking', 'isvScoring.ranking.title', {
      page: {
        ...page,
        items: page.items.map((i) => ({
          ...i,
          totalText: formatPoints(i.total),
          dimensions: DIMENSIONS.map((d) => ({ dimension: d, points: i.dimensionPoints ? formatPoints(i.dimensionPoints[d]) : '—' })),
        })),
      },
      query: { tier: filter === 'all' ? '' : filter, q: query.q ?? '' },
      filters: RANKING_FILTERS,
      dimensionNames: DIMENSIONS,
    });
  }

  @Post('admin/isv-scores/recompute')
  @Roles('platform_staff')
  async recomputeAll(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.recomputes.requestAll(actorOf(principal, metaOf(req)));
    return this.pages.redirect(req, reply, '/admin/isv-scores', { kind: 'success', key: 'isvScoring.recompute.allRequested' });
  }

  @Get('admin/isv-scores/:isvId')
  @Roles('platform_staff')
  async isv(@Param('isvId') isvId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderDashboard(req, reply, principal, isvId, query, true);
  }

  @Post('admin/isv-scores/:isvId/recompute')
  @Roles('platform_staff')
  async recompute(@Param('isvId') isvId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.recomputes.requestOne(isvId, actorOf(principal, metaOf(req)));
    return this.pages.redirect(req, reply, `/admin/isv-scores/${isvId}`, { kind: 'success', key: 'isvScoring.recompute.requested' });
  }

  @Get('admin/scoring-rules')
  @Roles('platform_staff')
  async rulesPage(@Query() query: PageQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const current = await this.rules.current();
    const latest = current.scheduled.length ? current.scheduled[current.scheduled.length - 1] : current.inForce;
    return this.renderRules(req, reply, query, rulesToForm(latest.rules), {});
  }

  @Post('admin/scoring-rules')
  @Roles('platform_staff')
  async createRules(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const form = parseRulesForm(body ?? {});
    if (Object.keys(form.errors).length) return this.renderRules(req, reply, {}, form.values, localise(req.locale, form.errors), 400);
    try {
      const version = await this.rules.createVersion({ rules: form.rules, effectiveFrom: form.values.effectiveFrom, note: form.values.note }, actorOf(principal, metaOf(req)));
      return this.pages.redirect(req, reply, '/admin/scoring-rules', { kind: 'success', key: 'isvScoring.rules.saved', params: { version: version.version } });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const errors: RulesFormErrors = { _form: translate(req.locale, error.messageKey, error.params) };
      for (const [field, messages] of Object.entries(error.fields ?? {})) errors[field] = translate(req.locale, messages[0]);
      return this.renderRules(req, reply, {}, form.values, errors, error.status);
    }
  }

  @Get('admin/queues')
  @Roles('platform_staff')
  async queuesPage(@Query() query: QueuesQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const overview = await this.queues.overview();
    const selected = query.queue && this.queues.names().includes(query.queue) ? query.queue : null;
    let failed = null;
    let failedError: string | null = null;
    if (selected) {
      try {
        failed = await this.queues.failed(selected, pageRequest(query));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        failedError = translate(req.locale, error.messageKey, error.params);
      }
    }
    return this.pages.render(req, reply, 'isv-scoring/queues', 'isvScoring.queues.title', {
      overview,
      states: ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'],
      selected,
      failed,
      failedError,
      query: { queue: selected ?? '' },
    });
  }

  @Post('admin/queues/:queue/jobs/:jobId/retry')
  @Roles('platform_staff')
  async retry(@Param('queue') queueName: string, @Param('jobId') jobId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.queues.retry(queueName, jobId, actorOf(principal, metaOf(req)));
    return this.pages.redirect(req, reply, `/admin/queues?queue=${encodeURIComponent(queueName)}`, { kind: 'success', key: 'isvScoring.queues.retried', params: { id: jobId } });
  }

  private async renderDashboard(req: FastifyRequest, reply: FastifyReply, principal: Principal, isvId: string, query: PageQueryDto, staffView: boolean) {
    const dashboard = await this.scores.dashboard(principal, isvId, pageRequest(query));
    const now = await this.repository.databaseNow();
    return this.pages.render(req, reply, 'isv-scoring/dashboard', 'isvScoring.dashboard.title', {
      ...dashboardView(dashboard, now, staffView, req.locale),
      staffView,
      // The page reloads itself when a newer snapshot exists (public/js/isv-score.js).
      liveScore: { isvId, computedAt: dashboard.view.computedAt ? dashboard.view.computedAt.toISOString() : null },
      base: staffView ? `/admin/isv-scores/${isvId}` : '/isv/score',
      query: {},
      tiers: TIERS,
    });
  }

  private async renderRules(req: FastifyRequest, reply: FastifyReply, query: PageQueryDto, values: RulesFormValues, errors: RulesFormErrors, status = 200) {
    const [current, versions] = await Promise.all([this.rules.current(), this.rules.versions(pageRequest(query))]);
    return this.pages.render(
      req,
      reply,
      'isv-scoring/rules',
      'isvScoring.rules.title',
      {
        current,
        versions: {
          ...versions,
          items: versions.items.map((v) => ({ ...v, json: JSON.stringify(v.rules, null, 2), inForce: v.version === current.inForce.version, scheduled: v.effectiveFrom.getTime() > current.now.getTime() })),
        },
        values,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        dimensions: DIMENSIONS,
        query: {},
      },
      status,
    );
  }
}
