/**
 * The native bank format (question-banks/README.md): YAML checked against
 * question-banks/schema/bank.schema.json, then semantically (one correct option, one gap per
 * blank, unique ids…). Every error carries the line and column of the YAML node it is about.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { LineCounter, isMap, isNode, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import schema from '../../../../question-banks/schema/bank.schema.json';
import {
  DEFAULT_LANGUAGE,
  type ChoiceOption,
  type LocalizedText,
  type MatchPair,
  type NumericGap,
  type QuestionContent,
  type QuestionType,
  type TextGap,
} from '../domain/question';
import { detach, normalizeContent } from '../domain/canonical';
import { checkQuestionContent } from '../domain/rules';
import { IssueSink, type ParseOptions, type ParsedQuestion, type ParseResult } from './parse-result';

type Path = Array<string | number>;

let validator: ValidateFunction | null = null;
function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    validator = ajv.compile(schema);
  }
  return validator(data) ? [] : (validator.errors ?? []);
}

/** Raw shapes after the schema check. */
type RawText = string | Record<string, string>;
interface RawOption {
  text: RawText;
  correct?: boolean;
  fraction?: number;
  feedback?: RawText;
}
interface RawAnswer {
  text?: RawText;
  value?: number;
  tolerance?: number;
  fraction?: number;
  feedback?: RawText;
}
interface RawQuestion {
  id: string;
  type: QuestionType;
  title?: RawText;
  difficulty?: number;
  tags?: string[];
  category?: string;
  stem: RawText;
  options?: RawOption[];
  scoring?: 'all_or_nothing' | 'partial';
  answer?: boolean;
  trueFeedback?: RawText;
  falseFeedback?: RawText;
  gaps?: Array<{ answers: RawAnswer[]; caseSensitive?: boolean }>;
  pairs?: Array<{ prompt?: RawText; match: RawText }>;
  rubric?: RawText;
  explanation?: RawText;
  status?: 'active' | 'retired';
}
interface RawBank {
  bank: string;
  title: RawText;
  description?: RawText;
  language?: string;
  questions: RawQuestion[];
}

function label(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || 'the file';
}

/** The YAML node at a path, or the nearest ancestor that exists. */
function nodeAt(doc: Document, path: Path): { node: YamlNode | null; exact: boolean } {
  let current: unknown = doc.contents;
  for (let k = 0; k < path.length; k++) {
    let next: unknown = undefined;
    if (isMap(current)) next = current.get(path[k], true);
    else if (isSeq(current) && typeof path[k] === 'number') next = current.get(path[k], true);
    if (!isNode(next)) return { node: isNode(current) ? current : null, exact: false };
    current = next;
  }
  return { node: isNode(current) ? current : null, exact: true };
}

/** The key node of `field` in the map at `path` (to point at an unknown field). */
function keyAt(doc: Document, path: Path, field: string): YamlNode | null {
  const { node, exact } = nodeAt(doc, path);
  if (!exact || !isMap(node)) return null;
  for (const item of node.items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === field) return item.key;
  }
  return null;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing required field "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown field "${String(p.additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return p.type === 'string' ? 'must be a string (put the value in quotes)' : `must be ${String(p.type)}`;
    case 'pattern':
      return `"${String(e.data)}" does not match ${String(p.pattern)}`;
    case 'propertyNames':
      return `"${String(p.propertyName)}" is not a locale such as zh-CN or en`;
    default:
      return e.message ?? e.keyword;
  }
}

function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const p of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[p];
  }
  return current;
}

function pathOf(instancePath: string): Path {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function parseYamlBank(source: string, options: ParseOptions = {}): ParseResult {
  const sink = new IssueSink();
  const result: ParseResult = {
    format: 'yaml',
    language: options.language ?? DEFAULT_LANGUAGE,
    questions: [],
    errors: sink.errors,
    warnings: sink.warnings,
  };
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const posOf = (node: YamlNode | null | undefined): { line: number; column: number } => {
    const offset = node?.range?.[0] ?? 0;
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  for (const e of doc.errors) {
    const p = e.linePos?.[0] ?? { line: 1, col: 1 };
    sink.error(p.line, `YAML: ${e.message.split('\n')[0]}`, p.col);
  }
  for (const w of doc.warnings) {
    const p = w.linePos?.[0] ?? { line: 1, col: 1 };
    sink.warn(p.line, `YAML: ${w.message.split('\n')[0]}`, p.col);
  }
  if (doc.errors.length) return result;
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    sink.error(1, 'the file is empty: a bank needs bank, title and questions', 1);
    return result;
  }

  const errorAt = (path: Path, message: string, field?: string): void => {
    const key = field ? keyAt(doc, path, field) : null;
    const { node } = key ? { node: key } : nodeAt(doc, path);
    const p = posOf(node);
    sink.error(p.line, `${label(field ? [...path, field] : path)}: ${message}`, p.column);
  };
  const warnAt = (path: Path, message: string): void => {
    const p = posOf(nodeAt(doc, path).node);
    sink.warn(p.line, `${label(path)}: ${message}`, p.column);
  };

  // Schema: keep the most specific error per place. A text field (string or locale map) fails its
  // `oneOf` with one error per branch: report the map's own problems, or one "must be text".
  const all = validate(data);
  const textPaths = new Set(all.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  for (const e of all) {
    if (e.keyword === 'if' || e.keyword === 'oneOf') continue;
    const path = pathOf(e.instancePath);
    let message = describe(e);
    if (textPaths.has(e.instancePath) && (e.keyword === 'type' || e.keyword === 'minProperties')) {
      const value = valueAt(data, path);
      if (e.keyword === 'type' && typeof value === 'object' && value !== null && !Array.isArray(value)) continue;
      message = 'must be text: a string, or a map of locale → string such as { zh-CN: …, en: … }';
    }
    const field = e.keyword === 'additionalProperties' ? String((e.params as Record<string, unknown>).additionalProperty) : undefined;
    const key = `${e.instancePath}|${field ?? ''}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errorAt(path, message, field);
  }
  if (sink.errors.length) return result;

  const raw = data as RawBank;
  const language = raw.language ?? options.language ?? DEFAULT_LANGUAGE;
  result.language = language;
  const text = (t: RawText | undefined): LocalizedText | undefined => (t === undefined ? undefined : typeof t === 'string' ? { [language]: t } : { ...t });
  result.bank = { bank: raw.bank, title: text(raw.title)! };
  if (raw.description !== undefined) result.bank.description = text(raw.description);

  const ids = new Map<string, number>();
  raw.questions.forEach((q, index) => {
    const base: Path = ['questions', index];
    if (ids.has(q.id)) errorAt([...base, 'id'], `id "${q.id}" is already used by questions[${ids.get(q.id)}]`);
    else ids.set(q.id, index);
    const before = sink.errors.length;
    const content = toContent(q, base);
    if (!content || sink.errors.length > before) return;
    const normalized = normalizeContent(content);
    if (q.difficulty === undefined && q.type !== 'description') warnAt(base, 'no difficulty (1–5): the curriculum banks give every question one');
    if (!normalized.tags.length) warnAt(base, 'no tags: the first tag names the curriculum area');
    for (const problem of checkQuestionContent(normalized)) {
      if (problem.severity === 'error') errorAt([...base, ...problem.path], problem.message);
      else warnAt([...base, ...problem.path], problem.message);
    }
    const langs = new Set(normalized.languages);
    for (const [field, value] of [['stem', normalized.stem] as const, ['explanation', normalized.explanation] as const]) {
      if (value && langs.size > Object.keys(value).length) {
        const missing = [...langs].filter((l) => value[l] === undefined);
        warnAt([...base, field], `no ${missing.join(', ')} text, though other texts of the question have it`);
      }
    }
    if (sink.errors.length > before || ids.get(q.id) !== index) return;
    const p = posOf(nodeAt(doc, base).node);
    result.questions.push({ id: detach(q.id), status: q.status ?? 'active', line: p.line, content: normalized } satisfies ParsedQuestion);
  });
  return result;

  function toContent(q: RawQuestion, base: Path): QuestionContent | null {
    const content: QuestionContent = {
      type: q.type,
      title: text(q.title) ?? null,
      stem: text(q.stem)!,
      tags: q.tags ?? [],
      category: q.category ?? null,
      languages: [],
    };
    if (q.difficulty !== undefined) content.difficulty = q.difficulty;
    if (q.explanation !== undefined) content.explanation = text(q.explanation);
    const misplaced = (field: keyof RawQuestion, types: QuestionType[]): void => {
      if (q[field] !== undefined && !types.includes(q.type)) {
        errorAt([...base], `"${field}" does not belong to a ${q.type} question (only ${types.join(', ')})`, field);
      }
    };
    misplaced('options', ['single_choice', 'multiple_choice', 'ordering']);
    misplaced('scoring', ['multiple_choice']);
    misplaced('answer', ['true_false']);
    misplaced('trueFeedback', ['true_false']);
    misplaced('falseFeedback', ['true_false']);
    misplaced('gaps', ['short_answer', 'numeric']);
    misplaced('pairs', ['matching']);
    misplaced('rubric', ['essay']);

    switch (q.type) {
      case 'single_choice':
      case 'multiple_choice':
      case 'ordering': {
        const opts = q.options ?? [];
        const correctCount = opts.filter((o) => o.correct === true && o.fraction === undefined).length;
        content.options = opts.map((o, k): ChoiceOption => {
          if (q.type === 'ordering' && (o.correct !== undefined || o.fraction !== undefined)) {
            warnAt([...base, 'options', k], 'ordering options are listed in the correct order; "correct" and "fraction" are ignored');
          }
          if (o.correct !== undefined && o.fraction !== undefined && o.correct !== o.fraction > 0) {
            errorAt([...base, 'options', k], `correct: ${o.correct} contradicts fraction: ${o.fraction}`);
          }
          let fraction = o.fraction ?? 0;
          if (o.fraction === undefined && o.correct) fraction = q.type === 'multiple_choice' ? 1 / Math.max(1, correctCount) : 1;
          const option: ChoiceOption = { id: '', text: text(o.text)!, fraction };
          if (o.feedback !== undefined) option.feedback = text(o.feedback);
          return option;
        });
        if (q.type === 'multiple_choice') content.scoring = q.scoring ?? 'all_or_nothing';
        break;
      }
      case 'true_false':
        content.answer = q.answer;
        if (q.trueFeedback !== undefined) content.trueFeedback = text(q.trueFeedback);
        if (q.falseFeedback !== undefined) content.falseFeedback = text(q.falseFeedback);
        break;
      case 'short_answer':
        content.gaps = (q.gaps ?? []).map(
          (g, gi): TextGap => ({
            caseSensitive: g.caseSensitive ?? false,
            answers: g.answers.map((a, ai) => {
              if (a.value !== undefined || a.tolerance !== undefined) errorAt([...base, 'gaps', gi, 'answers', ai], 'a short-answer answer has text, not value/tolerance');
              const answer = { text: text(a.text)!, fraction: a.fraction ?? 1, feedback: text(a.feedback) };
              return answer;
            }),
          }),
        );
        break;
      case 'numeric':
        content.gaps = (q.gaps ?? []).map(
          (g, gi): NumericGap => ({
            answers: g.answers.map((a, ai) => {
              if (a.text !== undefined) errorAt([...base, 'gaps', gi, 'answers', ai], 'a numeric answer has value (and tolerance), not text');
              if (g.caseSensitive !== undefined) errorAt([...base, 'gaps', gi], '"caseSensitive" does not apply to numbers', 'caseSensitive');
              return { value: a.value ?? NaN, tolerance: a.tolerance ?? 0, fraction: a.fraction ?? 1, feedback: text(a.feedback) };
            }),
          }),
        );
        break;
      case 'matching':
        content.pairs = (q.pairs ?? []).map((p): MatchPair => ({ id: '', prompt: text(p.prompt) ?? null, match: text(p.match)! }));
        break;
      case 'essay':
        if (q.rubric !== undefined) content.rubric = text(q.rubric);
        break;
      case 'description':
        break;
    }
    return content;
  }
}
