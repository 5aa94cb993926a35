import { gradeResponse, matchesShortAnswer, parseNumberResponse } from '../../../../src/modules/question-banks/grading';
import { validateResponseShape } from '../../../../src/modules/question-banks/grading/response-shape';
import { en, question } from '../helpers';

const credit = (outcome: ReturnType<typeof gradeResponse>): number | null => (outcome.status === 'graded' ? outcome.credit : null);

describe('single choice', () => {
  const q = question('single_choice', {
    options: [
      { id: '', text: en('right'), fraction: 1 },
      { id: '', text: en('half'), fraction: 0.5 },
      { id: '', text: en('penalty'), fraction: -0.5 },
    ],
  });
  it('gives the chosen option fraction', () => {
    expect(credit(gradeResponse(q, { optionId: 'o1' }))).toBe(1);
    expect(credit(gradeResponse(q, { optionId: 'o2' }))).toBe(0.5);
  });
  it('never goes below zero for a penalty option', () => {
    expect(credit(gradeResponse(q, { optionId: 'o3' }))).toBe(0);
  });
  it('scores an unknown option id 0 and says why', () => {
    const outcome = gradeResponse(q, { optionId: 'o9' });
    expect(outcome).toEqual({ status: 'graded', credit: 0, detail: { malformed: expect.stringContaining('"o9" is not an option') } });
  });
});

describe('multiple choice', () => {
  const options = [
    { id: '', text: en('a'), fraction: 0.5 },
    { id: '', text: en('b'), fraction: 0.5 },
    { id: '', text: en('c'), fraction: -0.5 },
    { id: '', text: en('d'), fraction: 0 },
  ];
  it('all or nothing: full credit only for exactly the right set', () => {
    const q = question('multiple_choice', { options, scoring: 'all_or_nothing' });
    expect(credit(gradeResponse(q, { optionIds: ['o2', 'o1'] }))).toBe(1);
    expect(credit(gradeResponse(q, { optionIds: ['o1'] }))).toBe(0);
    expect(credit(gradeResponse(q, { optionIds: ['o1', 'o2', 'o4'] }))).toBe(0);
    expect(credit(gradeResponse(q, { optionIds: [] }))).toBe(0);
  });
  it('partial: sums the chosen fractions, clamped to 0…1', () => {
    const q = question('multiple_choice', { options, scoring: 'partial' });
    expect(credit(gradeResponse(q, { optionIds: ['o1'] }))).toBe(0.5);
    expect(credit(gradeResponse(q, { optionIds: ['o1', 'o2'] }))).toBe(1);
    expect(credit(gradeResponse(q, { optionIds: ['o1', 'o3'] }))).toBe(0);
    expect(credit(gradeResponse(q, { optionIds: ['o3'] }))).toBe(0);
    expect(credit(gradeResponse(q, { optionIds: ['o1', 'o2', 'o3'] }))).toBe(0.5);
  });
  it('rounds credit to 6 decimals', () => {
    const thirds = question('multiple_choice', {
      scoring: 'partial',
      options: [1, 2, 3].map((n) => ({ id: '', text: en(String(n)), fraction: 1 / 3 })),
    });
    expect(credit(gradeResponse(thirds, { optionIds: ['o1'] }))).toBe(0.333333);
    expect(credit(gradeResponse(thirds, { optionIds: ['o1', 'o2', 'o3'] }))).toBe(1);
  });
  it('treats a repeated option as malformed', () => {
    const q = question('multiple_choice', { options });
    expect(gradeResponse(q, { optionIds: ['o1', 'o1'] })).toMatchObject({ credit: 0, detail: { malformed: expect.any(String) } });
  });
});

describe('true/false', () => {
  const q = question('true_false', { answer: false });
  it('compares the boolean', () => {
    expect(credit(gradeResponse(q, { value: false }))).toBe(1);
    expect(credit(gradeResponse(q, { value: true }))).toBe(0);
  });
  it('rejects a string "false" as malformed', () => {
    expect(gradeResponse(q, { value: 'false' })).toMatchObject({ credit: 0, detail: { malformed: expect.any(String) } });
  });
});

describe('short answer', () => {
  const q = question('short_answer', {
    stem: en('_____ and _____'),
    gaps: [
      {
        caseSensitive: false,
        answers: [
          { text: { en: 'Awareness', 'zh-CN': '认知' }, fraction: 1 },
          { text: { en: 'aware*' }, fraction: 0.5 },
        ],
      },
      { caseSensitive: true, answers: [{ text: en('Interest'), fraction: 1 }] },
    ],
  });
  it('takes the best matching answer per gap and averages the gaps', () => {
    expect(credit(gradeResponse(q, { gaps: ['awareness', 'Interest'] }))).toBe(1);
    expect(credit(gradeResponse(q, { gaps: ['Awareness', 'interest'] }))).toBe(0.5);
    expect(credit(gradeResponse(q, { gaps: ['AWARE of it', 'Interest'] }))).toBe(0.75);
  });
  it('accepts the answer in any of its languages', () => {
    expect(credit(gradeResponse(q, { gaps: ['认知', 'Interest'] }))).toBe(1);
  });
  it('trims and folds white space', () => {
    expect(credit(gradeResponse(q, { gaps: ['  awareness ', ' Interest'] }))).toBe(1);
  });
  it('gives nothing for an empty answer, even against a wildcard', () => {
    const star = question('short_answer', { gaps: [{ caseSensitive: false, answers: [{ text: en('*'), fraction: 1 }] }] });
    expect(credit(gradeResponse(star, { gaps: ['  '] }))).toBe(0);
    expect(credit(gradeResponse(star, { gaps: ['anything'] }))).toBe(1);
  });
  it('is malformed when the number of answers does not match the gaps', () => {
    expect(gradeResponse(q, { gaps: ['Awareness'] })).toMatchObject({ credit: 0, detail: { malformed: expect.stringContaining('2 answers') } });
  });
  it('matches Moodle wildcards, with \\* as a literal star', () => {
    expect(matchesShortAnswer('frog legs', 'frog*', false)).toBe(true);
    expect(matchesShortAnswer('a*b', 'a\\*b', false)).toBe(true);
    expect(matchesShortAnswer('axb', 'a\\*b', false)).toBe(false);
    expect(matchesShortAnswer('1.5', '1.5', true)).toBe(true);
    expect(matchesShortAnswer('105', '1.5', true)).toBe(false);
  });
});

describe('numeric', () => {
  const q = question('numeric', {
    gaps: [
      {
        answers: [
          { value: 1822, tolerance: 0, fraction: 1 },
          { value: 1822, tolerance: 2, fraction: 0.5 },
        ],
      },
    ],
  });
  it('accepts value ± tolerance with the best fraction', () => {
    expect(credit(gradeResponse(q, { gaps: [1822] }))).toBe(1);
    expect(credit(gradeResponse(q, { gaps: ['1823'] }))).toBe(0.5);
    expect(credit(gradeResponse(q, { gaps: [1824] }))).toBe(0.5);
    expect(credit(gradeResponse(q, { gaps: [1825] }))).toBe(0);
  });
  it('reads decimal commas and exponents, and scores text that is not a number 0', () => {
    expect(parseNumberResponse('3,14')).toBe(3.14);
    expect(parseNumberResponse(' 1e3 ')).toBe(1000);
    expect(parseNumberResponse('12abc')).toBeNull();
    expect(credit(gradeResponse(q, { gaps: ['eighteen'] }))).toBe(0);
  });
  it('absorbs floating-point error at the tolerance edge', () => {
    const pi = question('numeric', { gaps: [{ answers: [{ value: 3.1415, tolerance: 0.0005, fraction: 1 }] }] });
    expect(credit(gradeResponse(pi, { gaps: [3.142] }))).toBe(1);
    expect(credit(gradeResponse(pi, { gaps: [3.141] }))).toBe(1);
    expect(credit(gradeResponse(pi, { gaps: [3.1421] }))).toBe(0);
  });
});

describe('matching', () => {
  const q = question('matching', {
    pairs: [
      { id: '', prompt: en('frog'), match: en('amphibian') },
      { id: '', prompt: en('cat'), match: en('mammal') },
      { id: '', prompt: en('newt'), match: en('amphibian') },
      { id: '', prompt: null, match: en('insect') },
    ],
  });
  it('credits correct prompts over all prompts', () => {
    expect(credit(gradeResponse(q, { pairs: { p1: 'p1', p2: 'p2', p3: 'p3' } }))).toBe(1);
    expect(credit(gradeResponse(q, { pairs: { p1: 'p1', p2: 'p4' } }))).toBe(0.333333);
  });
  it('treats pairs with the same match text as the same answer', () => {
    expect(credit(gradeResponse(q, { pairs: { p1: 'p3', p2: 'p2', p3: 'p1' } }))).toBe(1);
  });
  it('makes prompts with the same text interchangeable', () => {
    const twice = question('matching', {
      pairs: [
        { id: '', prompt: en('12*3'), match: en('36') },
        { id: '', prompt: en('12*3'), match: en('72/2') },
      ],
    });
    expect(credit(gradeResponse(twice, { pairs: { p1: 'p2', p2: 'p1' } }))).toBe(1);
    expect(credit(gradeResponse(twice, { pairs: { p1: 'p1', p2: 'p1' } }))).toBe(0.5);
  });
  it('is malformed when a prompt id is unknown or a distractor', () => {
    expect(gradeResponse(q, { pairs: { p4: 'p1' } })).toMatchObject({ credit: 0, detail: { malformed: expect.any(String) } });
  });
});

describe('ordering', () => {
  const q = question('ordering', { options: ['A', 'I', 'P', 'L'].map((t) => ({ id: '', text: en(t), fraction: 0 })) });
  it('is all or nothing', () => {
    expect(credit(gradeResponse(q, { order: ['o1', 'o2', 'o3', 'o4'] }))).toBe(1);
    expect(credit(gradeResponse(q, { order: ['o2', 'o1', 'o3', 'o4'] }))).toBe(0);
  });
  it('needs every option exactly once', () => {
    expect(validateResponseShape(q, { order: ['o1', 'o1', 'o3', 'o4'] })).toMatch(/exactly once/);
    expect(gradeResponse(q, { order: ['o1', 'o2', 'o3'] })).toMatchObject({ credit: 0, detail: { malformed: expect.any(String) } });
  });
});

describe('essay and description', () => {
  it('sends essays to a person and does not score descriptions', () => {
    expect(gradeResponse(question('essay'), { text: 'my essay' })).toEqual({ status: 'needs_human' });
    expect(gradeResponse(question('description'), undefined)).toEqual({ status: 'not_scored' });
  });
});

describe('malformed responses', () => {
  const q = question('single_choice', { options: [{ id: '', text: en('a'), fraction: 1 }, { id: '', text: en('b'), fraction: 0 }] });
  it.each([null, undefined, 42, 'o1', [], { optionIds: ['o1'] }, { optionId: 1 }])('scores %p 0 without throwing', (response) => {
    expect(() => gradeResponse(q, response)).not.toThrow();
    expect(credit(gradeResponse(q, response))).toBe(0);
  });
  it('explains the problem in one sentence', () => {
    expect(validateResponseShape(q, { optionId: 'o1' })).toBeNull();
    const problem = validateResponseShape(q, 'o1');
    expect(problem).toMatch(/must be a JSON object/);
    expect(problem?.replace('e.g. ', '')).not.toMatch(/\. /);
    expect(validateResponseShape(question('true_false', { answer: true }), { value: 1 })).toMatch(/"value": true/);
    expect(validateResponseShape(question('essay'), {})).toMatch(/"text"/);
  });
});
