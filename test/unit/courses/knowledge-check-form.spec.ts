import type { CandidateQuestion } from '../../../src/modules/question-banks/candidate-view';
import {
  describeResponse,
  placeholderResponse,
  questionForm,
  responseFromForm,
} from '../../../src/modules/courses/knowledge-check-form';
import { csvSafe } from '../../../src/modules/courses/staff-learning.service';

const base: CandidateQuestion = {
  type: 'single_choice',
  title: null,
  stem: 'Q?',
  options: [],
  gaps: 0,
  prompts: [],
  matches: [],
  multiple: false,
};
const labels = {
  true: 'True',
  false: 'False',
  gap: (n: number) => `Blank ${n}`,
  position: (n: number) => `Position ${n}`,
  choose: '— choose —',
};
const options = [
  { id: 'o1', text: 'One' },
  { id: 'o2', text: 'Two' },
  { id: 'o3', text: 'Three' },
];

describe('knowledge checks on a plain form', () => {
  it('turns each question type into the response shape the banks grade', () => {
    expect(responseFromForm({ ...base, options }, 0, { q0: 'o2' })).toEqual({ optionId: 'o2' });
    expect(
      responseFromForm({ ...base, type: 'multiple_choice', options }, 1, { q1: ['o1', 'o3', 'o1'] }),
    ).toEqual({ optionIds: ['o1', 'o3'] });
    expect(responseFromForm({ ...base, type: 'multiple_choice', options }, 1, { q1: 'o3' })).toEqual({
      optionIds: ['o3'],
    });
    expect(responseFromForm({ ...base, type: 'true_false' }, 2, { q2: 'false' })).toEqual({ value: false });
    expect(
      responseFromForm({ ...base, type: 'short_answer', gaps: 2 }, 3, { q3_gap0: ' AIPL ', q3_gap1: '' }),
    ).toEqual({ gaps: ['AIPL', ''] });
    expect(responseFromForm({ ...base, type: 'numeric', gaps: 1 }, 4, { q4_gap0: '38' })).toEqual({
      gaps: ['38'],
    });
    const matching = {
      ...base,
      type: 'matching' as const,
      prompts: [
        { id: 'p1', text: 'A' },
        { id: 'p2', text: 'I' },
      ],
      matches: [
        { id: 'p2', text: 'Interest' },
        { id: 'p1', text: 'Awareness' },
      ],
    };
    expect(responseFromForm(matching, 5, { q5_match_p1: 'p1', q5_match_p2: 'p2' })).toEqual({
      pairs: { p1: 'p1', p2: 'p2' },
    });
    expect(
      responseFromForm({ ...base, type: 'ordering', options }, 6, {
        q6_order0: 'o3',
        q6_order1: 'o1',
        q6_order2: 'o2',
      }),
    ).toEqual({ order: ['o3', 'o1', 'o2'] });
    expect(responseFromForm({ ...base, type: 'essay' }, 7, { q7: ' my view ' })).toEqual({ text: 'my view' });
  });

  it('treats a question left empty as unanswered', () => {
    expect(responseFromForm({ ...base, options }, 0, {})).toBeNull();
    expect(responseFromForm({ ...base, type: 'multiple_choice', options }, 0, {})).toBeNull();
    expect(responseFromForm({ ...base, type: 'true_false' }, 0, { q0: 'maybe' })).toBeNull();
    expect(responseFromForm({ ...base, type: 'short_answer', gaps: 1 }, 0, { q0_gap0: '  ' })).toBeNull();
    expect(
      responseFromForm({ ...base, type: 'ordering', options }, 0, {
        q0_order0: '',
        q0_order1: '',
        q0_order2: '',
      }),
    ).toBeNull();
  });

  it('draws fields with stable names and labels, pre-filled from a response', () => {
    const form = questionForm({ ...base, options }, 2, labels, { optionId: 'o2' });
    expect(form).toMatchObject({ number: 3, name: 'q2', kind: 'single' });
    expect(form.choices.map((c) => [c.inputId, c.checked])).toEqual([
      ['q2-o1', false],
      ['q2-o2', true],
      ['q2-o3', false],
    ]);
    const ordering = questionForm({ ...base, type: 'ordering', options }, 0, labels);
    expect(ordering.selects.map((s) => [s.name, s.label])).toEqual([
      ['q0_order0', 'Position 1'],
      ['q0_order1', 'Position 2'],
      ['q0_order2', 'Position 3'],
    ]);
    expect(ordering.selects[0].choices[0]).toEqual({ id: '', text: '— choose —', selected: false });
    expect(
      questionForm({ ...base, type: 'numeric', gaps: 2 }, 1, labels).gaps.map((g) => [
        g.name,
        g.label,
        g.numeric,
      ]),
    ).toEqual([
      ['q1_gap0', 'Blank 1', true],
      ['q1_gap1', 'Blank 2', true],
    ]);
  });

  it('stands in for an unanswered question with a response of the right shape', () => {
    expect(placeholderResponse({ ...base, options })).toEqual({ optionId: 'o1' });
    expect(placeholderResponse({ ...base, type: 'short_answer', gaps: 2 })).toEqual({ gaps: ['', ''] });
    expect(placeholderResponse({ ...base, type: 'ordering', options })).toEqual({
      order: ['o1', 'o2', 'o3'],
    });
  });

  it('describes a response in words for the results page', () => {
    expect(
      describeResponse({ ...base, type: 'multiple_choice', options }, { optionIds: ['o1', 'o3'] }, labels),
    ).toBe('One / Three');
    expect(describeResponse({ ...base, type: 'true_false' }, { value: true }, labels)).toBe('True');
    expect(
      describeResponse({ ...base, type: 'ordering', options }, { order: ['o2', 'o1', 'o3'] }, labels),
    ).toBe('Two → One → Three');
    expect(describeResponse({ ...base, options }, null, labels)).toBe('');
  });

  it('neutralises spreadsheet formulas in CSV cells', () => {
    expect(csvSafe('=HYPERLINK("http://evil")')).toBe(`'=HYPERLINK("http://evil")`);
    expect(csvSafe('+1')).toBe("'+1");
    expect(csvSafe('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvSafe('张伟')).toBe('张伟');
  });
});
