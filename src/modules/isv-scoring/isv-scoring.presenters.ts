/**
 * View models for the score pages: numbers as text, charts as SVG coordinates (server-rendered,
 * no script: the template only places numbers into <svg> elements, so nothing is unescaped).
 */
import type { Page } from '../../infra/http/pagination';
import { Locale, translate } from '../../infra/i18n/i18n';
import { formatPoints } from './domain/points';
import { Dimension, DIMENSIONS, ScoringRules } from './domain/rules';
import type { TierPlan } from './domain/next-tier';
import type { Dashboard, StaffRow } from './isv-scores.service';
import type { SnapshotItem, SnapshotSummary } from './isv-scoring.types';

export const DIMENSION_COLOURS: Record<Dimension, string> = {
  certification: '#2563eb',
  projects: '#16a34a',
  ecosystem: '#d97706',
  coBuilt: '#9333ea',
};

/** A variant's name for people; staff may define variants the catalogue has no words for. */
export function variantLabel(locale: Locale, variant: string | null): string | null {
  if (variant === null) return null;
  const key = `isvScoring.variants.${variant}`;
  const label = translate(locale, key);
  return label === key ? variant : label;
}

const TREND = { width: 640, height: 220, left: 36, right: 12, top: 12, bottom: 28 };
const round1 = (n: number) => Math.round(n * 10) / 10;

/** The stacked bar of the total on the 100-point scale, with the tier thresholds marked. */
function compositionChart(d: Dashboard) {
  let x = 0;
  const segments = DIMENSIONS.map((dimension) => {
    const width = d.view.dimensions[dimension].points / 100; // centipoints → points = % of 100
    const segment = { dimension, x: round1(x), width: round1(width), colour: DIMENSION_COLOURS[dimension], label: formatPoints(d.view.dimensions[dimension].points) };
    x += width;
    return segment;
  }).filter((s) => s.width > 0);
  return {
    segments,
    silverX: round1(d.view.rules.tiers.silver.minTotal / 100),
    goldX: round1(d.view.rules.tiers.gold.minTotal / 100),
    silverText: formatPoints(d.view.rules.tiers.silver.minTotal),
    goldText: formatPoints(d.view.rules.tiers.gold.minTotal),
  };
}

/** The daily trend as a step line over twelve months, with the thresholds as dashed lines. */
export function trendChart(trend: SnapshotSummary[], now: Date, rules: ScoringRules) {
  const innerW = TREND.width - TREND.left - TREND.right;
  const innerH = TREND.height - TREND.top - TREND.bottom;
  const end = now.getTime();
  const start = end - 365 * 24 * 3600 * 1000;
  const xOf = (t: number) => round1(TREND.left + ((Math.max(start, Math.min(end, t)) - start) / (end - start)) * innerW);
  const yOf = (centi: number) => round1(TREND.top + innerH - (centi / 10000) * innerH);
  const points: string[] = [];
  let previousY: number | null = null;
  for (const s of trend) {
    const x = xOf(s.computedAt.getTime());
    const y = yOf(s.total);
    if (previousY !== null) points.push(`${x},${previousY}`);
    points.push(`${x},${y}`);
    previousY = y;
  }
  if (previousY !== null) points.push(`${xOf(end)},${previousY}`);
  const last = trend[trend.length - 1];
  return {
    width: TREND.width,
    height: TREND.height,
    viewBox: `0 0 ${TREND.width} ${TREND.height}`,
    hasData: trend.length > 0,
    polyline: points.join(' '),
    left: TREND.left,
    right: TREND.width - TREND.right,
    bottomY: TREND.top + innerH,
    labelY: TREND.height - 8,
    grid: [0, 25, 50, 75, 100].map((p) => ({ y: yOf(p * 100), label: String(p), labelY: yOf(p * 100) + 4 })),
    silverY: yOf(rules.tiers.silver.minTotal),
    goldY: yOf(rules.tiers.gold.minTotal),
    startDate: new Date(start),
    endDate: now,
    endX: TREND.width - TREND.right,
    lastX: last ? xOf(end) : 0,
    lastY: last ? yOf(last.total) : 0,
    markers: trend.filter((s, i) => i > 0 && s.tier !== trend[i - 1].tier).map((s) => ({ x: xOf(s.computedAt.getTime()), y: yOf(s.total), tier: s.tier })),
    summary: trend.map((s) => ({ date: s.computedAt, total: formatPoints(s.total), tier: s.tier })).slice(-12),
  };
}

function itemRow(item: SnapshotItem, d: Dashboard, staffView: boolean, locale: Locale) {
  const description = d.descriptions.get(item.id);
  return {
    id: item.id,
    source: item.source,
    title: description?.title ?? item.id,
    detail: description?.detail ?? '',
    link: description && (staffView || !description.staffOnly) ? description.link : null,
    variant: variantLabel(locale, item.variant),
    points: formatPoints(item.points),
    fullPoints: formatPoints(item.fullPoints),
    status: item.status,
    occurredAt: new Date(item.occurredAt),
    expiresAt: new Date(item.expiresAt),
  };
}

function planView(plan: TierPlan, locale: Locale) {
  return {
    target: plan.target,
    totalGap: formatPoints(plan.totalGap),
    hasTotalGap: plan.totalGap > 0,
    reachable: plan.reachable,
    itemCount: plan.itemCount,
    gaps: plan.gaps.map((g) => ({ dimension: g.dimension, points: formatPoints(g.points), max: formatPoints(g.max), required: formatPoints(g.required), needsOwn: g.required > 0, room: formatPoints(g.room) })),
    steps: plan.steps.map((s) => ({ dimension: s.dimension, items: s.items, points: formatPoints(s.points), variant: variantLabel(locale, s.variant) })),
  };
}

export function staffRows(page: Page<StaffRow>, now: Date) {
  const soon = now.getTime() + 60 * 24 * 3600 * 1000;
  return {
    ...page,
    items: page.items.map((row) => {
      const expires = row.certificate ? new Date(row.certificate.expiresAt) : null;
      const state = !row.certificate ? 'none' : row.certificate.status !== 'active' ? row.certificate.status : expires && expires.getTime() <= soon ? 'expiring' : 'active';
      return { ...row, state, expiresAt: expires };
    }),
  };
}

/** Everything the dashboard template shows (the manager's page and the staff drill-down). */
export function dashboardView(d: Dashboard, now: Date, staffView: boolean, locale: Locale) {
  const view = d.view;
  return {
    isv: view.organisation,
    tier: view.tier,
    eligibleTier: view.eligibleTier,
    total: formatPoints(view.total),
    ruleVersion: view.ruleVersion,
    computedAt: view.computedAt,
    dataCutoff: view.dataCutoff,
    preview: view.computedAt === null,
    risk: view.risk,
    composition: compositionChart(d),
    dimensions: DIMENSIONS.map((dimension) => {
      const score = view.dimensions[dimension];
      return {
        dimension,
        colour: DIMENSION_COLOURS[dimension],
        points: formatPoints(score.points),
        max: formatPoints(score.max),
        barWidth: score.max > 0 ? round1((score.points / score.max) * 100) : 0,
        items: score.items.map((item) => itemRow(item, d, staffView, locale)),
        counted: score.items.filter((i) => i.points > 0).length,
        windowMonths: view.rules.dimensions[dimension].windowMonths,
      };
    }),
    plans: [
      ...(d.keepPlan ? [{ kind: 'keep', heading: 'isvScoring.plan.keepHeading', plan: planView(d.keepPlan, locale) }] : []),
      ...(d.nextPlan ? [{ kind: 'next', heading: 'isvScoring.plan.nextHeading', plan: planView(d.nextPlan, locale) }] : []),
    ],
    expiring: d.expiringItems.map(({ item, lowersBy }) => ({ ...itemRow(item, d, staffView, locale), dimension: item.dimension, lowersBy: formatPoints(lowersBy), lowers: lowersBy > 0 })),
    expiries: d.expiries.map((e) => ({ at: e.at, before: formatPoints(e.totalBefore), after: formatPoints(e.totalAfter), eligibleAfter: e.eligibleAfter, count: e.items.length })),
    trend: trendChart(d.trend, now, view.rules),
    staff: staffRows(d.staff, now),
  };
}

