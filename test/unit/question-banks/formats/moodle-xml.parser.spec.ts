import { parseMoodleXml } from '../../../../src/modules/question-banks/formats/moodle-xml.parser';
import type { NumericGap, TextGap } from '../../../../src/modules/question-banks/domain/question';
import { fixture } from '../helpers';

const result = parseMoodleXml(fixture('sample.moodle.xml').toString('utf8'), { language: 'en' });
const byTitle = (title: string) => {
  const q = result.questions.find((x) => x.content.title?.en === title);
  if (!q) throw new Error(`no question "${title}"`);
  return q;
};

describe('Moodle XML', () => {
  it('imports the supported types in file order, category records not counted', () => {
    expect(result.questions.map((q) => [q.content.title?.en, q.content.type])).toEqual([
      ['Stage I', 'single_choice'],
      ['FAST letters', 'multiple_choice'],
      ['Loyalty', 'true_false'],
      ['Amphibian', 'short_answer'],
      ['Months', 'numeric'],
      ['Classify', 'matching'],
      ['Essay', 'essay'],
      ['Intro', 'description'],
      ['Order', 'ordering'],
      ['legacy', 'single_choice'],
    ]);
  });
  it('sets the category, id, tags, feedback and general feedback', () => {
    const q = byTitle('Stage I');
    expect(q.id).toBe('aipl-i');
    expect(q.content.category).toBe('$course$/Planner/AIPL');
    expect(q.content.tags).toEqual(['aipl', 'basics']);
    expect(q.content.stem.en).toBe('What does the I in AIPL stand for?');
    expect(q.content.explanation?.en).toBe('AIPL = Awareness, Interest, Purchase, Loyalty.');
    expect(q.content.options!.map((o) => [o.text.en, o.fraction, o.feedback?.en])).toEqual([
      ['Interest', 1, 'Yes'],
      ['Influence', 0, undefined],
      ['Investment', -0.3333333, undefined],
    ]);
  });
  it('reads <single>false</single> as multiple response with partial scoring, keeping auto-format newlines', () => {
    const q = byTitle('FAST letters').content;
    expect(q.scoring).toBe('partial');
    expect(q.stem.en).toBe('Which letters\nare in FAST?');
  });
  it('reads true/false with its feedback', () => {
    const q = byTitle('Loyalty').content;
    expect([q.answer, q.trueFeedback?.en, q.falseFeedback?.en]).toEqual([true, 'Right', 'No']);
  });
  it('reads short answers with usecase and keeps the * wildcard; a long underscore run is a blank', () => {
    const q = byTitle('Amphibian').content;
    expect(q.stem.en).toBe('Name an amphibian: _____');
    const gap = (q.gaps as TextGap[])[0];
    expect(gap.caseSensitive).toBe(true);
    expect(gap.answers.map((a) => [a.text.en, a.fraction])).toEqual([['frog', 1], ['toad', 0.8], ['*', 0]]);
  });
  it('reads numerical tolerance and leaves out the * catch-all', () => {
    expect((byTitle('Months').content.gaps as NumericGap[])[0].answers).toEqual([{ value: 6, tolerance: 0.5, fraction: 1 }]);
  });
  it('reads a subquestion with empty text as a distractor', () => {
    expect(byTitle('Classify').content.pairs!.map((p) => [p.prompt?.en ?? null, p.match.en])).toEqual([
      ['frog', 'amphibian'],
      ['cat', 'mammal'],
      [null, 'insect'],
    ]);
  });
  it('reads graderinfo as the rubric and hidden as retired', () => {
    const q = byTitle('Essay');
    expect(q.content.rubric?.en).toBe('Four stages, 1 point each.');
    expect(q.status).toBe('retired');
  });
  it('orders the ordering plugin by its fractions', () => {
    expect(byTitle('Order').content.options!.map((o) => o.text.en)).toEqual(['Awareness', 'Interest', 'Purchase']);
  });
  it('reads legacy 1.9 questions (no format attribute, padded answers, <image>) with a warning', () => {
    const q = byTitle('legacy').content;
    expect(q.stem.en).toBe('Legacy "1.9" question');
    expect(q.options!.map((o) => o.text.en)).toEqual(['wrong answer', 'right answer']);
    expect(result.warnings.some((w) => /legacy <image>/.test(w.message))).toBe(true);
  });
  it('skips cloze and calculated questions with a warning at their line', () => {
    const skipped = result.warnings.filter((w) => /skipped/.test(w.message));
    expect(skipped.map((w) => w.message)).toEqual([expect.stringContaining('cloze'), expect.stringContaining('calculated')]);
    expect(skipped.every((w) => w.line > 1)).toBe(true);
  });
  it('errors on an invalid grade (33) at its answer line and on a question without type', () => {
    const text = fixture('sample.moodle.xml').toString('utf8').split('\n');
    const badLine = text.findIndex((l) => l.includes('fraction="33"')) + 1;
    expect(result.errors).toEqual([
      expect.objectContaining({ line: badLine, message: expect.stringContaining('invalid grade') }),
      expect.objectContaining({ message: expect.stringContaining('without a type') }),
    ]);
    expect(result.questions.some((q) => q.content.title?.en === 'Bad grade')).toBe(false);
  });
  it('rejects a file whose root is not <quiz>, and malformed XML with its line', () => {
    expect(parseMoodleXml('<questions/>').errors[0].message).toMatch(/<quiz> root/);
    expect(parseMoodleXml('<quiz>\n<question type="essay">\n</quiz>').errors[0]).toMatchObject({ line: 3 });
  });
});
