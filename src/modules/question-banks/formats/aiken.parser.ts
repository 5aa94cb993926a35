/**
 * Aiken, following Moodle's qformat_aiken: a question line, option lines `A) text` / `A. text`
 * (Moodle also takes `A)text`), then `ANSWER: X`. Errors carry Moodle's line rules: an option or
 * ANSWER line outside a question ("not started"), a question with fewer than 2 options, a new
 * question before the previous one got its ANSWER ("not completed"), and a question left without
 * ANSWER at the end of the file.
 *
 * Lenient where the meaning is unambiguous (each reported once as a warning): a question text
 * over several consecutive lines, `Answer:` in any case, `ANSWER: b`, several letters
 * (`ANSWER: A, C` → multiple choice), `a)` and `1.` option labels inside a question, and
 * `Feedback:` / `gfeed.` lines (general feedback). Also the typed dialect written by
 * aiken-to-moodlexml: a line `multichoice`, `truefalse`, `shortanswer`, `numerical`, `essay`,
 * `description`, `matching` (`1. prompt` + `match: answer`), `cloze` or `order` before a
 * question; cloze and order are skipped with a warning.
 */
import {
  DEFAULT_LANGUAGE,
  type ChoiceOption,
  type LocalizedText,
  type MatchPair,
  type QuestionContent,
} from '../domain/question';
import { normalizeContent } from '../domain/canonical';
import { checkQuestionContent } from '../domain/rules';
import { IssueSink, type ParseOptions, type ParsedQuestion, type ParseResult } from './parse-result';

const KEYWORDS = ['multichoice', 'truefalse', 'shortanswer', 'numerical', 'essay', 'description', 'matching', 'cloze', 'order'] as const;
type Kind = (typeof KEYWORDS)[number];
/** kinds whose question ends with its ANSWER line */
const ANSWERED: ReadonlySet<Kind> = new Set<Kind>(['multichoice', 'truefalse', 'shortanswer', 'numerical', 'order']);

const UPPER_OPTION = /^([A-Z])[).][ \t]?(.*)$/;
const LOWER_OPTION = /^([a-z])[).][ \t]+(.*)$/;
const NUMBER_OPTION = /^(\d{1,2})[).][ \t]+(.*)$/;
const ANSWER_LINE = /^answer\s*:(.*)$/i;
const FEEDBACK_LINE = /^(?:feedback\s*:|gfeed\.)(.*)$/i;
const MATCH_LINE = /^match\s*:(.*)$/i;
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const TRUE_WORDS = /^(true|t|yes|verdadero|vrai|wahr|waar|juist|correct|正确|对|是)$/i;
const FALSE_WORDS = /^(false|f|no|falso|faux|falsch|onwaar|onjuist|incorrect|错误|错|否)$/i;

interface Open {
  kind: Kind;
  line: number;
  stem: string[];
  options: Array<{ label: string; text: string }>;
  matches: Array<{ prompt: string; match: string | null }>;
  feedback: string[];
  done: QuestionContent | null;
  blankSinceStem: boolean;
}

export function parseAiken(source: string, options: ParseOptions = {}): ParseResult {
  const language = options.language ?? DEFAULT_LANGUAGE;
  const sink = new IssueSink();
  const questions: ParsedQuestion[] = [];
  const L = (t: string): LocalizedText => ({ [language]: t });
  const lines = source.split(/\r\n|\r|\n/);

  let q: Open | null = null;
  /** the last question returned: later `Feedback:` lines still belong to it */
  const state: { lastEmitted: ParsedQuestion | null } = { lastEmitted: null };
  let pendingKind: Kind | null = null;
  let atBlockStart = true;

  const lenient = (key: string, line: number, message: string): void => sink.warnOnce(key, line, `non-standard Aiken: ${message}`);

  const emit = (open: Open, content: QuestionContent): void => {
    const explanation = open.feedback.join('\n').trim();
    if (explanation) content.explanation = L(explanation);
    const normalized = normalizeContent(content);
    let failed = false;
    for (const problem of checkQuestionContent(normalized)) {
      if (problem.severity === 'error') {
        failed = true;
        sink.error(open.line, problem.message);
      } else sink.warn(open.line, problem.message);
    }
    if (failed) return;
    const parsed: ParsedQuestion = { line: open.line, content: normalized };
    questions.push(parsed);
    state.lastEmitted = parsed;
  };

  const base = (open: Open): QuestionContent => ({
    type: 'description',
    title: null,
    stem: L(open.stem.join('\n')),
    tags: [],
    category: null,
    languages: [],
  });

  /** Ends a question that needs no ANSWER line (essay, description, matching, cloze). */
  const closeUnanswered = (open: Open, lineNo: number): void => {
    switch (open.kind) {
      case 'essay':
        emit(open, { ...base(open), type: 'essay' });
        return;
      case 'description':
        emit(open, { ...base(open), type: 'description' });
        return;
      case 'cloze':
        sink.warn(open.line, 'skipped a cloze question: embedded answers are not supported');
        return;
      case 'matching': {
        const pairs: MatchPair[] = open.matches.map((m) => ({ id: '', prompt: L(m.prompt), match: L(m.match ?? '') }));
        if (open.matches.some((m) => m.match === null)) {
          sink.error(open.line, 'a matching prompt has no "match:" line after it');
          return;
        }
        emit(open, { ...base(open), type: 'matching', pairs });
        return;
      }
      default:
        sink.error(lineNo, `the question started at line ${open.line} has no ANSWER line`);
    }
  };

  const finishOpen = (lineNo: number, why: 'eof' | 'next'): void => {
    if (!q) return;
    if (q.done) {
      q = null;
      return;
    }
    if (ANSWERED.has(q.kind)) {
      if (why === 'eof') sink.error(q.line, `the question started at line ${q.line} has no ANSWER line before the end of the file`);
      else sink.error(lineNo, `the question started at line ${q.line} was not completed with an ANSWER line before the next question started`);
    } else {
      closeUnanswered(q, lineNo);
    }
    q = null;
  };

  const answer = (open: Open, value: string, lineNo: number): void => {
    const v = value.trim();
    switch (open.kind) {
      case 'multichoice': {
        if (open.options.length < 2) {
          sink.error(lineNo, `the question at line ${open.line} needs at least 2 options before its ANSWER line`);
          return;
        }
        const letters = v.split(/[\s,;]+/).filter(Boolean);
        if (letters.length === 0) {
          sink.error(lineNo, 'ANSWER names no option: write e.g. "ANSWER: B"');
          return;
        }
        if (letters.length > 1) lenient('several', lineNo, `several correct options (ANSWER: ${v}) make a multiple-response question`);
        const correct = new Set<number>();
        for (const letter of letters) {
          let index = open.options.findIndex((o) => o.label.toLowerCase() === letter.toLowerCase());
          if (index < 0 && /^[A-Za-z]$/.test(letter) && open.options.every((o) => /^\d+$/.test(o.label))) {
            index = letter.toUpperCase().charCodeAt(0) - 65;
          }
          if (index < 0 || index >= open.options.length) {
            sink.error(lineNo, `ANSWER names option "${letter}", but the question has options ${open.options.map((o) => o.label).join(', ')}`);
            return;
          }
          if (letter !== letter.toUpperCase()) lenient('lowercase-answer', lineNo, `lower-case answer letter "${letter}"`);
          correct.add(index);
        }
        const opts: ChoiceOption[] = open.options.map((o, k) => ({ id: '', text: L(o.text), fraction: correct.has(k) ? 1 / (letters.length > 1 ? correct.size : 1) : 0 }));
        const content: QuestionContent = { ...base(open), type: correct.size > 1 ? 'multiple_choice' : 'single_choice', options: opts };
        if (correct.size > 1) content.scoring = 'all_or_nothing';
        open.done = content;
        emit(open, content);
        return;
      }
      case 'truefalse': {
        if (!TRUE_WORDS.test(v) && !FALSE_WORDS.test(v)) {
          sink.error(lineNo, `a true/false answer must be True or False, not "${v}"`);
          return;
        }
        open.done = { ...base(open), type: 'true_false', answer: TRUE_WORDS.test(v) };
        emit(open, open.done);
        return;
      }
      case 'shortanswer': {
        const list = v.split(',').map((s) => s.trim()).filter(Boolean);
        if (!list.length) {
          sink.error(lineNo, 'a short answer needs at least one accepted answer after "Answer:"');
          return;
        }
        open.done = { ...base(open), type: 'short_answer', gaps: [{ answers: list.map((t) => ({ text: L(t), fraction: 1 })), caseSensitive: false }] };
        emit(open, open.done);
        return;
      }
      case 'numerical': {
        const [valueText, tolText] = v.split(':').map((s) => s.trim());
        if (!NUMBER.test(valueText ?? '') || (tolText !== undefined && !NUMBER.test(tolText))) {
          sink.error(lineNo, `a numerical answer must be a number (optionally number:tolerance), not "${v}"`);
          return;
        }
        open.done = { ...base(open), type: 'numeric', gaps: [{ answers: [{ value: Number(valueText), tolerance: Math.abs(Number(tolText ?? 0)), fraction: 1 }] }] };
        emit(open, open.done);
        return;
      }
      case 'order':
        sink.warn(open.line, 'skipped an order question: the aiken-to-moodlexml "order" type is not supported');
        open.done = { ...base(open), type: 'description' };
        return;
      default:
        sink.error(lineNo, `an ANSWER line is not expected in a ${open.kind} question`);
    }
  };

  for (let k = 0; k < lines.length; k++) {
    const lineNo = k + 1;
    const t = lines[k].trim();
    if (t.length === 0) {
      atBlockStart = true;
      if (q) {
        q.blankSinceStem = true;
        if (!ANSWERED.has(q.kind) && !q.done) finishOpen(lineNo, 'next');
        else if (q.done) q = null;
      }
      continue;
    }
    const wasBlockStart = atBlockStart;
    atBlockStart = false;
    if (t.length < 2) continue; // Moodle ignores one-character lines

    // Type keyword (aiken-to-moodlexml dialect) on its own line at the start of a block.
    const kw = KEYWORDS.find((w) => w === t.toLowerCase());
    if (kw && wasBlockStart && (!q || q.done)) {
      lenient('keywords', lineNo, 'question-type lines (multichoice, essay, …) as written by aiken-to-moodlexml');
      q = null;
      state.lastEmitted = null;
      pendingKind = kw;
      atBlockStart = true;
      continue;
    }

    const fb = FEEDBACK_LINE.exec(t);
    if (fb && ((q && !q.done) || state.lastEmitted)) {
      lenient('feedback', lineNo, '"Feedback:" / "gfeed." lines are read as general feedback');
      const text = fb[1].trim();
      if (q && !q.done) {
        if (text) q.feedback.push(text);
      } else if (state.lastEmitted && text) {
        const parsed = state.lastEmitted;
        const prev = parsed.content.explanation?.[language];
        parsed.content = normalizeContent({ ...parsed.content, explanation: L(prev ? `${prev}\n${text}` : text) });
      }
      continue;
    }

    const ans = ANSWER_LINE.exec(t);
    if (ans) {
      if (!t.startsWith('ANSWER:')) lenient('answer-case', lineNo, `"${t.slice(0, t.indexOf(':') + 1)}" should be written "ANSWER:"`);
      if (!q || q.done) {
        sink.error(lineNo, 'an ANSWER line outside a question (question not started): it must follow the question and its options');
        continue;
      }
      const open: Open = q;
      answer(open, ans[1], lineNo);
      if (!open.done) q = null; // an error discards the question (Moodle)
      continue;
    }

    const upper = UPPER_OPTION.exec(t);
    const lower = q && !q.done ? LOWER_OPTION.exec(t) : null;
    const numbered = q && !q.done && q.stem.length > 0 ? NUMBER_OPTION.exec(t) : null;
    if (upper || lower || (numbered && (q?.kind === 'multichoice' || q?.kind === 'order' || q?.kind === 'matching'))) {
      const m = (upper ?? lower ?? numbered)!;
      if (!q || q.done) {
        sink.error(lineNo, 'an option line outside a question (question not started): write the question text first');
        continue;
      }
      if (lower) lenient('lower-options', lineNo, 'lower-case option letters ("a)")');
      if (numbered && !upper && !lower && q.kind === 'multichoice') lenient('numbered-options', lineNo, 'numbered options ("1.")');
      if (q.kind === 'matching') q.matches.push({ prompt: m[2].trim(), match: null });
      else q.options.push({ label: m[1], text: m[2].trim() });
      continue;
    }

    const mt = MATCH_LINE.exec(t);
    if (mt && q && !q.done && q.kind === 'matching' && q.matches.length && q.matches[q.matches.length - 1].match === null) {
      q.matches[q.matches.length - 1].match = mt[1].trim();
      continue;
    }

    // Question text.
    if (q && !q.done) {
      const continuation = q.options.length === 0 && q.matches.length === 0 && !q.blankSinceStem;
      if (continuation) {
        if (q.kind === 'multichoice') lenient('multiline', lineNo, 'the question text continues on the next line (Moodle expects one line)');
        q.stem.push(t);
        continue;
      }
      if (!ANSWERED.has(q.kind) && !q.blankSinceStem && q.kind !== 'matching') {
        q.stem.push(t);
        continue;
      }
      finishOpen(lineNo, 'next');
    } else if (q && q.done) {
      q = null;
    }
    q = {
      kind: pendingKind ?? 'multichoice',
      line: lineNo,
      stem: [t],
      options: [],
      matches: [],
      feedback: [],
      done: null,
      blankSinceStem: false,
    };
    pendingKind = null;
    state.lastEmitted = null;
  }
  finishOpen(lines.length, 'eof');
  return { format: 'aiken', language, questions, errors: sink.errors, warnings: sink.warnings };
}
