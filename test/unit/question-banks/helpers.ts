import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeContent } from '../../../src/modules/question-banks/domain/canonical';
import type { QuestionContent, QuestionType } from '../../../src/modules/question-banks/domain/question';
import type { ParseResult } from '../../../src/modules/question-banks/formats/parse-result';

export const FIXTURES = join(__dirname, 'fixtures');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** A normalised question with English texts, for grading and exporter tests. */
export function question(type: QuestionType, fields: Partial<QuestionContent> = {}): QuestionContent {
  return normalizeContent({ type, title: null, stem: { en: 'Question?' }, tags: ['t'], languages: [], ...fields });
}

export const en = (text: string): Record<string, string> => ({ en: text });

/** Questions of a result as plain objects (one language), for compact assertions. */
export function texts(result: ParseResult): Array<{ type: string; stem: string }> {
  return result.questions.map((q) => ({ type: q.content.type, stem: Object.values(q.content.stem)[0] ?? '' }));
}

export function errorLines(result: ParseResult): number[] {
  return result.errors.map((e) => e.line);
}
