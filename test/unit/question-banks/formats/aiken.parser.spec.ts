import { parseAiken } from '../../../../src/modules/question-banks/formats/aiken.parser';
import type { TextGap } from '../../../../src/modules/question-banks/domain/question';
import { errorLines } from '../helpers';

const parse = (text: string) => parseAiken(text, { language: 'en' });

describe('Aiken (standard)', () => {
  it('reads questions, options with ) or . and the ANSWER letter', () => {
    const r = parse('Who started Moodle?\nA) Petr\nB) Martin\nC. Eloy\nANSWER: B\n\nHTML <b> & stays text:\nA) True\nB) False\nANSWER: A\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.questions.map((q) => [q.content.type, q.content.stem.en, q.content.options!.filter((o) => o.fraction === 1).map((o) => o.text.en)])).toEqual([
      ['single_choice', 'Who started Moodle?', ['Martin']],
      ['single_choice', 'HTML <b> & stays text:', ['True']],
    ]);
    expect(r.questions.map((q) => q.line)).toEqual([1, 7]);
  });
  it('reports Moodle\'s errors at their lines and still returns the good questions', () => {
    const text = [
      'A question with too few answers', // 1
      'A) Only answer',
      'ANSWER: A', // 3: fewer than 2 options
      '',
      'A) Question not started', // 5: option outside a question
      '',
      'ANSWER: Question not started', // 7: ANSWER outside a question
      '',
      'A good question',
      'A) Correct',
      'B) Incorrect',
      'ANSWER: A',
      '',
      'A question started but not finished',
      'A) Correct-ish',
      'B) Incorrect-ish',
      '',
      'A second good question', // 18: previous not completed
      'A)Incorrect (No space)',
      'B)Correct (No space)',
      'ANSWER: B',
      '',
      'Unterminated at the end', // 23
      'A) x',
      'B) y',
    ].join('\n');
    const r = parse(text);
    expect(errorLines(r)).toEqual([3, 5, 7, 18, 23]);
    expect(r.errors[4].message).toMatch(/no ANSWER line before the end/);
    expect(r.questions.map((q) => q.content.stem.en)).toEqual(['A good question', 'A second good question']);
    expect(r.questions[1].content.options!.map((o) => [o.text.en, o.fraction])).toEqual([['Incorrect (No space)', 0], ['Correct (No space)', 1]]);
  });
  it('errors when ANSWER names an option that does not exist', () => {
    expect(parse('Q?\nA) a\nB) b\nANSWER: D').errors[0]).toMatchObject({ line: 4, message: expect.stringContaining('"D"') });
  });
});

describe('Aiken (lenient)', () => {
  it('accepts a question over several lines, "Answer:" and a lower-case letter, with warnings', () => {
    const r = parse('Which ITIL process,\nin practice?\na) One\nb) Two\nAnswer: b');
    expect(r.errors).toEqual([]);
    expect(r.questions[0].content.stem.en).toBe('Which ITIL process,\nin practice?');
    expect(r.questions[0].content.options!.map((o) => o.fraction)).toEqual([0, 1]);
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings.every((w) => w.message.startsWith('non-standard Aiken'))).toBe(true);
  });
  it('reads several answer letters as a multiple-response question', () => {
    const q = parse('Pick two\nA. one\nB. two\nC. three\nANSWER: A, C').questions[0].content;
    expect(q.type).toBe('multiple_choice');
    expect(q.options!.filter((o) => o.fraction > 0).map((o) => o.text.en)).toEqual(['one', 'three']);
  });
  it('reads Feedback: and gfeed. lines as general feedback', () => {
    const q = parse('Q?\nA) a\nB) b\nANSWER: A\nFeedback: Obviously').questions[0].content;
    expect(q.explanation?.en).toBe('Obviously');
  });
  it('reads the aiken-to-moodlexml typed dialect and skips its cloze and order', () => {
    const text = [
      'shortanswer',
      '4. Calculate: 2 + 2',
      'Answer: 4, four',
      '',
      'truefalse',
      '5. Apple was founded by Steve Jobs.',
      'Answer: True',
      '',
      'essay',
      'Write about blogs.',
      'gfeed. Mention Twitter.',
      '',
      'description',
      'Open Office is an office suite.',
      '',
      'cloze',
      'Infrastructure {1:MULTICHOICE:=a~b}',
      '',
      'numerical',
      'How many books?',
      'Answer: 5',
      '',
      'matching',
      'Match cities and countries',
      '1. Yakutsk',
      'match: Russia',
      '2. Harbin',
      'match: China',
      '',
      'order',
      'Ascending',
      '1. 200',
      '2. 100',
      'Answer: 2,1',
      '',
      'multichoice',
      'Which two?',
      '1. one',
      '2. two',
      '3. three',
      'Answer: 1,3',
    ].join('\n');
    const r = parse(text);
    expect(r.errors).toEqual([]);
    expect(r.questions.map((q) => q.content.type)).toEqual(['short_answer', 'true_false', 'essay', 'description', 'numeric', 'matching', 'multiple_choice']);
    const [sa, tf, essay, , num, match, mc] = r.questions.map((q) => q.content);
    expect((sa.gaps as TextGap[])[0].answers.map((a) => a.text.en)).toEqual(['4', 'four']);
    expect(tf.answer).toBe(true);
    expect(essay.explanation?.en).toBe('Mention Twitter.');
    expect(num.gaps).toEqual([{ answers: [{ value: 5, tolerance: 0, fraction: 1 }] }]);
    expect(match.pairs!.map((p) => [p.prompt?.en, p.match.en])).toEqual([['Yakutsk', 'Russia'], ['Harbin', 'China']]);
    expect(mc.options!.filter((o) => o.fraction > 0).map((o) => o.text.en)).toEqual(['one', 'three']);
    expect(r.warnings.filter((w) => /skipped/.test(w.message)).map((w) => w.line)).toEqual([17, 31]);
  });
});
