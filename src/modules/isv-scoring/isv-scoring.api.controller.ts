import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import { CreateRuleVersionDto, PageQueryDto, RankingQueryDto } from './dto/isv-scoring.dto';
import { toPoints } from './domain/points';
import { apiScore, apiSnapshot, IsvScoresService } from './isv-scores.service';
import { RuleVersion } from './isv-scoring.types';
import { RecomputeRequestsService, ScoringRulesService } from './scoring-rules.service';

const metaOf = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });
const apiRuleVersion = (v: RuleVersion) => ({ version: v.version, effectiveFrom: v.effectiveFrom.toISOString(), note: v.note, createdBy: v.createdByName, createdAt: v.createdAt.toISOString(), rules: v.rules });

/**
 * The ISV score API, for ISV systems (personal API token) and pages (session). An ISV manager
 * reads their own ISV only (any other: 403); platform staff read every ISV, write rule versions
 * and ask for recomputes.
 */
@ApiTags('isv-scoring')
@Controller('api/v1')
export class IsvScoringApiController {
  constructor(
    private readonly scores: IsvScoresService,
    private readonly rules: ScoringRulesService,
    private readonly recomputes: RecomputeRequestsService,
  ) {}

  /** `{total, tier, ruleVersion, computedAt, dimensions:{certification, projects, ecosystem, coBuilt}}`, each `{points, max, items:[{source, id, points, expiresAt}]}`. */
  @Get('isvs/:isvId/score')
  @Roles('isv_manager', 'platform_staff')
  async score(@Param('isvId') isvId: string, @CurrentPrincipal() principal: Principal) {
    return apiScore(await this.scores.score(principal, isvId));
  }

  /** The ISV's snapshots, newest first, paginated (`?page=&perPage=`, at most 100 a page). */
  @Get('isvs/:isvId/score/history')
  @Roles('isv_manager', 'platform_staff')
  async history(@Param('isvId') isvId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal) {
    const page = await this.scores.history(principal, isvId, pageRequest(query));
    return { ...page, items: page.items.map(apiSnapshot) };
  }

  /**
   * `[{userId, name, certificate:{serial, status, expiresAt} | null}]`: the ISV's active people with
   * their current certificate. Without `page`/`perPage` the list is complete; with them it is one
   * page, and `X-Total-Count` gives the number of people.
   */
  @Get('isvs/:isvId/staff')
  @Roles('isv_manager', 'platform_staff')
  async staff(@Param('isvId') isvId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const paged = query.page !== undefined || query.perPage !== undefined;
    const page = await this.scores.staff(principal, isvId, paged ? pageRequest(query) : null);
    void reply.header('X-Total-Count', String(page.total));
    return page.items;
  }

  /** Staff: every ISV ranked by total, filtered by tier (`?tier=gold|silver|registered|atRisk`), paginated. */
  @Get('isvs')
  @Roles('platform_staff')
  async ranking(@Query() query: RankingQueryDto) {
    const page = await this.scores.ranking(query.tier ?? 'all', query.q ?? '', pageRequest(query));
    return {
      ...page,
      items: page.items.map((i) => ({
        isvId: i.organisationId,
        name: i.name,
        rank: i.rank,
        total: toPoints(i.total),
        tier: i.tier,
        eligibleTier: i.eligibleTier,
        atRisk: i.atRiskSince ? { since: i.atRiskSince.toISOString(), demotionOn: i.demotionOn?.toISOString() ?? null } : null,
        computedAt: i.computedAt?.toISOString() ?? null,
      })),
    };
  }

  /** Staff: the rule version in force, the scheduled ones, and the versions page by page. */
  @Get('scoring/rules')
  @Roles('platform_staff')
  async ruleVersions(@Query() query: PageQueryDto) {
    const [current, page] = await Promise.all([this.rules.current(), this.rules.versions(pageRequest(query))]);
    return { inForce: apiRuleVersion(current.inForce), scheduled: current.scheduled.map(apiRuleVersion), versions: { ...page, items: page.items.map(apiRuleVersion) } };
  }

  /** Staff: a new rule version from `effectiveFrom` (now or later); 400 with a message per wrong field. */
  @Post('scoring/rules')
  @Roles('platform_staff')
  async createRuleVersion(@Body() body: CreateRuleVersionDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return apiRuleVersion(await this.rules.createVersion({ rules: body.rules, effectiveFrom: body.effectiveFrom, note: body.note }, actorOf(principal, metaOf(req))));
  }

  /** Staff: recompute one ISV now (through the queue, like any score event). */
  @Post('isvs/:isvId/score/recompute')
  @Roles('platform_staff')
  @HttpCode(202)
  async recompute(@Param('isvId') isvId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    await this.recomputes.requestOne(isvId, actorOf(principal, metaOf(req)));
    return { accepted: true };
  }

  /** Staff: recompute every ISV (one full recompute job). */
  @Post('isvs/score/recompute')
  @Roles('platform_staff')
  @HttpCode(202)
  async recomputeAll(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    await this.recomputes.requestAll(actorOf(principal, metaOf(req)));
    return { accepted: true };
  }
}
