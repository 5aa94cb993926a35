import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { candidateView, opaqueId, resolveResponse } from '../../../src/modules/question-banks/candidate-view';
import { parseQuestionFile } from '../../../src/modules/question-banks/formats/parse-file';
import { gradeResponse } from '../../../src/modules/question-banks/grading';
import { QuestionContent } from '../../../src/modules/question-banks/domain/question';

const KEY = 'test-key';
const banks = readdirSync('question-banks').filter((f) => f.endsWith('.yaml'));
const all: QuestionContent[] = banks.flatMap((f) => parseQuestionFile(f, readFileSync(join('question-banks', f))).questions.map((q) => q.content));

describe('what a candidate sees of a question', () => {
  it('parses every curriculum bank without errors (≥ 200 questions, ≥ 15 per area, both languages)', () => {
    for (const f of banks) expect(parseQuestionFile(f, readFileSync(join('question-banks', f))).errors).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(200);
    const perArea = new Map<string, number>();
    for (const q of all) perArea.set(q.tags[0], (perArea.get(q.tags[0]) ?? 0) + 1);
    expect(perArea.size).toBe(9);
    for (const n of perArea.values()) expect(n).toBeGreaterThanOrEqual(15);
    for (const q of all) {
      expect(q.languages).toEqual(expect.arrayContaining(['zh-CN', 'en']));
      expect(q.explanation).toBeDefined();
    }
  });

  it('never contains a fraction, feedback, an explanation, a rubric or the answer', () => {
    for (const content of all) {
      for (const locale of ['zh-CN', 'en']) {
        const view = candidateView(content, locale, { shuffleOptions: true, seed: 42, idKey: KEY });
        const json = JSON.stringify(view);
        expect(json).not.toMatch(/"(fraction|feedback|explanation|rubric|answer|answers|caseSensitive|tolerance|trueFeedback|falseFeedback)":/);
        for (const text of Object.values(content.explanation ?? {})) if (text.length > 12) expect(json).not.toContain(text);
        if (content.type === 'short_answer' || content.type === 'numeric') {
          for (const gap of content.gaps ?? []) for (const a of gap.answers) expect(json).not.toContain(JSON.stringify('text' in a ? Object.values(a.text)[0] : a.value));
        }
      }
    }
  });

  it('shows opaque ids, so the id never tells which option is right or which match belongs to which prompt', () => {
    for (const content of all.filter((q) => q.options?.length || q.pairs?.length)) {
      const view = candidateView(content, 'zh-CN', { shuffleOptions: true, seed: 7, idKey: KEY });
      for (const o of view.options) expect(o.id).toMatch(/^x[\w-]{12}$/);
      const promptIds = new Set(view.prompts.map((p) => p.id));
      for (const m of view.matches) expect(promptIds.has(m.id)).toBe(false);
    }
  });

  it('grades a response given with opaque ids once translated back', () => {
    const matching = all.find((q) => q.type === 'matching')!;
    const view = candidateView(matching, 'en', { seed: 3, idKey: KEY });
    const pairs = Object.fromEntries(
      (matching.pairs ?? [])
        .filter((p) => p.prompt)
        .map((p) => [opaqueId(KEY, 3, `prompt:${p.id}`), opaqueId(KEY, 3, p.id)]),
    );
    expect(view.prompts.map((p) => p.id).sort()).toEqual(Object.keys(pairs).sort());
    expect(gradeResponse(matching, resolveResponse(matching, { pairs }, { seed: 3, idKey: KEY }))).toMatchObject({ status: 'graded', credit: 1 });
    const single = all.find((q) => q.type === 'single_choice')!;
    const right = single.options!.find((o) => o.fraction === 1)!;
    const wrong = single.options!.find((o) => o.fraction <= 0)!;
    const as = (id: string) => resolveResponse(single, { optionId: opaqueId(KEY, 9, id) }, { seed: 9, idKey: KEY });
    expect(gradeResponse(single, as(right.id))).toMatchObject({ credit: 1 });
    expect(gradeResponse(single, as(wrong.id))).toMatchObject({ credit: 0 });
    // Another seed's ids do not grade as right.
    expect(gradeResponse(single, resolveResponse(single, { optionId: opaqueId(KEY, 10, right.id) }, { seed: 9, idKey: KEY }))).toMatchObject({ credit: 0 });
  });

  it('never shows an ordering question in its right order', () => {
    for (const content of all.filter((q) => q.type === 'ordering')) {
      for (let seed = 1; seed < 20; seed++) {
        const view = candidateView(content, 'zh-CN', { seed });
        expect(view.options.map((o) => o.id)).not.toEqual(content.options!.map((o) => o.id));
      }
    }
  });
});
