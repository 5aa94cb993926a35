import { upcomingExpiries } from '../../../src/modules/isv-scoring/domain/expiries';
import { nextTier, planFor } from '../../../src/modules/isv-scoring/domain/next-tier';
import { addMonths, formatPoints, toCentipoints, toPoints } from '../../../src/modules/isv-scoring/domain/points';
import { compileRules, DEFAULT_RULES, ScoringRulesInput, validateRules } from '../../../src/modules/isv-scoring/domain/rules';
import { computeScore, ScoreRecord } from '../../../src/modules/isv-scoring/domain/score';
import { decideTier, TierState } from '../../../src/modules/isv-scoring/domain/tier-state';

const rules = compileRules(DEFAULT_RULES);
const NOW = new Date('2026-06-15T00:00:00Z');
const daysAgo = (n: number, from = NOW) => new Date(from.getTime() - n * 86400000);
const daysAhead = (n: number, from = NOW) => new Date(from.getTime() + n * 86400000);
let seq = 0;
const id = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

function cert(person: string, options: { issued?: Date; expires?: Date } = {}): ScoreRecord {
  return { dimension: 'certification', id: id(), personId: person, occurredAt: options.issued ?? daysAgo(30), validUntil: options.expires ?? daysAhead(700), variant: null };
}
function project(options: { at?: Date; outcome?: string } = {}): ScoreRecord {
  return { dimension: 'projects', id: id(), personId: null, occurredAt: options.at ?? daysAgo(10), validUntil: null, variant: options.outcome ?? 'launched' };
}
function contribution(kind = 'training', at = daysAgo(10)): ScoreRecord {
  return { dimension: 'ecosystem', id: id(), personId: null, occurredAt: at, validUntil: null, variant: kind };
}
function product(at = daysAgo(10)): ScoreRecord {
  return { dimension: 'coBuilt', id: id(), personId: null, occurredAt: at, validUntil: null, variant: null };
}
const people = (n: number) => Array.from({ length: n }, (_, i) => cert(`person-${i}-${seq}`));
const withRules = (change: (r: ScoringRulesInput) => void) => {
  const copy = JSON.parse(JSON.stringify(DEFAULT_RULES)) as ScoringRulesInput;
  change(copy);
  return compileRules(copy);
};

describe('points', () => {
  it('keeps two decimals exactly and refuses more', () => {
    expect(toCentipoints(7.5)).toBe(750);
    expect(toCentipoints(0.1 + 0.2)).toBe(30);
    expect(toCentipoints(1.005)).toBeNull();
    expect(toPoints(1234)).toBe(12.34);
    expect(formatPoints(1250)).toBe('12.5');
    expect(formatPoints(1200)).toBe('12');
  });

  it('adds months in UTC, clamping to the end of shorter months', () => {
    expect(addMonths(new Date('2026-01-31T10:00:00Z'), 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addMonths(new Date('2025-06-15T00:00:00Z'), 12).toISOString()).toBe('2026-06-15T00:00:00.000Z');
  });
});

describe('computeScore', () => {
  it('gives points per record and stops at each dimension cap, listing records over the cap at zero', () => {
    const score = computeScore([...people(12), project(), project(), project(), project()], rules, NOW);
    expect(score.dimensions.certification.points).toBe(4000); // 12 × 4 = 48, capped at 40
    expect(score.dimensions.certification.items).toHaveLength(12);
    expect(score.dimensions.certification.items.filter((i) => i.status === 'overCap')).toHaveLength(2);
    expect(score.dimensions.projects.points).toBe(3000);
    expect(score.total).toBe(7000);
    for (const d of Object.values(score.dimensions)) expect(d.items.reduce((s, i) => s + i.points, 0)).toBe(d.points);
  });

  it('gives the record that crosses the cap partial credit (linear points, no thresholds)', () => {
    const score = computeScore([product(), product(daysAgo(20)), product(daysAgo(30))], withRules((r) => (r.dimensions.coBuilt.pointsPerItem = 6)), NOW);
    expect(score.dimensions.coBuilt.points).toBe(1500);
    expect(score.dimensions.coBuilt.items.map((i) => [i.points, i.status])).toEqual([
      [600, 'counted'],
      [600, 'counted'],
      [300, 'partial'],
    ]);
  });

  it('gives a partial outcome its own points (partial credit by variant)', () => {
    const score = computeScore([project({ outcome: 'partial' }), project({ outcome: 'launched' })], rules, NOW);
    expect(score.dimensions.projects.points).toBe(1500);
    expect(score.dimensions.projects.items.map((i) => i.fullPoints)).toEqual([1000, 500]);
  });

  it('drops records whose window has passed and dates the expiry of each item', () => {
    const old = project({ at: new Date('2025-06-14T00:00:00Z') });
    const recent = project({ at: new Date('2025-06-16T00:00:00Z') });
    const score = computeScore([old, recent], rules, NOW);
    expect(score.dimensions.projects.items.map((i) => i.id)).toEqual([recent.id]);
    expect(score.dimensions.projects.items[0].expiresAt.toISOString()).toBe('2026-06-16T00:00:00.000Z');
    expect(computeScore([recent], rules, new Date('2026-06-16T00:00:00Z')).total).toBe(0);
  });

  it('counts a certificate until it expires and ignores expired ones', () => {
    const valid = cert('a', { expires: daysAhead(1) });
    const lapsed = cert('b', { expires: daysAgo(1) });
    const score = computeScore([valid, lapsed], rules, NOW);
    expect(score.dimensions.certification.items.map((i) => i.id)).toEqual([valid.id]);
    expect(score.dimensions.certification.items[0].expiresAt).toEqual(valid.validUntil);
  });

  it('counts each person once, keeping their longest-lasting certificate', () => {
    const first = cert('same', { expires: daysAhead(30) });
    const renewed = cert('same', { expires: daysAhead(400) });
    const score = computeScore([first, renewed, cert('other')], rules, NOW);
    expect(score.dimensions.certification.points).toBe(800);
    expect(score.dimensions.certification.items.map((i) => i.id)).toContain(renewed.id);
    expect(score.dimensions.certification.items.map((i) => i.id)).not.toContain(first.id);
  });

  it('ignores records dated after the cut-off', () => {
    expect(computeScore([project({ at: daysAhead(1) })], rules, NOW).total).toBe(0);
  });

  it('does not depend on the order of its inputs', () => {
    const records = [...people(11), project({ outcome: 'partial' }), project(), project(), project(), contribution('case_study'), contribution(), product()];
    const a = computeScore(records, rules, NOW);
    const b = computeScore([...records].reverse(), rules, NOW);
    expect(b).toEqual(a);
  });
});

describe('tiers', () => {
  const gold = () => [...people(10), project(), project(), project(), contribution(), product()];

  it('requires points in every dimension for Gold', () => {
    const full = computeScore(gold(), rules, NOW);
    expect(full.total).toBe(40 * 100 + 30 * 100 + 300 + 750);
    expect(full.eligibleTier).toBe('gold');
    const noProduct = computeScore(gold().filter((r) => r.dimension !== 'coBuilt'), rules, NOW);
    expect(noProduct.total).toBeGreaterThanOrEqual(7000);
    expect(noProduct.eligibleTier).toBe('silver');
  });

  it('lets strong dimensions compensate for an empty one at Silver', () => {
    const score = computeScore([...people(10)], rules, NOW);
    expect(score.total).toBe(4000);
    expect(score.eligibleTier).toBe('silver');
    expect(computeScore(people(9), rules, NOW).eligibleTier).toBe('registered');
  });
});

describe('decideTier', () => {
  const state = (tier: TierState['tier'], extra: Partial<TierState> = {}): TierState => ({ tier, belowSince: {}, warnedAt: null, finalWarnedAt: null, since: daysAgo(400), ...extra });

  it('promotes at the next recompute', () => {
    const decision = decideTier(state('silver'), 'gold', NOW, rules);
    expect(decision.state.tier).toBe('gold');
    expect(decision.changes).toEqual([{ kind: 'promoted', from: 'silver', to: 'gold' }]);
    expect(decision.state.since).toEqual(NOW);
  });

  it('places a first score without history at the tier its points allow', () => {
    expect(decideTier(null, 'silver', NOW, rules).changes).toEqual([{ kind: 'promoted', from: 'registered', to: 'silver' }]);
    expect(decideTier(null, 'registered', NOW, rules).changes).toEqual([]);
  });

  it('keeps the tier while below it, warns once with the demotion date, then demotes after the grace period', () => {
    const first = decideTier(state('gold'), 'silver', NOW, rules);
    expect(first.state.tier).toBe('gold');
    expect(first.risk).toEqual({ tier: 'gold', belowSince: NOW, demotionOn: daysAhead(90), towards: 'silver' });
    expect(first.changes).toEqual([{ kind: 'atRisk', tier: 'gold', belowSince: NOW, demotionOn: daysAhead(90), towards: 'silver' }]);

    const later = decideTier(first.state, 'silver', daysAhead(30), rules);
    expect(later.state.tier).toBe('gold');
    expect(later.changes).toEqual([]);
    expect(later.state.belowSince.gold).toEqual(NOW);

    const soon = decideTier(later.state, 'silver', daysAhead(77), rules);
    expect(soon.changes).toEqual([{ kind: 'demotionSoon', tier: 'gold', demotionOn: daysAhead(90), towards: 'silver' }]);

    const dayBefore = decideTier(soon.state, 'silver', daysAhead(89.9), rules);
    expect(dayBefore.state.tier).toBe('gold');

    const due = decideTier(dayBefore.state, 'silver', daysAhead(90), rules);
    expect(due.state.tier).toBe('silver');
    expect(due.changes).toEqual([{ kind: 'demoted', from: 'gold', to: 'silver' }]);
    expect(due.risk).toBeNull();
  });

  it('clears the warning when the points recover within the grace period', () => {
    const atRisk = decideTier(state('gold'), 'silver', NOW, rules);
    const back = decideTier(atRisk.state, 'gold', daysAhead(40), rules);
    expect(back.state).toMatchObject({ tier: 'gold', belowSince: {}, warnedAt: null });
    expect(back.changes).toEqual([{ kind: 'recovered', tier: 'gold' }]);
    // A new fall starts a new grace period.
    const again = decideTier(back.state, 'silver', daysAhead(50), rules);
    expect(again.risk?.demotionOn).toEqual(daysAhead(140));
  });

  it('tracks each tier separately: Gold lost after its grace, Silver kept until its own grace ends', () => {
    const goldLow = decideTier(state('gold'), 'silver', NOW, rules);
    const silverLow = decideTier(goldLow.state, 'registered', daysAhead(60), rules);
    expect(silverLow.state.tier).toBe('gold');
    const goldDue = decideTier(silverLow.state, 'registered', daysAhead(90), rules);
    expect(goldDue.state.tier).toBe('silver');
    expect(goldDue.changes[0]).toEqual({ kind: 'demoted', from: 'gold', to: 'silver' });
    expect(goldDue.risk).toMatchObject({ tier: 'silver', belowSince: daysAhead(60), demotionOn: daysAhead(150) });
    expect(goldDue.changes[1]).toMatchObject({ kind: 'atRisk', tier: 'silver' });
    const silverDue = decideTier(goldDue.state, 'registered', daysAhead(150), rules);
    expect(silverDue.state.tier).toBe('registered');
  });

  it('demotes straight to the tier the points allow when every grace period has passed', () => {
    const long = state('gold', { belowSince: { gold: daysAgo(200), silver: daysAgo(100) }, warnedAt: daysAgo(200) });
    expect(decideTier(long, 'registered', NOW, rules).state.tier).toBe('registered');
  });

  it('demotes at once with a grace period of zero days', () => {
    const strict = withRules((r) => {
      r.demotion.graceDays = 0;
      r.demotion.finalWarningDays = 0;
    });
    expect(decideTier(state('silver'), 'registered', NOW, strict).state.tier).toBe('registered');
  });
});

describe('planFor (what you need for the next tier)', () => {
  it('names the gap per dimension and the fewest records, Gold needing every dimension', () => {
    const score = computeScore([...people(10), project(), project(), project()], rules, NOW);
    expect(score.total).toBe(7000);
    expect(score.eligibleTier).toBe('silver');
    const plan = planFor(score, 'gold', rules);
    expect(plan.totalGap).toBe(0);
    expect(plan.gaps.find((g) => g.dimension === 'ecosystem')).toMatchObject({ required: 100, room: 1500 });
    // One record in each empty dimension; the best ecosystem record is a case study (4 points).
    expect(plan.steps).toEqual([
      { dimension: 'ecosystem', items: 1, points: 400, variant: 'case_study' },
      { dimension: 'coBuilt', items: 1, points: 750, variant: null },
    ]);
    expect(plan.itemCount).toBe(2);
    expect(plan.reachable).toBe(true);
  });

  it('fills the total with the biggest gains first, respecting caps', () => {
    const score = computeScore([...people(2), project({ outcome: 'partial' })], rules, NOW);
    expect(score.total).toBe(1300);
    const plan = planFor(score, 'silver', rules);
    // 27 points missing: two projects (10 each, 25 points of room left) then one 7.5-point product.
    expect(plan.totalGap).toBe(2700);
    expect(plan.steps).toEqual([
      { dimension: 'projects', items: 2, points: 2000, variant: null },
      { dimension: 'coBuilt', items: 1, points: 750, variant: null },
    ]);
    expect(plan.itemCount).toBe(3);
  });

  it('says when a target cannot be reached', () => {
    const score = computeScore([], rules, NOW);
    const capped = { ...score, dimensions: { ...score.dimensions, coBuilt: { ...score.dimensions.coBuilt, max: 0 } } };
    expect(planFor(capped, 'gold', rules).reachable).toBe(false);
  });

  it('knows the tier above', () => {
    expect(nextTier('registered')).toBe('silver');
    expect(nextTier('silver')).toBe('gold');
    expect(nextTier('gold')).toBeNull();
  });
});

describe('upcomingExpiries', () => {
  it('lists expiries that lower the score, with the total after each, and skips those another record covers', () => {
    const soonProject = project({ at: addMonths(daysAhead(20), -12) });
    const records = [...people(11).map((c, i) => (i === 0 ? { ...c, validUntil: daysAhead(10) } : c)), soonProject];
    const list = upcomingExpiries(records, rules, NOW, 90);
    // The certificate expiring in 10 days is over the cap's reach: an eleventh person steps in.
    expect(list.map((e) => e.at)).toEqual([daysAhead(20)]);
    expect(list[0]).toMatchObject({ totalBefore: 5000, totalAfter: 4000, pointsExpiring: 1000, eligibleAfter: 'silver' });
  });
});

describe('validateRules', () => {
  it('accepts the default rules', () => {
    expect(validateRules(DEFAULT_RULES).problems).toEqual([]);
  });

  it('names every field that is wrong', () => {
    const bad = JSON.parse(JSON.stringify(DEFAULT_RULES));
    bad.dimensions.projects.cap = 'thirty';
    bad.dimensions.ecosystem.pointsPerItem = 1.234;
    bad.dimensions.coBuilt.windowMonths = null;
    bad.tiers.gold.minTotal = 30;
    bad.demotion.graceDays = -1;
    const result = validateRules(bad);
    expect(result.rules).toBeNull();
    expect(result.problems.map((p) => `${p.field}:${p.key}`)).toEqual([
      'dimensions.projects.cap:isvScoring.rules.errors.number',
      'dimensions.ecosystem.pointsPerItem:isvScoring.rules.errors.twoDecimals',
      'dimensions.coBuilt.windowMonths:isvScoring.rules.errors.windowRequired',
      'tiers.gold.minTotal:isvScoring.rules.errors.goldAboveSilver',
      'demotion.graceDays:isvScoring.rules.errors.days',
    ]);
  });

  it('keeps the 100-point scale and Gold points in every dimension', () => {
    const bad = JSON.parse(JSON.stringify(DEFAULT_RULES));
    bad.dimensions.projects.cap = 35;
    expect(validateRules(bad).problems).toEqual([{ field: 'dimensions', key: 'isvScoring.rules.errors.capsMustSum', params: { scale: 100, sum: '105' } }]);
    const noMin = JSON.parse(JSON.stringify(DEFAULT_RULES));
    noMin.tiers.gold.minPerDimension = 0;
    expect(validateRules(noMin).problems[0]).toMatchObject({ field: 'tiers.gold.minPerDimension', key: 'isvScoring.rules.errors.pointsPositive' });
  });
});
