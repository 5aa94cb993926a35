/**
 * GIFT (Moodle's "General Import Format Technology"), following Moodle's qformat_gift semantics:
 * questions separated by blank lines, `//` comment lines (Moodle 4 `// [id:…]` `// [tag:…]`
 * metadata), `$CATEGORY:`, `::title::`, `[html|moodle|plain|markdown]` text formats, escapes
 * `\~ \= \# \{ \} \: \\ \n`, one answer block `{…}` per question (inside the text: missing-word
 * question, the block becomes `_____`), `####` general feedback.
 * Types: `{}` essay; no block description; `{#…}` numeric (`v`, `v:tol`, `min..max`, several
 * `=%w%` answers); `~` multiple choice (`=` single answer, otherwise multiple response, `%w%`
 * weights incl. negative); `=a -> b` matching; `{T}` `{TRUE}` `{F}` `{FALSE}` true/false with
 * `#wrong#right` feedback; otherwise short answer `{=a =%50%b}`.
 */
import { BLANK, DEFAULT_LANGUAGE, type LocalizedText, type QuestionContent } from '../domain/question';
import { checkQuestionContent } from '../domain/rules';
import { detach, normalizeContent } from '../domain/canonical';
import { IssueSink, type ParseOptions, type ParsedQuestion, type ParseResult } from './parse-result';
import { htmlToText, plainText } from './text';
import { isMoodleGrade } from './moodle-grades';

// Escaped characters become a private-use sentinel followed by a filler, so offsets (and columns) stay put.
const FILLER = '\uE0FF';
const ESCAPES: Record<string, string> = {
  '\\': '\uE000',
  ':': '\uE001',
  '#': '\uE002',
  '=': '\uE003',
  '{': '\uE004',
  '}': '\uE005',
  '~': '\uE006',
  n: '\uE007',
};
const UNESCAPED: Record<string, string> = {
  '\uE000': '\\',
  '\uE001': ':',
  '\uE002': '#',
  '\uE003': '=',
  '\uE004': '{',
  '\uE005': '}',
  '\uE006': '~',
  '\uE007': '\n',
};

function escapeLine(line: string): string {
  if (line.indexOf('\\') < 0) return line;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length && ESCAPES[line[i + 1]] !== undefined) {
      out += ESCAPES[line[i + 1]] + FILLER;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

function unescape(text: string): string {
  return text.replace(/[\uE000-\uE007\uE0FF]/g, (c) => (c === FILLER ? '' : UNESCAPED[c]));
}

type TextFormat = 'moodle' | 'html' | 'plain' | 'markdown';
const FORMAT_PREFIX = /^\[(moodle|html|plain|markdown)\]/;

interface FormattedText {
  text: string;
  format: TextFormat;
}

/** `[format]text` → converted plain text (the format defaults to the question's). */
function readText(raw: string, defaultFormat: TextFormat): FormattedText {
  let text = raw.trim();
  let format = defaultFormat;
  const m = FORMAT_PREFIX.exec(text);
  if (m) {
    format = m[1] as TextFormat;
    text = text.slice(m[0].length);
  }
  return { text: convert(unescape(text), format), format };
}

function convert(text: string, format: TextFormat): string {
  switch (format) {
    case 'html':
      return htmlToText(text);
    case 'moodle':
      return htmlToText(text, { keepNewlines: true, onlyKnownTags: true });
    case 'plain':
    case 'markdown':
      return plainText(text);
  }
}

const WEIGHT = /^%\s*(-?\d+(?:\.\d+)?|-?\.\d+)\s*%/;
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const ID_TOKEN = /\[id:((?:\\\]|[^\]\p{Cc}])+)\]/u;
const TAG_TOKEN = /\[tag:((?:\\\]|[^\]<>`\p{Cc}])+)\]/gu;

interface Line {
  text: string; // escaped
  raw: string;
  number: number; // 1-based
  comment: boolean;
}

/** One question's lines joined, with offset → line/column mapping. */
class Chunk {
  readonly text: string;
  private readonly starts: number[] = [];
  private readonly numbers: number[] = [];

  constructor(readonly lines: Line[]) {
    const parts: string[] = [];
    let offset = 0;
    for (const l of lines) {
      this.starts.push(offset);
      this.numbers.push(l.number);
      parts.push(l.text);
      offset += l.text.length + 1;
    }
    this.text = parts.join('\n');
  }

  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: this.numbers[lo] ?? 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

interface Piece {
  marker: string; // '=', '~' or '' for text before the first marker
  text: string;
  offset: number; // offset of the piece text in the chunk
}

/** Splits an answer block at every marker character, Moodle style. */
function splitPieces(text: string, base: number, markers: string): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  let marker = '';
  for (let i = 0; i < text.length; i++) {
    if (markers.includes(text[i])) {
      pieces.push({ marker, text: text.slice(start, i), offset: base + start });
      marker = text[i];
      start = i + 1;
    }
  }
  pieces.push({ marker, text: text.slice(start), offset: base + start });
  // Moodle drops an empty first piece (the block starts with a marker)
  if (pieces.length && pieces[0].marker === '' && pieces[0].text.trim() === '') pieces.shift();
  return pieces;
}

/** Removes `// …` comments that follow white space inside an answer block (GIFT-PEG style), keeping offsets. */
function stripInlineComments(text: string): string {
  if (text.indexOf('//') < 0) return text;
  return text.replace(/(^|[ \t])\/\/[^\n]*/g, (m, lead: string) => lead + ' '.repeat(m.length - lead.length));
}

function splitFeedback(text: string): { body: string; feedback: string | null } {
  const hash = text.indexOf('#');
  if (hash < 0) return { body: text, feedback: null };
  return { body: text.slice(0, hash), feedback: text.slice(hash + 1) };
}

function leadingSpace(text: string): number {
  return text.length - text.trimStart().length;
}

export function parseGift(source: string, options: ParseOptions = {}): ParseResult {
  const language = options.language ?? DEFAULT_LANGUAGE;
  const sink = new IssueSink();
  const questions: ParsedQuestion[] = [];
  const rawLines = source.replace(/\r\n?/g, '\n').split('\n');
  const lines: Line[] = rawLines.map((raw, k) => {
    const text = escapeLine(raw);
    return { text, raw, number: k + 1, comment: text.trimStart().startsWith('//') };
  });

  // For the blank-line rule: the first brace character at or after each line.
  const firstBrace: string[] = lines.map((l) => {
    if (l.comment) return '';
    const text = stripInlineComments(l.text);
    const open = text.indexOf('{');
    const close = text.indexOf('}');
    if (open < 0 && close < 0) return '';
    if (open < 0) return '}';
    if (close < 0) return '{';
    return open < close ? '{' : '}';
  });
  const nextBrace: string[] = new Array<string>(lines.length + 1).fill('');
  for (let k = lines.length - 1; k >= 0; k--) nextBrace[k] = firstBrace[k] || nextBrace[k + 1];

  const ctx = { category: null as string | null, language, sink };
  let current: Line[] = [];
  let open = false;
  const flush = (): void => {
    if (current.length) parseChunk(new Chunk(current), ctx, questions);
    current = [];
    open = false;
  };
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    if (line.text.trim() === '') {
      // A blank line ends a question, unless an answer block is open and closes before the next one opens.
      if (!open || nextBrace[k + 1] !== '}') flush();
      continue;
    }
    current.push(line);
    if (!line.comment) {
      const text = stripInlineComments(line.text);
      for (let c = 0; c < text.length; c++) {
        if (text[c] === '{') open = true;
        else if (text[c] === '}') open = false;
      }
    }
  }
  flush();
  return { format: 'gift', language, questions, errors: sink.errors, warnings: sink.warnings };
}

interface Ctx {
  category: string | null;
  language: string;
  sink: IssueSink;
}

function parseChunk(chunk: Chunk, ctx: Ctx, out: ParsedQuestion[]): void {
  const { sink } = ctx;
  const commentLines = chunk.lines.filter((l) => l.comment);
  const body = new Chunk(chunk.lines.filter((l) => !l.comment));
  const text = body.text;
  let start = leadingSpace(text);
  if (start >= text.length) return; // only comments

  // $CATEGORY: rest of the line; what follows on the next lines is a question.
  if (text.startsWith('$CATEGORY:', start)) {
    const eol = text.indexOf('\n', start);
    const name = unescape(text.slice(start + 10, eol < 0 ? text.length : eol)).trim();
    ctx.category = name || null;
    if (eol < 0) return;
    start = eol + 1 + leadingSpace(text.slice(eol + 1));
    if (start >= text.length) return;
  }
  const firstLine = body.at(start).line;

  const lang = ctx.language;
  const L = (t: string): LocalizedText => ({ [lang]: t });
  const meta = commentLines.map((l) => l.raw).join('\n');
  const id = ID_TOKEN.exec(meta)?.[1]?.replace(/\\\]/g, ']').trim();
  const tags: string[] = [];
  for (const m of meta.matchAll(TAG_TOKEN)) tags.push(m[1].replace(/\\\]/g, ']').trim());

  // ::title::
  let title: string | null = null;
  if (text.startsWith('::', start)) {
    const close = text.indexOf('::', start + 2);
    if (close < 0) {
      const p = body.at(start);
      sink.warn(p.line, 'the title starts with "::" but has no closing "::"; it is read as question text', p.column);
      start += 2;
    } else {
      title = unescape(text.slice(start + 2, close)).replace(/\s+/g, ' ').trim() || null;
      start = close + 2;
      start += leadingSpace(text.slice(start));
      // `::title:: // comment` — the rest of the title line is a comment
      while (text.startsWith('//', start)) {
        const eol = text.indexOf('\n', start);
        if (eol < 0) {
          start = text.length;
          break;
        }
        start = eol + 1 + leadingSpace(text.slice(eol + 1));
      }
    }
  }
  // The answer block.
  const openAt = text.indexOf('{', start);
  const closeAt = openAt < 0 ? text.indexOf('}', start) : text.indexOf('}', openAt + 1);
  if (openAt < 0 && closeAt >= 0) {
    const p = body.at(closeAt);
    sink.error(p.line, 'a "}" without an opening "{": escape a literal brace as \\}', p.column);
    return;
  }
  if (openAt >= 0 && closeAt < 0) {
    const p = body.at(openAt);
    sink.error(p.line, 'the answer block opened here is never closed: add "}" (or escape a literal brace as \\{)', p.column);
    return;
  }
  const strayBefore = openAt >= 0 ? text.slice(start, openAt).indexOf('}') : -1;
  if (strayBefore >= 0) {
    const p = body.at(start + strayBefore);
    sink.error(p.line, 'a "}" before the answer block: escape a literal brace as \\}', p.column);
    return;
  }
  if (openAt >= 0) {
    const after = text.slice(closeAt + 1);
    const again = after.search(/[{}]/);
    if (again >= 0) {
      const p = body.at(closeAt + 1 + again);
      sink.error(
        p.line,
        `a second "${after[again]}" after the answer block: a question has one answer block — separate questions with a blank line, or escape literal braces as \\{ \\}`,
        p.column,
      );
      return;
    }
  }

  // Stem: the block is removed, or replaced by a blank when text follows it (missing-word question).
  let stemRaw: string;
  let answerRaw = '';
  let answerOffset = 0;
  const description = openAt < 0;
  if (description) {
    stemRaw = text.slice(start);
  } else {
    const before = text.slice(start, openAt);
    const after = text.slice(closeAt + 1);
    stemRaw = after.trim() === '' ? before : before + BLANK + after;
    answerRaw = stripInlineComments(text.slice(openAt + 1, closeAt));
    answerOffset = openAt + 1;
  }
  const stem = readText(stemRaw, 'moodle');
  const format = stem.format;

  // General feedback after the last ####.
  let explanation: string | null = null;
  const gf = answerRaw.lastIndexOf('####');
  if (gf >= 0) {
    explanation = readText(answerRaw.slice(gf + 4), format).text || null;
    answerRaw = answerRaw.slice(0, gf);
  }
  const answerText = answerRaw.trim();
  const answerBase = answerOffset + leadingSpace(answerRaw);
  const blockPos = body.at(openAt >= 0 ? openAt : start);

  const base: QuestionContent = {
    type: 'description',
    title: title ? L(title) : null,
    stem: L(stem.text),
    tags,
    category: ctx.category,
    languages: [],
  };
  if (explanation) base.explanation = L(explanation);

  const fail = (offset: number, message: string): null => {
    const p = body.at(offset);
    sink.error(p.line, message, p.column);
    return null;
  };
  const weightOf = (piece: Piece, text: string): { weight: number | null; rest: string; bad: boolean } => {
    const t = text.trimStart();
    const m = WEIGHT.exec(t);
    if (!m) return { weight: null, rest: t, bad: false };
    const weight = Number(m[1]) / 100;
    if (weight < -1 || weight > 1) {
      fail(piece.offset + leadingSpace(text), `weight %${m[1]}% is outside −100…100`);
      return { weight, rest: t.slice(m[0].length), bad: true };
    }
    if (!isMoodleGrade(weight)) {
      const p = body.at(piece.offset);
      sink.warn(p.line, `weight %${m[1]}% is not one of Moodle's grades (e.g. 33.33333, 50, 20); Moodle would refuse it`, p.column);
    }
    return { weight, rest: t.slice(m[0].length), bad: false };
  };

  let content: QuestionContent | null = null;
  if (description) {
    content = { ...base, type: 'description' };
  } else if (answerText === '') {
    content = { ...base, type: 'essay' };
  } else if (answerText.startsWith('#')) {
    content = numeric(base, answerText.slice(1), answerBase + 1);
  } else if (answerText.includes('~')) {
    content = choice(base, answerText, answerBase);
  } else if (answerText.includes('=') && answerText.includes('->')) {
    content = matching(base, answerText, answerBase);
  } else {
    const hash = answerText.indexOf('#');
    const head = (hash > 0 ? answerText.slice(0, hash) : answerText).trim();
    if (/^(T|TRUE|F|FALSE)$/i.test(head)) content = trueFalse(base, answerText, head);
    else content = shortAnswer(base, answerText, answerBase);
  }
  if (!content) return;

  function choice(q: QuestionContent, answers: string, offset: number): QuestionContent | null {
    const single = answers.includes('=');
    const pieces = splitPieces(answers, offset, '=~');
    if (pieces.length < 2) return fail(offset, `a multiple-choice question needs at least 2 answers, found ${pieces.length}`);
    const opts: NonNullable<QuestionContent['options']> = [];
    for (const piece of pieces) {
      if (piece.marker === '') {
        const p = body.at(piece.offset);
        sink.warn(p.line, 'text before the first "~" or "=" is read as a wrong answer', p.column);
      }
      const w = weightOf(piece, piece.text);
      if (w.bad) return null;
      const fraction = w.weight ?? (piece.marker === '=' ? 1 : 0);
      const { body: ansText, feedback } = splitFeedback(w.rest);
      const option = { id: '', text: L(readText(ansText, format).text), fraction, feedback: undefined as LocalizedText | undefined };
      if (feedback !== null) {
        const fb = readText(feedback, format).text;
        if (fb) option.feedback = L(fb);
      }
      opts.push(option);
    }
    const result: QuestionContent = { ...q, type: single ? 'single_choice' : 'multiple_choice', options: opts };
    if (!single) result.scoring = 'partial';
    return result;
  }

  function matching(q: QuestionContent, answers: string, offset: number): QuestionContent | null {
    const pieces = splitPieces(answers, offset, '=');
    const pairs: NonNullable<QuestionContent['pairs']> = [];
    for (const piece of pieces) {
      const arrow = piece.text.indexOf('->');
      if (arrow < 0) return fail(piece.offset, 'a matching pair needs "->" between the prompt and its match (=prompt -> match)');
      const prompt = readText(piece.text.slice(0, arrow), format).text;
      const match = plainText(unescape(piece.text.slice(arrow + 2))).replace(/\s+/g, ' ');
      pairs.push({ id: '', prompt: prompt ? L(prompt) : null, match: L(match) });
    }
    if (pairs.length < 2) return fail(offset, `a matching question needs at least 2 pairs, found ${pairs.length}`);
    return { ...q, type: 'matching', pairs };
  }

  function trueFalse(q: QuestionContent, answers: string, head: string): QuestionContent {
    const bits = answers.split('#');
    const value = /^T(RUE)?$/i.test(head);
    const wrong = bits.length > 1 ? readText(bits[1], format).text : '';
    const right = bits.length > 2 ? readText(bits.slice(2).join('#'), format).text : '';
    const result: QuestionContent = { ...q, type: 'true_false', answer: value };
    const trueFb = value ? right : wrong;
    const falseFb = value ? wrong : right;
    if (trueFb) result.trueFeedback = L(trueFb);
    if (falseFb) result.falseFeedback = L(falseFb);
    return result;
  }

  function shortAnswer(q: QuestionContent, answers: string, offset: number): QuestionContent | null {
    const pieces = splitPieces(answers, offset, '=');
    const list: Array<{ text: LocalizedText; fraction: number; feedback?: LocalizedText }> = [];
    for (const piece of pieces) {
      const w = weightOf(piece, piece.text);
      if (w.bad) return null;
      if (w.weight !== null && w.weight < 0) return fail(piece.offset, 'a short answer cannot have a negative weight');
      const { body: ansText, feedback } = splitFeedback(w.rest);
      const t = readText(ansText, format).text.replace(/\s+/g, ' ');
      if (!t) return fail(piece.offset, 'an empty answer: write the accepted text after "="');
      const a: { text: LocalizedText; fraction: number; feedback?: LocalizedText } = { text: L(t), fraction: w.weight ?? 1 };
      if (feedback !== null) {
        const fb = readText(feedback, format).text;
        if (fb) a.feedback = L(fb);
      }
      list.push(a);
    }
    if (list.length === 0) return fail(offset, 'a short-answer question needs at least one answer');
    return { ...q, type: 'short_answer', gaps: [{ answers: list, caseSensitive: false }] };
  }

  function numeric(q: QuestionContent, answers: string, offset: number): QuestionContent | null {
    let text = answers;
    const tilde = text.indexOf('~');
    if (tilde >= 0) text = text.slice(0, tilde); // feedback for any other answer: not kept
    const pieces = splitPieces(text, offset, '=');
    const list: Array<{ value: number; tolerance: number; fraction: number; feedback?: LocalizedText }> = [];
    for (const piece of pieces) {
      const w = weightOf(piece, piece.text);
      if (w.bad) return null;
      if (w.weight !== null && w.weight < 0) return fail(piece.offset, 'a numeric answer cannot have a negative weight');
      const { body: raw, feedback } = splitFeedback(w.rest);
      const v = unescape(raw).trim();
      let value: number;
      let tolerance = 0;
      const range = v.indexOf('..');
      const colon = v.indexOf(':');
      if (range > 0) {
        const min = v.slice(0, range).trim();
        const max = v.slice(range + 2).trim();
        if (!NUMBER.test(min) || !NUMBER.test(max)) return fail(piece.offset, `"${v}" is not a range of numbers (min..max)`);
        value = (Number(min) + Number(max)) / 2;
        tolerance = Math.abs(Number(max) - value);
      } else if (colon > 0) {
        const a = v.slice(0, colon).trim();
        const t = v.slice(colon + 1).trim();
        if (!NUMBER.test(a) || !NUMBER.test(t)) return fail(piece.offset, `"${v}" is not a number with a tolerance (value:tolerance)`);
        value = Number(a);
        tolerance = Math.abs(Number(t));
      } else {
        if (!NUMBER.test(v)) return fail(piece.offset, `"${v}" is not a number`);
        value = Number(v);
      }
      const a: { value: number; tolerance: number; fraction: number; feedback?: LocalizedText } = {
        value: Math.round(value * 1e12) / 1e12,
        tolerance: Math.round(tolerance * 1e12) / 1e12,
        fraction: w.weight ?? 1,
      };
      if (feedback !== null) {
        const fb = readText(feedback, format).text;
        if (fb) a.feedback = L(fb);
      }
      list.push(a);
    }
    if (list.length === 0) return fail(offset, 'a numeric question needs at least one answer after "#"');
    return { ...q, type: 'numeric', gaps: [{ answers: list }] };
  }

  const normalized = normalizeContent(content);
  let failed = false;
  for (const problem of checkQuestionContent(normalized)) {
    if (problem.severity === 'error') {
      failed = true;
      sink.error(blockPos.line, problem.message, blockPos.column);
    } else {
      sink.warn(blockPos.line, problem.message, blockPos.column);
    }
  }
  if (failed) return;
  const parsed: ParsedQuestion = { line: firstLine, content: normalized };
  if (id) parsed.id = detach(id);
  out.push(parsed);
}
