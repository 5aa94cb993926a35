/**
 * Pure grading, one function per question type. Credit is 0…1, rounded to 6 decimals. A response
 * whose shape does not fit the question gets credit 0 with the reason in `detail.malformed` —
 * grading never throws.
 */
import { allTexts, type LocalizedText, type NumericGap, type QuestionContent, type TextGap } from '../domain/question';
import { validateResponseShape } from './response-shape';

export interface GradeDetail {
  /** the response did not fit the question: why */
  malformed?: string;
  /** short answer / numeric: the credit of each gap */
  gaps?: number[];
  /** matching: prompt pair id → matched correctly */
  pairs?: Record<string, boolean>;
  /** choice / ordering: whether the response was exactly the correct one */
  exact?: boolean;
}

export type GradeOutcome =
  | { status: 'graded'; credit: number; detail?: GradeDetail }
  | { status: 'needs_human' }
  | { status: 'not_scored' };

const EPS = 1e-9;

export function roundCredit(value: number): number {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  const r = Math.round(clamped * 1e6) / 1e6;
  return r === 0 ? 0 : r;
}

function graded(credit: number, detail?: GradeDetail): GradeOutcome {
  return detail ? { status: 'graded', credit: roundCredit(credit), detail } : { status: 'graded', credit: roundCredit(credit) };
}

function malformed(reason: string): GradeOutcome {
  return { status: 'graded', credit: 0, detail: { malformed: reason } };
}

type Obj = Record<string, unknown>;

export function gradeSingleChoice(q: QuestionContent, response: Obj): GradeOutcome {
  const option = (q.options ?? []).find((o) => o.id === response.optionId);
  return graded(Math.max(0, option?.fraction ?? 0), { exact: (option?.fraction ?? 0) >= 1 - EPS });
}

export function gradeMultipleChoice(q: QuestionContent, response: Obj): GradeOutcome {
  const chosen = new Set(response.optionIds as string[]);
  const options = q.options ?? [];
  const correct = options.filter((o) => o.fraction > EPS);
  const exact = correct.length === chosen.size && correct.every((o) => chosen.has(o.id));
  if (q.scoring === 'partial') {
    const sum = options.filter((o) => chosen.has(o.id)).reduce((s, o) => s + o.fraction, 0);
    return graded(sum >= 1 - 1e-6 ? 1 : sum, { exact });
  }
  return graded(exact ? 1 : 0, { exact });
}

export function gradeTrueFalse(q: QuestionContent, response: Obj): GradeOutcome {
  return graded(response.value === q.answer ? 1 : 0);
}

/** Trims, folds white space, NFC. */
export function normalizeAnswerText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

const wildcardCache = new Map<string, RegExp>();

/** Moodle short-answer matching: `*` matches any characters (`\*` is a literal star). */
export function matchesShortAnswer(response: string, answer: string, caseSensitive: boolean): boolean {
  const r = normalizeAnswerText(response);
  const a = normalizeAnswerText(answer);
  if (!a.includes('*')) return caseSensitive ? r === a : r.toLowerCase() === a.toLowerCase();
  const key = `${caseSensitive ? 'c' : 'i'}:${a}`;
  let re = wildcardCache.get(key);
  if (!re) {
    const pattern = a
      .split(/(\\\*|\*)/)
      .map((part) => (part === '*' ? '.*' : part === '\\*' ? '\\*' : part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${pattern}$`, caseSensitive ? 'su' : 'isu');
    if (wildcardCache.size > 5000) wildcardCache.clear();
    wildcardCache.set(key, re);
  }
  return re.test(r);
}

export function gradeShortAnswer(q: QuestionContent, response: Obj): GradeOutcome {
  const gaps = (q.gaps ?? []) as TextGap[];
  const given = response.gaps as string[];
  const credits = gaps.map((gap, k) => {
    const text = given[k] ?? '';
    if (normalizeAnswerText(text) === '') return 0;
    let best = 0;
    for (const a of gap.answers) {
      if (a.fraction <= best) continue;
      if (allTexts(a.text).some((t) => matchesShortAnswer(text, t, gap.caseSensitive))) best = a.fraction;
    }
    return best;
  });
  return graded(credits.length ? credits.reduce((s, c) => s + c, 0) / credits.length : 0, { gaps: credits.map(roundCredit) });
}

/** A number from a response: a JS number, or a string such as "3.14", "-2", "1e3" or "3,14". */
export function parseNumberResponse(value: number | string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  let s = value.normalize('NFKC').trim().replace(/[\s\u00a0\u202f]/g, '');
  if (/^[-+]?\d+,\d+$/.test(s)) s = s.replace(',', '.');
  if (!/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(s)) return null;
  return Number(s);
}

export function gradeNumeric(q: QuestionContent, response: Obj): GradeOutcome {
  const gaps = (q.gaps ?? []) as NumericGap[];
  const given = response.gaps as Array<number | string>;
  const credits = gaps.map((gap, k) => {
    const value = given[k] === undefined ? null : parseNumberResponse(given[k]);
    if (value === null) return 0;
    let best = 0;
    for (const a of gap.answers) {
      const slack = 1e-9 * Math.max(1, Math.abs(a.value));
      if (a.fraction > best && Math.abs(value - a.value) <= a.tolerance + slack) best = a.fraction;
    }
    return best;
  });
  return graded(credits.length ? credits.reduce((s, c) => s + c, 0) / credits.length : 0, { gaps: credits.map(roundCredit) });
}

function sameText(a: LocalizedText, b: LocalizedText): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== undefined && b[k] !== undefined && normalizeAnswerText(a[k]) !== normalizeAnswerText(b[k])) return false;
  return Object.keys(a).some((k) => b[k] !== undefined);
}

/**
 * Matching: credit = correct prompts / prompts. Pairs that share their match text are the same
 * answer, and prompts that share their text are interchangeable (a prompt with two correct matches
 * is imported as two pairs), so each group of equal prompts is scored as a multiset.
 */
export function gradeMatching(q: QuestionContent, response: Obj): GradeOutcome {
  const pairs = q.pairs ?? [];
  const prompts = pairs.filter((p) => p.prompt);
  const chosen = response.pairs as Record<string, string>;
  const result: Record<string, boolean> = {};
  const groups = new Map<string, typeof prompts>();
  for (const p of prompts) {
    const key = textKey(p.prompt!);
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  let right = 0;
  for (const group of groups.values()) {
    const wanted = group.map((p) => p.match);
    for (const p of group) {
      const target = pairs.find((x) => x.id === chosen[p.id]);
      const at = target ? wanted.findIndex((m) => sameText(m, target.match)) : -1;
      result[p.id] = at >= 0;
      if (at >= 0) {
        wanted.splice(at, 1);
        right++;
      }
    }
  }
  return graded(prompts.length ? right / prompts.length : 0, { pairs: result });
}

function textKey(t: LocalizedText): string {
  return Object.keys(t)
    .sort()
    .map((k) => `${k}:${normalizeAnswerText(t[k])}`)
    .join('|');
}

export function gradeOrdering(q: QuestionContent, response: Obj): GradeOutcome {
  const order = response.order as string[];
  const ids = (q.options ?? []).map((o) => o.id);
  const exact = order.length === ids.length && order.every((id, k) => id === ids[k]);
  return graded(exact ? 1 : 0, { exact });
}

/**
 * Grades a candidate's response to a question. Essays need a person (`needs_human`),
 * descriptions are not scored; everything else is graded to a credit in 0…1.
 */
export function gradeResponse(question: QuestionContent, response: unknown): GradeOutcome {
  if (question.type === 'essay') return { status: 'needs_human' };
  if (question.type === 'description') return { status: 'not_scored' };
  try {
    const problem = validateResponseShape(question, response);
    if (problem) return malformed(problem);
    const r = response as Obj;
    switch (question.type) {
      case 'single_choice':
        return gradeSingleChoice(question, r);
      case 'multiple_choice':
        return gradeMultipleChoice(question, r);
      case 'true_false':
        return gradeTrueFalse(question, r);
      case 'short_answer':
        return gradeShortAnswer(question, r);
      case 'numeric':
        return gradeNumeric(question, r);
      case 'matching':
        return gradeMatching(question, r);
      case 'ordering':
        return gradeOrdering(question, r);
    }
  } catch (e) {
    return malformed(`the response could not be graded: ${e instanceof Error ? e.message : String(e)}`);
  }
}
