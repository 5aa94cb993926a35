import { createHash } from 'node:crypto';
import type {
  ChoiceOption,
  LocalizedText,
  MatchPair,
  NumericGap,
  QuestionContent,
  TextAnswer,
  TextGap,
} from './question';

/**
 * A copy of a string that does not keep a larger one alive: V8 represents `slice()`s (and the
 * results of trim/normalize/replace on them) as views into their parent, so a short text cut from
 * a 10 MB file would otherwise keep the whole file in memory for as long as the question lives.
 */
export function detach(value: string): string {
  return value.length < 13 ? value : (value + ' ').slice(0, -1);
}

/** Rounds to 7 decimals (Moodle's grade precision) and turns −0 into 0. */
export function roundFraction(value: number): number {
  const r = Math.round(value * 1e7) / 1e7;
  return r === 0 ? 0 : r;
}

function cleanText(text: LocalizedText | null | undefined): LocalizedText | undefined {
  if (!text) return undefined;
  const out: LocalizedText = {};
  for (const key of Object.keys(text).sort()) {
    const value = text[key];
    if (typeof value === 'string') out[detach(key)] = detach(value.normalize('NFC').replace(/\r\n?/g, '\n').trim());
  }
  return Object.keys(out).length ? out : undefined;
}

/** Drops a localized text whose every value is empty. */
function optionalText(text: LocalizedText | null | undefined): LocalizedText | undefined {
  const t = cleanText(text);
  if (!t) return undefined;
  return Object.values(t).some((v) => v.trim() !== '') ? t : undefined;
}

function requiredText(text: LocalizedText | null | undefined): LocalizedText {
  return cleanText(text) ?? {};
}

function withFeedback<T extends object>(base: T, feedback: LocalizedText | undefined): T & { feedback?: LocalizedText } {
  return feedback ? { ...base, feedback } : base;
}

/**
 * The canonical form of a question: ids assigned in order (`o1…`, `p1…` with prompted pairs before
 * distractors), fields that do not belong to the type removed, texts NFC-normalised, empty optional
 * texts dropped, fractions rounded, `languages` recomputed. Idempotent.
 */
export function normalizeContent(input: QuestionContent): QuestionContent {
  const type = input.type;
  const out: QuestionContent = {
    type,
    title: optionalText(input.title) ?? null,
    stem: requiredText(input.stem),
    tags: [],
    category: input.category?.trim() ? detach(input.category.trim()) : null,
    languages: [],
  };
  const seen = new Set<string>();
  for (const tag of input.tags ?? []) {
    const t = tag.trim();
    if (t && !seen.has(t)) {
      seen.add(t);
      out.tags.push(detach(t));
    }
  }
  if (input.difficulty !== undefined && input.difficulty !== null) out.difficulty = input.difficulty;
  const explanation = optionalText(input.explanation);
  if (explanation) out.explanation = explanation;

  switch (type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'ordering':
      out.options = (input.options ?? []).map(
        (o, i): ChoiceOption =>
          withFeedback(
            { id: `o${i + 1}`, text: requiredText(o.text), fraction: type === 'ordering' ? 0 : roundFraction(o.fraction) },
            optionalText(o.feedback),
          ),
      );
      if (type === 'multiple_choice') out.scoring = input.scoring === 'partial' ? 'partial' : 'all_or_nothing';
      break;
    case 'true_false': {
      out.answer = input.answer === true;
      const tf = optionalText(input.trueFeedback);
      const ff = optionalText(input.falseFeedback);
      if (tf) out.trueFeedback = tf;
      if (ff) out.falseFeedback = ff;
      break;
    }
    case 'short_answer':
      out.gaps = ((input.gaps ?? []) as TextGap[]).map((g) => ({
        answers: (g.answers ?? []).map(
          (a): TextAnswer =>
            withFeedback({ text: requiredText(a.text), fraction: roundFraction(a.fraction) }, optionalText(a.feedback)),
        ),
        caseSensitive: g.caseSensitive === true,
      }));
      break;
    case 'numeric':
      out.gaps = ((input.gaps ?? []) as NumericGap[]).map((g) => ({
        answers: (g.answers ?? []).map((a) =>
          withFeedback(
            { value: a.value === 0 ? 0 : a.value, tolerance: Math.abs(a.tolerance ?? 0), fraction: roundFraction(a.fraction) },
            optionalText(a.feedback),
          ),
        ),
      }));
      break;
    case 'matching': {
      const pairs = input.pairs ?? [];
      const prompted = pairs.filter((p) => optionalText(p.prompt));
      const distractors = pairs.filter((p) => !optionalText(p.prompt));
      out.pairs = [...prompted, ...distractors].map(
        (p, i): MatchPair => ({ id: `p${i + 1}`, prompt: optionalText(p.prompt) ?? null, match: requiredText(p.match) }),
      );
      break;
    }
    case 'essay': {
      const rubric = optionalText(input.rubric);
      if (rubric) out.rubric = rubric;
      break;
    }
    case 'description':
      break;
  }
  out.languages = collectLanguages(out);
  return out;
}

/** Every locale used by any text of the question, sorted. */
export function collectLanguages(q: QuestionContent): string[] {
  const langs = new Set<string>();
  const add = (t: LocalizedText | null | undefined): void => {
    if (t) for (const k of Object.keys(t)) langs.add(k);
  };
  add(q.title);
  add(q.stem);
  add(q.explanation);
  add(q.rubric);
  add(q.trueFeedback);
  add(q.falseFeedback);
  for (const o of q.options ?? []) {
    add(o.text);
    add(o.feedback);
  }
  for (const p of q.pairs ?? []) {
    add(p.prompt);
    add(p.match);
  }
  if (q.type === 'short_answer') for (const g of (q.gaps ?? []) as TextGap[]) for (const a of g.answers) add(a.text);
  for (const g of (q.gaps ?? []) as Array<TextGap | NumericGap>) for (const a of g.answers) add(a.feedback);
  return [...langs].sort();
}

/** JSON with object keys sorted at every level and undefined values left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number') return JSON.stringify(Object.is(value, -0) ? 0 : value);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(obj[key])}`);
  }
  return `{${parts.join(',')}}`;
}

/** sha256 (hex) over the canonical JSON of the normalised content: equal hashes ⇔ unchanged question. */
export function contentHash(content: QuestionContent): string {
  return createHash('sha256').update(canonicalJson(normalizeContent(content)), 'utf8').digest('hex');
}
