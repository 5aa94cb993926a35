import { Injectable } from '@nestjs/common';
import { Principal } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { CertificatesService } from '../certificates/certificates.service';
import { CertificateStatus } from '../certificates/certificates.types';
import { upcomingExpiries, UpcomingExpiry } from './domain/expiries';
import { nextTier, planFor, TierPlan } from './domain/next-tier';
import { addMonths, Centipoints, toPoints } from './domain/points';
import { Dimension, DIMENSIONS, ScoringRules, Tier } from './domain/rules';
import { ScoreBreakdown, ScoreRecord, ScoreSource } from './domain/score';
import { IsvRecomputeService, snapshotItems } from './isv-recompute.service';
import { IsvScoringError } from './isv-scoring.errors';
import { IsvScoringRepository } from './isv-scoring.repository';
import { RankedIsv, RankingFilter, SnapshotItem, SnapshotSummary } from './isv-scoring.types';
import { ItemDescription, ScoreInputsRepository } from './score-inputs.repository';

/** An ISV's current score as pages and the API show it. */
export interface ScoreView {
  organisation: { id: string; name: string };
  /** When the snapshot was stored; null when the ISV was never scored and this is a live preview. */
  computedAt: Date | null;
  dataCutoff: Date;
  ruleVersion: number;
  rules: ScoringRules;
  total: Centipoints;
  tier: Tier;
  eligibleTier: Tier;
  dimensions: Record<Dimension, { points: Centipoints; max: Centipoints; items: SnapshotItem[] }>;
  risk: { belowSince: Date; demotionOn: Date; towards: Tier } | null;
}

/** The API's item: where a point comes from. */
export interface ApiScoreItem {
  source: ScoreSource;
  id: string;
  points: number;
  expiresAt: string;
  fullPoints: number;
  status: SnapshotItem['status'];
  occurredAt: string;
}

export interface StaffRow {
  userId: string;
  name: string;
  certificate: { serial: string; status: CertificateStatus; expiresAt: string } | null;
}

export interface Dashboard {
  view: ScoreView;
  descriptions: Map<string, ItemDescription>;
  nextPlan: TierPlan | null;
  /** What it takes to stay at the held tier while at risk. */
  keepPlan: TierPlan | null;
  expiries: UpcomingExpiry[];
  expiringItems: { item: SnapshotItem; lowersBy: Centipoints }[];
  trend: SnapshotSummary[];
  staff: Page<StaffRow>;
}

/** Days ahead the dashboard looks for expiring points and certificates. */
export const EXPIRY_HORIZON_DAYS = 90;

/**
 * Reading scores: the current breakdown, its history, the ISV's certified staff, the staff
 * ranking. An ISV manager sees only their own ISV (403 for any other); staff see every ISV.
 */
@Injectable()
export class IsvScoresService {
  constructor(
    private readonly repository: IsvScoringRepository,
    private readonly inputs: ScoreInputsRepository,
    private readonly recompute: IsvRecomputeService,
    private readonly certificates: CertificatesService,
  ) {}

  /** The ISV if the principal may see it: 404 when no such ISV, 403 when it is not theirs. */
  async accessibleIsv(principal: Principal, isvId: string): Promise<{ id: string; name: string }> {
    if (principal.role !== 'platform_staff' && !(principal.role === 'isv_manager' && principal.organisationId === isvId)) {
      throw new IsvScoringError('NOT_YOUR_ISV');
    }
    const organisation = await this.repository.organisation(isvId);
    if (!organisation || organisation.type !== 'isv') throw new IsvScoringError('ISV_NOT_FOUND');
    return { id: organisation.id, name: organisation.name };
  }

  async score(principal: Principal, isvId: string): Promise<ScoreView> {
    const organisation = await this.accessibleIsv(principal, isvId);
    return (await this.current(organisation)).view;
  }

  async history(principal: Principal, isvId: string, page: PageRequest): Promise<Page<SnapshotSummary>> {
    await this.accessibleIsv(principal, isvId);
    const { items, total } = await this.repository.history(isvId, page);
    return toPage(items, total, page);
  }

  /** The ISV's people with their current certificate; `page` null: the complete list. */
  async staff(principal: Principal, isvId: string, page: PageRequest | null): Promise<Page<StaffRow>> {
    await this.accessibleIsv(principal, isvId);
    return this.staffPage(isvId, page);
  }

  async dashboard(principal: Principal, isvId: string, staffPage: PageRequest): Promise<Dashboard> {
    const organisation = await this.accessibleIsv(principal, isvId);
    const { view, records } = await this.current(organisation);
    const allItems = DIMENSIONS.flatMap((d) => view.dimensions[d].items);
    const now = await this.repository.databaseNow();
    const expiries = upcomingExpiries(records, view.rules, now, EXPIRY_HORIZON_DAYS);
    const dropAt = new Map(expiries.map((e) => [e.at.getTime(), e.totalBefore - e.totalAfter]));
    const horizon = now.getTime() + EXPIRY_HORIZON_DAYS * 24 * 3600 * 1000;
    const expiringItems = allItems
      .filter((item) => new Date(item.expiresAt).getTime() > now.getTime() && new Date(item.expiresAt).getTime() <= horizon)
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt))
      .map((item) => ({ item, lowersBy: item.points > 0 ? (dropAt.get(new Date(item.expiresAt).getTime()) ?? 0) : 0 }));
    const breakdown = breakdownOf(view);
    const target = nextTier(view.tier);
    const trendSince = addMonths(now, -12);
    const [descriptions, trend, before, staff] = await Promise.all([
      this.inputs.describe(allItems),
      this.repository.dailyTrend(isvId, trendSince),
      this.repository.snapshotBefore(isvId, trendSince),
      this.staffPage(isvId, staffPage),
    ]);
    return {
      view,
      descriptions,
      nextPlan: target ? planFor(breakdown, target, view.rules) : null,
      keepPlan: view.risk ? planFor(breakdown, view.tier, view.rules) : null,
      expiries,
      expiringItems,
      trend: before ? [before, ...trend] : trend,
      staff,
    };
  }

  async ranking(filter: RankingFilter, search: string, page: PageRequest): Promise<Page<RankedIsv>> {
    const { items, total } = await this.repository.ranking(filter, search.trim().slice(0, 100), page);
    return toPage(items, total, page);
  }

  private async staffPage(isvId: string, page: PageRequest | null): Promise<Page<StaffRow>> {
    const request = page ?? { page: 1, perPage: 100_000 };
    const people = await this.repository.people(isvId, request);
    const certificates = await this.certificates.certificatesOf(people.items.map((p) => p.userId));
    const rows = people.items.map((person) => {
      const certificate = certificates.get(person.userId);
      return {
        userId: person.userId,
        name: person.name,
        certificate: certificate ? { serial: certificate.serial, status: certificate.effectiveStatus, expiresAt: certificate.expiresAt.toISOString() } : null,
      };
    });
    return page ? toPage(rows, people.total, page) : { items: rows, page: 1, perPage: rows.length, total: people.total, totalPages: 1 };
  }

  /** The latest snapshot, or — for an ISV never scored — a live preview that stores nothing. */
  private async current(organisation: { id: string; name: string }): Promise<{ view: ScoreView; records: ScoreRecord[] }> {
    const [snapshot, state] = await Promise.all([this.repository.latestSnapshot(organisation.id), this.repository.tierState(organisation.id)]);
    if (snapshot) {
      const rules = await this.recompute.rulesOfVersion(snapshot.ruleVersion);
      const dimensions = {} as ScoreView['dimensions'];
      for (const d of DIMENSIONS) dimensions[d] = { points: snapshot.dimensionPoints[d], max: rules.dimensions[d].cap, items: snapshot.items.filter((i) => i.dimension === d) };
      const view: ScoreView = {
        organisation,
        computedAt: snapshot.computedAt,
        dataCutoff: snapshot.dataCutoff,
        ruleVersion: snapshot.ruleVersion,
        rules,
        total: snapshot.total,
        tier: snapshot.tier,
        eligibleTier: snapshot.eligibleTier,
        dimensions,
        risk: snapshot.atRiskSince && snapshot.demotionOn ? { belowSince: snapshot.atRiskSince, demotionOn: snapshot.demotionOn, towards: snapshot.eligibleTier } : null,
      };
      return { view, records: recordsOf(snapshot.items) };
    }
    const preview = await this.recompute.preview(organisation.id);
    const items = snapshotItems(preview.breakdown);
    const dimensions = {} as ScoreView['dimensions'];
    for (const d of DIMENSIONS) dimensions[d] = { points: preview.breakdown.dimensions[d].points, max: preview.breakdown.dimensions[d].max, items: items.filter((i) => i.dimension === d) };
    return {
      view: {
        organisation,
        computedAt: null,
        dataCutoff: preview.breakdown.cutoff,
        ruleVersion: preview.ruleVersion,
        rules: preview.rules,
        total: preview.breakdown.total,
        tier: state?.tier ?? preview.breakdown.eligibleTier,
        eligibleTier: preview.breakdown.eligibleTier,
        dimensions,
        risk: null,
      },
      records: preview.records,
    };
  }
}

/** The API's shape of a score (points as decimal numbers, dates as ISO strings). */
export function apiScore(view: ScoreView) {
  const dimension = (d: Dimension) => ({
    points: toPoints(view.dimensions[d].points),
    max: toPoints(view.dimensions[d].max),
    items: view.dimensions[d].items.map(
      (i): ApiScoreItem => ({ source: i.source, id: i.id, points: toPoints(i.points), expiresAt: i.expiresAt, fullPoints: toPoints(i.fullPoints), status: i.status, occurredAt: i.occurredAt }),
    ),
  });
  return {
    isvId: view.organisation.id,
    total: toPoints(view.total),
    tier: view.tier,
    eligibleTier: view.eligibleTier,
    ruleVersion: view.ruleVersion,
    computedAt: view.computedAt ? view.computedAt.toISOString() : null,
    dataCutoff: view.dataCutoff.toISOString(),
    atRisk: view.risk ? { since: view.risk.belowSince.toISOString(), demotionOn: view.risk.demotionOn.toISOString(), towards: view.risk.towards } : null,
    dimensions: { certification: dimension('certification'), projects: dimension('projects'), ecosystem: dimension('ecosystem'), coBuilt: dimension('coBuilt') },
  };
}

export function apiSnapshot(s: SnapshotSummary) {
  return {
    id: s.id,
    computedAt: s.computedAt.toISOString(),
    dataCutoff: s.dataCutoff.toISOString(),
    ruleVersion: s.ruleVersion,
    trigger: s.trigger,
    total: toPoints(s.total),
    tier: s.tier,
    eligibleTier: s.eligibleTier,
    dimensions: {
      certification: toPoints(s.dimensionPoints.certification),
      projects: toPoints(s.dimensionPoints.projects),
      ecosystem: toPoints(s.dimensionPoints.ecosystem),
      coBuilt: toPoints(s.dimensionPoints.coBuilt),
    },
    atRisk: s.atRiskSince && s.demotionOn ? { since: s.atRiskSince.toISOString(), demotionOn: s.demotionOn.toISOString() } : null,
    eventHighWater: s.eventHighWater,
  };
}

/** A stored breakdown back in the scoring function's terms (for plans). */
function breakdownOf(view: ScoreView): ScoreBreakdown {
  const dimensions = {} as ScoreBreakdown['dimensions'];
  for (const d of DIMENSIONS) dimensions[d] = { points: view.dimensions[d].points, max: view.dimensions[d].max, items: [] };
  return { cutoff: view.dataCutoff, total: view.total, dimensions, eligibleTier: view.eligibleTier };
}

/** Records rebuilt from a snapshot's items: enough to replay the score at a later instant (expiries). */
function recordsOf(items: SnapshotItem[]): ScoreRecord[] {
  return items.map((i) => ({ dimension: i.dimension, id: i.id, personId: i.personId, variant: i.variant, occurredAt: new Date(i.occurredAt), validUntil: new Date(i.expiresAt) }));
}
