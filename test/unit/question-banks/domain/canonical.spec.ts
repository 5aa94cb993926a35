import { canonicalJson, contentHash, normalizeContent } from '../../../../src/modules/question-banks/domain/canonical';
import { checkQuestionContent } from '../../../../src/modules/question-banks/domain/rules';
import { countBlanks, pickText, type QuestionContent } from '../../../../src/modules/question-banks/domain/question';
import { en, question } from '../helpers';

describe('canonical JSON', () => {
  it('sorts keys at every level and leaves undefined out', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"z":1}]},"b":1}');
  });
  it('writes -0 as 0', () => {
    expect(canonicalJson([-0])).toBe('[0]');
  });
});

describe('content hash', () => {
  const base: QuestionContent = {
    type: 'single_choice',
    title: null,
    stem: { en: 'Q?', 'zh-CN': '问？' },
    options: [
      { id: 'x', text: en('a'), fraction: 1 },
      { id: 'y', text: en('b'), fraction: 0 },
    ],
    tags: ['aipl'],
    languages: [],
  };
  it('is a sha256 hex digest', () => {
    expect(contentHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });
  it('does not change with key order, ids given, white space around texts or NFD accents', () => {
    const same: QuestionContent = {
      languages: ['whatever'],
      tags: [' aipl '],
      options: [
        { fraction: 1, text: en(' a\n'), id: 'o7' },
        { text: en('b'), id: 'o9', fraction: -0 },
      ],
      stem: { 'zh-CN': '问？', en: 'Q?' },
      title: { en: '  ' },
      type: 'single_choice',
    };
    expect(contentHash(same)).toBe(contentHash(base));
    const accents = { ...base, stem: { en: 'Cafe\u0301' } };
    expect(contentHash(accents)).toBe(contentHash({ ...base, stem: { en: 'Café' } }));
  });
  it('changes when anything that matters changes', () => {
    const hashes = new Set([
      contentHash(base),
      contentHash({ ...base, stem: { en: 'Q!', 'zh-CN': '问？' } }),
      contentHash({ ...base, options: [base.options![1], base.options![0]] }),
      contentHash({ ...base, options: [{ ...base.options![0], fraction: 0.5 }, base.options![1]] }),
      contentHash({ ...base, tags: ['aipl', 'extra'] }),
      contentHash({ ...base, difficulty: 3 }),
      contentHash({ ...base, explanation: en('because') }),
    ]);
    expect(hashes.size).toBe(7);
  });
});

describe('normalizeContent', () => {
  it('numbers options o1… and pairs p1… with distractors last', () => {
    const q = normalizeContent({
      type: 'matching',
      title: null,
      stem: en('Match'),
      tags: [],
      languages: [],
      pairs: [
        { id: 'a', prompt: null, match: en('extra') },
        { id: 'b', prompt: en('frog'), match: en('amphibian') },
        { id: 'c', prompt: en('cat'), match: en('mammal') },
      ],
    });
    expect(q.pairs!.map((p) => [p.id, p.prompt?.en ?? null])).toEqual([
      ['p1', 'frog'],
      ['p2', 'cat'],
      ['p3', null],
    ]);
  });
  it('drops fields that do not belong to the type and computes languages', () => {
    const q = normalizeContent({
      type: 'essay',
      title: null,
      stem: { en: 'Write', 'zh-CN': '写' },
      options: [{ id: '', text: en('x'), fraction: 1 }],
      answer: true,
      rubric: { fr: 'barème' },
      tags: [],
      languages: [],
    });
    expect(q.options).toBeUndefined();
    expect(q.answer).toBeUndefined();
    expect(q.languages).toEqual(['en', 'fr', 'zh-CN']);
  });
  it('is idempotent', () => {
    const q = question('multiple_choice', { options: [{ id: '', text: en('a'), fraction: 1 / 3 }] });
    expect(normalizeContent(q)).toEqual(q);
    expect(q.options![0].fraction).toBe(0.3333333);
    expect(q.scoring).toBe('all_or_nothing');
  });
});

describe('content rules', () => {
  const errors = (q: QuestionContent): string[] => checkQuestionContent(q).filter((p) => p.severity === 'error').map((p) => p.message);
  it('needs a correct option in a single choice', () => {
    expect(errors(question('single_choice', { options: [{ id: '', text: en('a'), fraction: 0.5 }, { id: '', text: en('b'), fraction: 0 }] }))).toEqual([
      expect.stringContaining('one option marked correct'),
    ]);
  });
  it('needs one gap per blank', () => {
    const q = question('short_answer', { stem: en('_____ and _____'), gaps: [{ caseSensitive: false, answers: [{ text: en('x'), fraction: 1 }] }] });
    expect(errors(q)).toEqual([expect.stringContaining('2 blank(s)')]);
    const noBlank = question('short_answer', { stem: en('Name it'), gaps: [{ caseSensitive: false, answers: [{ text: en('x'), fraction: 1 }] }] });
    expect(errors(noBlank)).toEqual([]);
  });
  it('warns when partial fractions do not add up to 1', () => {
    const q = question('multiple_choice', { scoring: 'partial', options: [{ id: '', text: en('a'), fraction: 0.5 }, { id: '', text: en('b'), fraction: 0 }] });
    expect(checkQuestionContent(q)).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining('add up to 0.5') })]);
  });
});

describe('helpers', () => {
  it('counts blanks, longer runs of underscores counting once', () => {
    expect(countBlanks('a _____ b __________ c ___')).toBe(2);
  });
  it('picks a locale, then its language, then fallbacks', () => {
    const t = { 'zh-CN': '中', en: 'en' };
    expect(pickText(t, 'zh-CN')).toBe('中');
    expect(pickText(t, 'en-GB')).toBe('en');
    expect(pickText(t, 'fr', ['en'])).toBe('en');
    expect(pickText(null, 'en')).toBe('');
  });
});
