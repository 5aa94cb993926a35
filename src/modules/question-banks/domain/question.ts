/**
 * Canonical question model shared by every bank format (native YAML, GIFT, Moodle XML, Aiken,
 * QTI 2.x/3.0). Pure data: no Nest, no database. Text is plain text (no HTML); a blank inside a
 * stem is written `_____` (five underscores).
 */

export const QUESTION_TYPES = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'short_answer',
  'numeric',
  'matching',
  'ordering',
  'essay',
  'description',
] as const;

export type QuestionType = (typeof QUESTION_TYPES)[number];

export function isQuestionType(value: unknown): value is QuestionType {
  return typeof value === 'string' && (QUESTION_TYPES as readonly string[]).includes(value);
}

/** Locale → text, e.g. `{ 'zh-CN': '兴趣', en: 'Interest' }`. */
export type LocalizedText = Record<string, string>;

/** The blank marker inside a stem (one per gap). */
export const BLANK = '_____';

export type MultipleChoiceScoring = 'all_or_nothing' | 'partial';

/** A choice (single/multiple choice) or an item to put in order (ordering, listed in the correct order). */
export interface ChoiceOption {
  /** Stable within the question: `o1`, `o2`, … in listed order. */
  id: string;
  text: LocalizedText;
  /** 1 = full credit, 0 = wrong, negative = penalty (−1…1). Ordering options carry 0. */
  fraction: number;
  feedback?: LocalizedText;
}

export interface TextAnswer {
  text: LocalizedText;
  /** 0…1 */
  fraction: number;
  feedback?: LocalizedText;
}

/** One blank of a short-answer question. A `*` in an answer is Moodle's wildcard (any characters). */
export interface TextGap {
  answers: TextAnswer[];
  caseSensitive: boolean;
}

export interface NumericAnswer {
  value: number;
  /** Absolute tolerance: value ± tolerance is accepted. */
  tolerance: number;
  /** 0…1 */
  fraction: number;
  feedback?: LocalizedText;
}

/** One blank of a numeric question. */
export interface NumericGap {
  answers: NumericAnswer[];
}

/** A matching pair. A pair without a prompt is a distractor (an extra wrong match). */
export interface MatchPair {
  /** Stable within the question: `p1`, `p2`, … (prompted pairs first, then distractors). */
  id: string;
  prompt: LocalizedText | null;
  match: LocalizedText;
}

export interface QuestionContent {
  type: QuestionType;
  title: LocalizedText | null;
  stem: LocalizedText;
  /** single_choice, multiple_choice, ordering */
  options?: ChoiceOption[];
  /** multiple_choice only */
  scoring?: MultipleChoiceScoring;
  /** true_false only */
  answer?: boolean;
  /** true_false only: shown to a candidate who answered true / false */
  trueFeedback?: LocalizedText;
  falseFeedback?: LocalizedText;
  /** short_answer (TextGap[]) and numeric (NumericGap[]), one per blank */
  gaps?: TextGap[] | NumericGap[];
  /** matching only */
  pairs?: MatchPair[];
  /** essay only: guidance for the person who scores it */
  rubric?: LocalizedText;
  /** general feedback shown after review */
  explanation?: LocalizedText;
  tags: string[];
  /** 1 (easy) … 5 (hard) */
  difficulty?: number;
  category?: string | null;
  /** every locale used by any text of the question, sorted */
  languages: string[];
}

/** A question as stored in a bank: identity and lifecycle around the content. */
export interface BankQuestion {
  id: string;
  status: 'active' | 'retired';
  content: QuestionContent;
}

export interface QuestionBank {
  /** lower-case letters, digits, '-', '.' */
  bank: string;
  title: LocalizedText;
  description?: LocalizedText;
  /** default locale of plain-string texts (native YAML `language`), default zh-CN */
  language: string;
  questions: BankQuestion[];
}

export const DEFAULT_LANGUAGE = 'zh-CN';

export function textGaps(q: QuestionContent): TextGap[] {
  return q.type === 'short_answer' ? ((q.gaps ?? []) as TextGap[]) : [];
}

export function numericGaps(q: QuestionContent): NumericGap[] {
  return q.type === 'numeric' ? ((q.gaps ?? []) as NumericGap[]) : [];
}

/** Text in one locale: the locale itself, then its language (zh-CN → zh), then the fallbacks, then any. */
export function pickText(text: LocalizedText | null | undefined, locale: string, fallbacks: string[] = []): string {
  if (!text) return '';
  if (text[locale] !== undefined) return text[locale];
  const base = locale.split('-')[0];
  for (const key of Object.keys(text)) if (key.split('-')[0] === base) return text[key];
  for (const f of fallbacks) if (text[f] !== undefined) return text[f];
  const keys = Object.keys(text).sort();
  return keys.length ? text[keys[0]] : '';
}

/** Every text value of a localized text (all locales). */
export function allTexts(text: LocalizedText | null | undefined): string[] {
  return text ? Object.values(text) : [];
}

export function countBlanks(stem: string): number {
  let count = 0;
  let from = 0;
  for (;;) {
    const at = stem.indexOf(BLANK, from);
    if (at < 0) return count;
    count++;
    from = at + BLANK.length;
    while (stem.charCodeAt(from) === 95 /* _ */) from++;
  }
}
