import Ajv2020 from 'ajv/dist/2020';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import schema from '../../../../question-banks/schema/bank.schema.json';
import { parseYamlBank } from '../../../../src/modules/question-banks/formats/yaml.parser';
import type { NumericGap, TextGap } from '../../../../src/modules/question-banks/domain/question';
import { fixture } from '../helpers';

const bank = (questions: string, head = 'bank: t\ntitle: T\n') => parseYamlBank(`${head}questions:\n${questions}`);

describe('native YAML bank', () => {
  const result = parseYamlBank(fixture('all-types.yaml').toString('utf8'));

  it('reads every question type of the fixture without issue', () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.format).toBe('yaml');
    expect(result.bank).toEqual({ bank: 'test-all-types', title: { 'zh-CN': '全部题型', en: 'Every question type' }, description: { 'zh-CN': '测试用题库', en: 'A bank for tests' } });
    expect(result.questions.map((q) => q.content.type)).toEqual([
      'single_choice',
      'multiple_choice',
      'multiple_choice',
      'true_false',
      'short_answer',
      'short_answer',
      'numeric',
      'matching',
      'ordering',
      'essay',
      'description',
    ]);
  });
  it('keeps ids, lines, status and both languages', () => {
    const first = result.questions[0];
    expect([first.id, first.line, first.status]).toEqual(['sc-1', 8, 'active']);
    expect(first.content.languages).toEqual(['en', 'zh-CN']);
    expect(result.questions[10].status).toBe('retired');
  });
  it('gives a right option of a single choice 1, and the right options of a multiple choice equal shares', () => {
    expect(result.questions[0].content.options!.map((o) => o.fraction)).toEqual([1, -0.5, 0]);
    expect(result.questions[2].content.options!.map((o) => o.fraction)).toEqual([0.5, 0.5, 0]);
    expect(result.questions[2].content.scoring).toBe('all_or_nothing');
    expect(result.questions[1].content.scoring).toBe('partial');
  });
  it('defaults answer fractions to 1, tolerance to 0 and caseSensitive to false', () => {
    const sa = result.questions[5].content.gaps as TextGap[];
    expect(sa.map((g) => [g.caseSensitive, g.answers[0].fraction])).toEqual([[false, 1], [true, 1]]);
    expect((result.questions[6].content.gaps as NumericGap[])[0].answers).toEqual([
      { value: 6, tolerance: 0, fraction: 1 },
      { value: 6, tolerance: 1, fraction: 0.5 },
    ]);
  });
  it('takes plain strings in the bank language', () => {
    const r = bank('  - { id: q1, type: essay, difficulty: 1, tags: [x], stem: Hello }', 'bank: t\ntitle: T\nlanguage: en\n');
    expect(r.questions[0].content.stem).toEqual({ en: 'Hello' });
    expect(bank('  - { id: q1, type: essay, difficulty: 1, tags: [x], stem: 你好 }').questions[0].content.stem).toEqual({ 'zh-CN': '你好' });
  });

  describe('errors carry line and column', () => {
    it('for YAML syntax', () => {
      const r = parseYamlBank('bank: t\ntitle: T\nquestions:\n  - id: a\n    type: [essay\n');
      expect(r.errors[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number), message: expect.stringMatching(/^YAML:/) });
    });
    it('for an unknown field, at the key', () => {
      const r = bank('  - id: q1\n    type: essay\n    difficulty: 1\n    tags: [x]\n    stem: S\n    corect: true\n');
      expect(r.errors).toEqual([{ line: 9, column: 5, message: 'questions[0].corect: unknown field "corect"' }]);
    });
    it('for a missing required field, at the question', () => {
      const r = bank('  - id: q1\n    type: single_choice\n    difficulty: 1\n    tags: [x]\n    stem: S\n');
      expect(r.errors).toEqual([{ line: 4, column: 5, message: 'questions[0]: missing required field "options"' }]);
    });
    it('only warns, at the question, about a missing difficulty or tags', () => {
      const r = bank('  - id: q1\n    type: essay\n    stem: S\n');
      expect(r.errors).toEqual([]);
      expect(r.warnings.map((w) => [w.line, w.column, w.message])).toEqual([
        [4, 5, expect.stringContaining('no difficulty')],
        [4, 5, expect.stringContaining('no tags')],
      ]);
    });
    it('for a wrong value type, at the value', () => {
      const r = bank('  - id: q1\n    type: essay\n    difficulty: 9\n    tags: [x]\n    stem: { zh-CN: 1 }\n');
      expect(r.errors.map((e) => [e.line, e.column, e.message])).toEqual([
        [6, 17, 'questions[0].difficulty: must be <= 5'],
        [8, 20, 'questions[0].stem.zh-CN: must be a string (put the value in quotes)'],
      ]);
      expect(bank('  - { id: q1, type: essay, difficulty: 1, tags: [x], stem: [a] }').errors[0].message).toMatch(/stem: must be text/);
    });
    it('for semantic rules: no correct option, blanks vs gaps, duplicate ids', () => {
      const r = bank(
        [
          '  - id: q1',
          '    type: single_choice',
          '    difficulty: 1',
          '    tags: [x]',
          '    stem: S',
          '    options: [{ text: a }, { text: b }]',
          '  - id: q1',
          '    type: short_answer',
          '    difficulty: 1',
          '    tags: [x]',
          '    stem: _____ and _____',
          '    gaps: [{ answers: [{ text: a }] }]',
        ].join('\n'),
      );
      expect(r.errors.map((e) => [e.line, e.message])).toEqual([
        [9, expect.stringContaining('one option marked correct')],
        [10, 'questions[1].id: id "q1" is already used by questions[0]'],
        [14, expect.stringContaining('2 blank(s)')],
      ]);
    });
    it('for contradictory correct and fraction, and fields of another type', () => {
      const r = bank('  - id: q1\n    type: true_false\n    difficulty: 1\n    tags: [x]\n    stem: S\n    answer: true\n    options: [{ text: a, correct: false, fraction: 1 }]\n');
      expect(r.errors[0]).toMatchObject({ line: 10, message: expect.stringContaining('"options" does not belong to a true_false question') });
    });
  });
  it('warns about a missing translation', () => {
    const r = bank('  - id: q1\n    type: essay\n    difficulty: 1\n    tags: [x]\n    stem: { zh-CN: 写 }\n    explanation: { zh-CN: 解释, en: Because }\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings[0].message).toMatch(/stem: no en text/);
  });
  it('reports an empty file', () => {
    expect(parseYamlBank('').errors[0].message).toMatch(/empty/);
  });
});

describe('the JSON Schema', () => {
  it('compiles in strict mode and accepts the curriculum banks in question-banks/', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    const validate = ajv.compile(schema);
    const dir = join(__dirname, '../../../../question-banks');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    for (const f of files) {
      const ok = validate(parseYaml(readFileSync(join(dir, f), 'utf8')));
      expect({ file: f, errors: ok ? null : validate.errors }).toEqual({ file: f, errors: null });
    }
  });
});
