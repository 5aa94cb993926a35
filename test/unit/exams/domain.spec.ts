import { ATTEMPT_STATES, assertTransition, canTransition, TRANSITIONS, TransitionRefused } from '../../../src/modules/exams/domain/attempt-state';
import { drawBlueprint, PoolQuestion, shortfalls, BlueprintSection } from '../../../src/modules/exams/domain/blueprint';
import { scoreAttempt } from '../../../src/modules/exams/domain/scoring';
import { answerSetHash, canonical } from '../../../src/modules/exams/domain/receipt';
import { itemStatistics } from '../../../src/modules/exams/domain/item-statistics';
import { flagsFor } from '../../../src/modules/exams/domain/integrity';
import { seededRandom } from '../../../src/modules/question-banks/candidate-view';

describe('attempt state machine', () => {
  it('follows registered → admitted → in_progress ⇄ paused → submitted → graded → passed', () => {
    let s = assertTransition('admit', 'registered');
    s = assertTransition('start', s);
    s = assertTransition('pause', s);
    expect(s).toBe('paused');
    s = assertTransition('resume', s);
    s = assertTransition('submit', s);
    s = assertTransition('grade', s);
    expect(assertTransition('pass', s)).toBe('passed');
    expect(assertTransition('hold', s)).toBe('under_review');
  });

  it('refuses what the table does not allow', () => {
    expect(() => assertTransition('submit', 'paused')).toThrow(TransitionRefused);
    expect(() => assertTransition('start', 'registered')).toThrow('cannot start an attempt that is registered');
    expect(canTransition('autoSubmit', 'submitted')).toBe(false);
    expect(canTransition('reopen', 'invalidated')).toBe(true);
    expect(canTransition('invalidate', 'in_progress')).toBe(false);
  });

  it('only names known states', () => {
    for (const t of Object.values(TRANSITIONS)) {
      expect(ATTEMPT_STATES).toContain(t.to);
      for (const f of t.from) expect(ATTEMPT_STATES).toContain(f);
    }
  });
});

const pool: PoolQuestion[] = Array.from({ length: 30 }, (_, i) => ({
  questionId: `q${i}`,
  versionId: `v${i}`,
  type: i % 3 === 0 ? 'essay' : 'single_choice',
  difficulty: (i % 5) + 1,
  tags: [i < 15 ? 'aipl' : 'fast'],
}));
const section = (id: string, tags: string[], count: number, types: string[] = []): BlueprintSection => ({ id, tags, types, difficulties: [], bankId: null, questionCount: count, pointsEach: 2 });

describe('blueprint drawing', () => {
  it('draws the right number per section, with no duplicates, matching tags and types', () => {
    const items = drawBlueprint([section('a', ['aipl'], 5, ['single_choice']), section('f', ['fast'], 4)], pool, new Set(), seededRandom(1));
    expect(items).toHaveLength(9);
    expect(new Set(items.map((i) => i.questionId)).size).toBe(9);
    for (const i of items.filter((x) => x.sectionId === 'a')) expect(pool.find((p) => p.questionId === i.questionId)).toMatchObject({ type: 'single_choice', tags: ['aipl'] });
    expect(items.every((i) => i.points === 2)).toBe(true);
    expect(items.find((i) => i.sectionId === 'f')!.topic).toBe('fast');
  });

  it('avoids questions seen in earlier attempts while the pool allows, then reuses them', () => {
    const aipl = pool.filter((p) => p.tags[0] === 'aipl').map((p) => p.questionId);
    const seen = new Set(aipl.slice(0, 12));
    const items = drawBlueprint([section('a', ['aipl'], 3)], pool, seen, seededRandom(2));
    expect(items.every((i) => !seen.has(i.questionId))).toBe(true);
    const more = drawBlueprint([section('a', ['aipl'], 5)], pool, seen, seededRandom(3));
    expect(more.filter((i) => !seen.has(i.questionId))).toHaveLength(3);
  });

  it('says which section is short and by how many', () => {
    expect(shortfalls([section('a', ['aipl'], 10, ['single_choice']), section('x', ['nothing'], 2)], pool)).toEqual([{ sectionId: 'x', needed: 2, available: 0 }]);
    expect(shortfalls([section('a', ['aipl'], 11, ['single_choice'])], pool)).toEqual([{ sectionId: 'a', needed: 11, available: 10 }]);
    expect(() => drawBlueprint([section('a', ['aipl'], 20)], pool, new Set(), seededRandom(1))).toThrow(/needs 20/);
  });

  it('is reproducible from its seed', () => {
    const a = drawBlueprint([section('a', ['aipl'], 5)], pool, new Set(), seededRandom(42));
    const b = drawBlueprint([section('a', ['aipl'], 5)], pool, new Set(), seededRandom(42));
    expect(a).toEqual(b);
  });
});

describe('scoring', () => {
  it('totals points, breaks them down by topic and applies the pass mark', () => {
    const r = scoreAttempt(
      [
        { topic: 'aipl', points: 1, credit: 1, scored: true },
        { topic: 'aipl', points: 1, credit: 0.5, scored: true },
        { topic: 'fast', points: 2, credit: 0, scored: true },
        { topic: 'fast', points: 1, credit: null, scored: false },
      ],
      37.5,
    );
    expect(r).toMatchObject({ complete: true, points: 1.5, max: 4, percent: 37.5, passed: true });
    expect(r.topics).toEqual([
      { topic: 'aipl', points: 1.5, max: 2, percent: 75 },
      { topic: 'fast', points: 0, max: 2, percent: 0 },
    ]);
    expect(scoreAttempt([{ topic: 'a', points: 3, credit: 2 / 3, scored: true }], 66.67).passed).toBe(false);
  });

  it('is not complete while an essay awaits a person', () => {
    const r = scoreAttempt([{ topic: 'a', points: 4, credit: null, scored: true }, { topic: 'a', points: 1, credit: 1, scored: true }], 50);
    expect(r.complete).toBe(false);
    expect(r.passed).toBeNull();
  });
});

describe('receipt', () => {
  it('hashes the canonical answer set: key order does not matter, any answer change does', () => {
    expect(canonical({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    const one = answerSetHash('att', [{ itemId: 'i1', response: { optionId: 'x', extra: 1 } }, { itemId: 'i2', response: null }]);
    const same = answerSetHash('att', [{ itemId: 'i1', response: { extra: 1, optionId: 'x' } }, { itemId: 'i2', response: undefined }]);
    const other = answerSetHash('att', [{ itemId: 'i1', response: { optionId: 'y', extra: 1 } }, { itemId: 'i2', response: null }]);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(same).toBe(one);
    expect(other).not.toBe(one);
  });
});

describe('item statistics', () => {
  it('computes facility, point-biserial discrimination and KR-20', () => {
    // Five candidates, three items: item 1 separates strong from weak, item 3 everyone gets right.
    const rows = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 0, 1],
      [0, 1, 1],
      [0, 0, 1],
    ].map((r) => new Map(r.map((v, i) => [`i${i + 1}`, v])));
    const stats = itemStatistics(rows);
    const byKey = Object.fromEntries(stats.items.map((s) => [s.key, s]));
    expect(byKey.i1.facility).toBeCloseTo(0.6);
    expect(byKey.i3.facility).toBe(1);
    expect(byKey.i3.flags).toContain('too_easy');
    expect(byKey.i3.discrimination).toBeNull();
    expect(byKey.i1.discrimination!).toBeGreaterThan(0);
    // KR-20 by hand: k=3, Σpq = .24+.24+0 = .48, var(total) = var([3,3,2,2,1]) = .56 → 1.5·(1−.48/.56)
    expect(stats.kr20!).toBeCloseTo(1.5 * (1 - 0.48 / 0.56), 6);
    expect(stats.alpha).toBe(stats.kr20);
  });
});

describe('integrity flags', () => {
  it('flags when a signal reaches its threshold', () => {
    expect(flagsFor({ focus_lost: 4 }, { focus_lost: 5 })).toEqual([]);
    expect(flagsFor({ focus_lost: 5, second_session: 1 }, { focus_lost: 5, second_session: 1 })).toEqual(['focus_lost', 'second_session']);
    expect(flagsFor({ copy: 10 }, { copy: 0 })).toEqual([]);
  });
});
