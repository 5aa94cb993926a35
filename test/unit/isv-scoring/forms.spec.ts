import { DEFAULT_RULES, validateRules } from '../../../src/modules/isv-scoring/domain/rules';
import { trendChart } from '../../../src/modules/isv-scoring/isv-scoring.presenters';
import { parseRulesForm, rulesToForm } from '../../../src/modules/isv-scoring/rules-form';
import { parseEffectiveFrom, startOfChinaDay } from '../../../src/modules/isv-scoring/scoring-rules.service';
import { noticeOf } from '../../../src/modules/isv-scoring/tier-notifier';
import { compileRules } from '../../../src/modules/isv-scoring/domain/rules';
import type { SnapshotSummary } from '../../../src/modules/isv-scoring/isv-scoring.types';

describe('rule editor form', () => {
  it('round-trips the default rules through the form', () => {
    const form = rulesToForm(DEFAULT_RULES);
    expect(form['dimensions.ecosystem.pointsByVariant']).toBe('case_study = 4\nmentoring = 2');
    expect(form['dimensions.certification.windowMonths']).toBe('');
    const parsed = parseRulesForm(form);
    expect(parsed.errors).toEqual({});
    expect(validateRules(parsed.rules).problems).toEqual([]);
    expect(parsed.rules).toEqual({ ...DEFAULT_RULES, dimensions: { ...DEFAULT_RULES.dimensions, certification: { ...DEFAULT_RULES.dimensions.certification, pointsByVariant: {} }, coBuilt: { ...DEFAULT_RULES.dimensions.coBuilt, pointsByVariant: {} } } });
  });

  it('keeps what was typed and says which variant line it cannot read', () => {
    const form = rulesToForm(DEFAULT_RULES);
    form['dimensions.projects.pointsByVariant'] = 'partial = 5\nhalf done: five';
    form['dimensions.projects.cap'] = 'thirty';
    const parsed = parseRulesForm(form);
    expect(parsed.errors).toEqual({ 'dimensions.projects.pointsByVariant': 'isvScoring.rules.errors.variantLine' });
    expect(parsed.values['dimensions.projects.cap']).toBe('thirty');
    expect(validateRules(parsed.rules).problems[0]).toMatchObject({ field: 'dimensions.projects.cap', key: 'isvScoring.rules.errors.number' });
  });
});

describe('effective dates', () => {
  it('reads form dates as China time and ISO instants as given', () => {
    expect(parseEffectiveFrom('2026-07-01')).toEqual(new Date('2026-06-30T16:00:00Z'));
    expect(parseEffectiveFrom('2026-07-01T09:30')).toEqual(new Date('2026-07-01T01:30:00Z'));
    expect(parseEffectiveFrom('2026-07-01T09:30:00Z')).toEqual(new Date('2026-07-01T09:30:00Z'));
    expect(parseEffectiveFrom('')).toBeNull();
    expect(parseEffectiveFrom('2026-02-30')).toBe('invalid');
    expect(parseEffectiveFrom('next week')).toBe('invalid');
    expect(parseEffectiveFrom(42)).toBe('invalid');
  });

  it('knows when the China day starts', () => {
    expect(startOfChinaDay(new Date('2026-07-01T17:00:00Z'))).toEqual(new Date('2026-07-01T16:00:00Z'));
    expect(startOfChinaDay(new Date('2026-07-01T15:59:00Z'))).toEqual(new Date('2026-06-30T16:00:00Z'));
  });
});

describe('tier notices', () => {
  it('puts the tier in the kind (parameters are not translated) and dates as China days', () => {
    expect(noticeOf({ kind: 'promoted', from: 'silver', to: 'gold' }, 7250)).toEqual({ kind: 'isvScoring.notifications.promoted.gold', params: { total: '72.5' } });
    expect(noticeOf({ kind: 'atRisk', tier: 'gold', belowSince: new Date('2026-03-01T20:00:00Z'), demotionOn: new Date('2026-05-30T20:00:00Z'), towards: 'silver' }, 6000)).toEqual({
      kind: 'isvScoring.notifications.atRisk.gold',
      params: { total: '60', since: '2026-03-02', demotionOn: '2026-05-31' },
    });
  });
});

describe('trend chart', () => {
  const rules = compileRules(DEFAULT_RULES);
  const snapshot = (at: string, total: number, tier: SnapshotSummary['tier']): SnapshotSummary => ({
    id: at,
    organisationId: 'x',
    computedAt: new Date(at),
    dataCutoff: new Date(at),
    ruleVersion: 1,
    trigger: 'event',
    total,
    tier,
    eligibleTier: tier,
    dimensionPoints: { certification: total, projects: 0, ecosystem: 0, coBuilt: 0 },
    atRiskSince: null,
    demotionOn: null,
    eventHighWater: '0',
  });

  it('draws a step line to today and marks tier changes', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const chart = trendChart([snapshot('2026-01-01T00:00:00Z', 2000, 'registered'), snapshot('2026-03-01T00:00:00Z', 4000, 'silver')], now, rules);
    const points = chart.polyline.split(' ').map((p) => p.split(',').map(Number));
    expect(points).toHaveLength(4);
    expect(points[1][1]).toBe(points[0][1]); // flat until the next snapshot
    expect(points[3][0]).toBe(chart.endX);
    expect(points[2][1]).toBeLessThan(points[0][1]); // higher total is higher up
    expect(chart.markers).toHaveLength(1);
    expect(chart.silverY).toBeCloseTo(points[2][1], 1);
  });
});
