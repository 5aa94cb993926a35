import { parseGift } from '../../../../src/modules/question-banks/formats/gift.parser';
import type { NumericGap, TextGap } from '../../../../src/modules/question-banks/domain/question';
import { errorLines } from '../helpers';

const parse = (text: string) => parseGift(text, { language: 'en' });
const one = (text: string) => {
  const r = parse(text);
  expect(r.errors).toEqual([]);
  expect(r.questions).toHaveLength(1);
  return r.questions[0].content;
};
const options = (text: string) => one(text).options!.map((o) => [o.text.en, o.fraction]);

describe('GIFT multiple choice', () => {
  it('reads = as the right answer and ~ as wrong ones (single choice)', () => {
    const q = one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}");
    expect(q.type).toBe('single_choice');
    expect(q.stem.en).toBe("Who's buried in Grant's tomb?");
    expect(options("Q?{~Grant ~Jefferson =no one}")).toEqual([['Grant', 0], ['Jefferson', 0], ['no one', 1]]);
  });
  it('makes a missing-word question when text follows the block', () => {
    expect(one('Grant is {~buried =entombed ~living} in Grant\'s tomb.').stem.en).toBe("Grant is _____ in Grant's tomb.");
  });
  it('reads weights, feedback and titles', () => {
    const q = one('::Hard::Difficult question.{\n ~wrong answer #comment\n ~%50%half credit #ok\n =full credit #well done!}');
    expect(q.title?.en).toBe('Hard');
    expect(q.options!.map((o) => [o.text.en, o.fraction, o.feedback?.en])).toEqual([
      ['wrong answer', 0, 'comment'],
      ['half credit', 0.5, 'ok'],
      ['full credit', 1, 'well done!'],
    ]);
  });
  it('makes multiple response (partial scoring) when no answer has =, negative weights included', () => {
    const q = one('::colours:: Between orange and green?\n{\n ~%50%yellow # right\n ~%-100%red # [html]<b>wrong</b>\n ~%50%off-beige\n ~%-100%[plain]blue\n}');
    expect(q.type).toBe('multiple_choice');
    expect(q.scoring).toBe('partial');
    expect(q.options!.map((o) => [o.text.en, o.fraction])).toEqual([['yellow', 0.5], ['red', -1], ['off-beige', 0.5], ['blue', -1]]);
    expect(q.options![1].feedback?.en).toBe('wrong');
  });
  it('errors on a choice with one answer', () => {
    const r = parse('Q?{~only}');
    expect(r.questions).toEqual([]);
    expect(r.errors[0]).toMatchObject({ line: 1, message: expect.stringContaining('at least 2 answers') });
  });
  it('errors on a weight outside −100…100 and warns on a weight Moodle refuses', () => {
    expect(parse('Q?{~%150%a =b}').errors[0].message).toMatch(/outside/);
    const r = parse('Q?{~%33%a =b}');
    expect(r.errors).toEqual([]);
    expect(r.warnings[0].message).toMatch(/not one of Moodle's grades/);
  });
});

describe('GIFT true/false', () => {
  it.each([
    ['{T}', true],
    ['{TRUE}', true],
    ['{F}', false],
    ['{FALSE}', false],
    ['{ true }', true],
  ])('reads %s', (block, value) => {
    const q = one(`Grant is buried in Grant's tomb.${block}`);
    expect(q.type).toBe('true_false');
    expect(q.answer).toBe(value);
  });
  it('reads wrong-answer and right-answer feedback', () => {
    const q = one('Grant is buried there.{FALSE#wrong answer feedback#right answer feedback}');
    expect(q.falseFeedback?.en).toBe('right answer feedback');
    expect(q.trueFeedback?.en).toBe('wrong answer feedback');
  });
});

describe('GIFT short answer', () => {
  it('reads answers with weights and feedback', () => {
    const q = one('::Hometown:: Jesus was from {\n =Nazareth#Yes!\n =%75%Nazereth#misspelled\n =%25%Bethlehem\n}.');
    expect(q.type).toBe('short_answer');
    expect(q.stem.en).toBe('Jesus was from _____.');
    const gap = (q.gaps as TextGap[])[0];
    expect(gap.caseSensitive).toBe(false);
    expect(gap.answers.map((a) => [a.text.en, a.fraction, a.feedback?.en])).toEqual([
      ['Nazareth', 1, 'Yes!'],
      ['Nazereth', 0.75, 'misspelled'],
      ['Bethlehem', 0.25, undefined],
    ]);
  });
  it('keeps a stem without blank when the block ends the question', () => {
    expect(one('Two plus two?{=four =4}').stem.en).toBe('Two plus two?');
  });
});

describe('GIFT numeric', () => {
  const answers = (text: string) => ((one(text).gaps as NumericGap[])[0].answers).map((a) => [a.value, a.tolerance, a.fraction]);
  it('reads exact values, tolerances and ranges (midpoint ± half width)', () => {
    expect(answers('When?{#1822}')).toEqual([[1822, 0, 1]]);
    expect(answers('Pi?{#3.1415:0.0005}')).toEqual([[3.1415, 0.0005, 1]]);
    expect(answers('Pi?{#3.141..3.142}')).toEqual([[3.1415, 0.0005, 1]]);
    expect(answers('Negative?{#-3.142..-3.141}')).toEqual([[-3.1415, 0.0005, 1]]);
    expect(answers('Number?{#-5..5}')).toEqual([[0, 5, 1]]);
  });
  it('reads several weighted answers and ignores the "any other answer" feedback', () => {
    expect(answers('When? {#\n =1822:0 #Correct\n =%50%1822:2 #close\n ~#Completely wrong}')).toEqual([
      [1822, 0, 1],
      [1822, 2, 0.5],
    ]);
  });
  it('errors on something that is not a number, at its line', () => {
    const r = parse('When?\n{#\n=18x22\n}');
    expect(r.questions).toEqual([]);
    expect(r.errors[0]).toMatchObject({ line: 3, message: expect.stringContaining('not a number') });
  });
});

describe('GIFT matching, essay, description', () => {
  it('reads pairs, trims irregular spaces and keeps distractors', () => {
    const q = one('Match the capitals. {\n =Italy  -> Rome\n =Japan->  Tokyo\n = -> Paris\n}');
    expect(q.type).toBe('matching');
    expect(q.pairs!.map((p) => [p.prompt?.en ?? null, p.match.en])).toEqual([['Italy', 'Rome'], ['Japan', 'Tokyo'], [null, 'Paris']]);
  });
  it('errors on a pair without ->', () => {
    expect(parse('Match {=a -> b =c}').errors[0].message).toMatch(/needs "->"/);
  });
  it('reads {} as an essay and #### as general feedback', () => {
    const q = one('Write a short biography of Dag Hammarskjöld. {####Mention the UN.}');
    expect(q.type).toBe('essay');
    expect(q.explanation?.en).toBe('Mention the UN.');
  });
  it('reads a question without block as a description', () => {
    expect(one('Just some text.').type).toBe('description');
  });
});

describe('GIFT text', () => {
  it('unescapes every control character, \\n and \\\\', () => {
    const q = one('Which is not a control character? {\n ~ \\~ # \\~ is one\n ~ \\= \n ~ \\# \n ~ \\{ \n ~ \\} \n ~ \\:\n = \\\\ # Right\\nreally}');
    expect(q.options!.map((o) => o.text.en)).toEqual(['~', '=', '#', '{', '}', ':', '\\']);
    expect(q.options![6].feedback?.en).toBe('Right\nreally');
  });
  it('converts [html] and keeps [plain] and [markdown] as written', () => {
    expect(one('[html]<p>Match the <b>activity</b> &amp; more</p>{}').stem.en).toBe('Match the activity & more');
    expect(one('[plain]Is <b> a tag?{}').stem.en).toBe('Is <b> a tag?');
    expect(one('[markdown]A **bold** claim{}').stem.en).toBe('A **bold** claim');
  });
  it('accepts unescaped colons in the stem and http: inside [html]', () => {
    const q = one('[html]Según el sistema: ¿qué es?<br><img src\\="http://x/y.jpg"/>{=a}');
    expect(q.stem.en).toBe('Según el sistema: ¿qué es?');
  });
});

describe('GIFT structure', () => {
  it('reads $CATEGORY for the questions after it, and Moodle 4 id and tag comments', () => {
    const r = parse('$CATEGORY: T5/Part-1\n\n// [id:393]\n// [tag:fred] [tag:barney-wilma]\nEssay?{}\n\nTrue?{T}');
    expect(r.questions.map((q) => [q.id, q.content.category, q.content.tags])).toEqual([
      ['393', 'T5/Part-1', ['fred', 'barney-wilma']],
      [undefined, 'T5/Part-1', []],
    ]);
  });
  it('ignores comment lines, a comment after the title and comments inside the answer block', () => {
    const q = one('// before\n::Title:: // after the title\n// stem comment\nThis statement is false.\n{ // before the answer\n  F // after the answer\n}\n// at the end');
    expect(q.type).toBe('true_false');
    expect(q.answer).toBe(false);
    expect(q.stem.en).toBe('This statement is false.');
  });
  it('gives each question the line where it starts, CRLF or not', () => {
    const r = parse('// c\r\n\r\nA?{T}\r\n\r\n\r\nB?{F}\r\n');
    expect(r.questions.map((q) => q.line)).toEqual([3, 6]);
  });
  it('tolerates a blank line inside an open answer block', () => {
    const q = one('Pick one {\n =right\n\n ~wrong\n}');
    expect(q.options).toHaveLength(2);
  });
});

describe('GIFT errors', () => {
  it('reports an unclosed answer block at its line and column', () => {
    const r = parse('A single line scope {');
    expect(r.errors).toEqual([{ line: 1, column: 21, message: expect.stringContaining('never closed') }]);
  });
  it('reports a second answer block (missing blank line) and keeps the other questions', () => {
    const r = parse('Good?{T}\n\nsuch as {} and then {True}\n\nAlso good?{F}');
    expect(errorLines(r)).toEqual([3]);
    expect(r.questions.map((q) => q.content.answer)).toEqual([true, false]);
  });
  it('reports a stray closing brace', () => {
    expect(parse('Odd } text').errors[0].message).toMatch(/without an opening/);
  });
});
