/**
 * Moodle XML (`<quiz><question type="…">`), following Moodle's qformat_xml import: `category`
 * records set the category of the questions after them; multichoice (`<single>` true by default),
 * truefalse, shortanswer (`<usecase>`, `*` wildcard kept), numerical (`<tolerance>`), match /
 * matching (a subquestion with empty text is a distractor), essay (`<graderinfo>` → rubric),
 * description and the ordering plugin are imported; every fraction must be one of Moodle's grades
 * (an invalid one such as 33 is an error and the question is left out); cloze, calculated*,
 * drag-and-drop, gapselect, random… are skipped with a warning. Legacy 1.9 files (`<image>`, no
 * format attributes) are read too.
 */
import {
  DEFAULT_LANGUAGE,
  type ChoiceOption,
  type LocalizedText,
  type MatchPair,
  type NumericAnswer,
  type QuestionContent,
  type TextAnswer,
} from '../domain/question';
import { detach, normalizeContent } from '../domain/canonical';
import { checkQuestionContent } from '../domain/rules';
import { isMoodleGrade } from './moodle-grades';
import { IssueSink, type ParseOptions, type ParsedQuestion, type ParseResult } from './parse-result';
import { htmlToText, normalizeBlanks, oneLine, plainText } from './text';
import { childrenNamed, firstChild, parseXml, textContent, type XmlElement } from './xml';

const SKIPPED_TYPES: Record<string, string> = {
  cloze: 'embedded answers (cloze)',
  multianswer: 'embedded answers (cloze)',
  calculated: 'calculated',
  calculatedsimple: 'simple calculated',
  calculatedmulti: 'calculated multichoice',
  ddwtos: 'drag and drop into text',
  gapselect: 'select missing words',
  ddimageortext: 'drag and drop onto image',
  ddmarker: 'drag and drop markers',
  randomsamatch: 'random short-answer matching',
  random: 'random',
  order: 'order (non-core)',
};

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Text of a Moodle "text field" element (`<x format="…"><text>…</text></x>`), converted to plain text. */
function fieldText(el: XmlElement | undefined, defaultFormat = 'html'): string {
  if (!el) return '';
  const textEl = firstChild(el, 'text');
  const raw = textEl ? textContent(textEl) : directText(el);
  const format = (el.attrs.format ?? defaultFormat).toLowerCase();
  switch (format) {
    case 'plain_text':
    case 'plain':
    case 'markdown':
      return plainText(raw);
    case 'moodle_auto_format':
    case 'moodle':
      return htmlToText(raw, { keepNewlines: true, onlyKnownTags: true });
    default:
      return htmlToText(raw);
  }
}

/** The element's own text nodes (legacy files put answer text straight in `<answer>`). */
function directText(el: XmlElement): string {
  return el.children
    .filter((c) => c.kind === 'text')
    .map((c) => (c.kind === 'text' ? c.value : ''))
    .join('');
}

function childText(el: XmlElement, name: string): string | undefined {
  const c = firstChild(el, name);
  return c ? textContent(c).trim() : undefined;
}

function isTrue(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return /^(1|true|yes)$/i.test(value.trim());
}

export function parseMoodleXml(source: string, options: ParseOptions = {}): ParseResult {
  const language = options.language ?? DEFAULT_LANGUAGE;
  const sink = new IssueSink();
  const result: ParseResult = { format: 'moodlexml', language, questions: [], errors: sink.errors, warnings: sink.warnings };
  const doc = parseXml(source);
  for (const e of doc.errors) sink.error(e.line, `XML: ${e.message}`, e.column);
  for (const w of doc.warnings) sink.warn(w.line, `XML: ${w.message}`);
  if (!doc.root) return result;
  if (doc.root.local !== 'quiz') {
    sink.error(doc.root.line, `a Moodle XML file has a <quiz> root element, not <${doc.root.name}>`, doc.root.column);
    return result;
  }
  const L = (t: string): LocalizedText => ({ [language]: t });
  let category: string | null = null;

  for (const q of childrenNamed(doc.root, 'question')) {
    const type = (q.attrs.type ?? '').trim().toLowerCase();
    const name = oneLine(fieldText(firstChild(q, 'name'), 'plain_text'));
    const label = name ? `"${name}"` : `at line ${q.line}`;
    if (!type) {
      sink.error(q.line, 'a <question> without a type attribute', q.column);
      continue;
    }
    if (type === 'category') {
      const cat = firstChild(q, 'category');
      category = cat ? oneLine(textContent(firstChild(cat, 'text') ?? cat)) || null : null;
      continue;
    }
    if (SKIPPED_TYPES[type] !== undefined) {
      sink.warn(q.line, `skipped question ${label}: ${SKIPPED_TYPES[type]} questions are not supported`);
      continue;
    }
    const known = ['multichoice', 'truefalse', 'shortanswer', 'numerical', 'match', 'matching', 'essay', 'description', 'ordering'];
    if (!known.includes(type)) {
      sink.warn(q.line, `skipped question ${label}: question type "${type}" is not supported`);
      continue;
    }
    if (firstChild(q, 'image') || firstChild(q, 'image_base64')) {
      sink.warn(q.line, `question ${label}: the legacy <image> is not imported (text only)`);
    }
    if (q.children.some((c) => c.kind === 'element' && c.local !== 'answer' && firstChild(c, 'file'))) {
      sink.warnOnce('files', q.line, 'embedded files (<file>) are not imported: images in question texts are left out');
    }

    const errorsBefore = sink.errors.length;
    const fail = (line: number, message: string): null => {
      sink.error(line, `question ${label}: ${message}`);
      return null;
    };
    const fractionOf = (a: XmlElement): number | null => {
      const raw = a.attrs.fraction;
      if (raw === undefined || raw.trim() === '') return 0;
      const value = Number(raw.trim());
      if (!Number.isFinite(value)) return fail(a.line, `fraction "${raw}" is not a number`);
      const fraction = value / 100;
      if (!isMoodleGrade(fraction)) {
        return fail(a.line, `invalid grade: fraction="${raw}" is not one of Moodle's grades (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0 or their negatives)`);
      }
      return fraction;
    };

    const explanation = fieldText(firstChild(q, 'generalfeedback'));
    let stem = fieldText(firstChild(q, 'questiontext'));
    const content: QuestionContent = {
      type: 'description',
      title: name ? L(name) : null,
      stem: L(stem),
      tags: childrenNamed(firstChild(q, 'tags'), 'tag').map((t) => oneLine(textContent(firstChild(t, 'text') ?? t))),
      category,
      languages: [],
    };
    if (explanation) content.explanation = L(explanation);
    const answers = childrenNamed(q, 'answer');
    let built: QuestionContent | null = content;

    switch (type) {
      case 'multichoice': {
        const single = isTrue(childText(q, 'single'), true);
        const options: ChoiceOption[] = [];
        for (const a of answers) {
          const fraction = fractionOf(a);
          if (fraction === null) continue;
          const text = fieldText(a);
          if (!text && fraction === 0) continue;
          const option: ChoiceOption = { id: '', text: L(text), fraction };
          const fb = fieldText(firstChild(a, 'feedback'));
          if (fb) option.feedback = L(fb);
          options.push(option);
        }
        if (sink.errors.length > errorsBefore) built = null;
        else if (options.length < 2) built = fail(q.line, `a multiple-choice question needs at least 2 answers, found ${options.length}`);
        else {
          built = { ...content, type: single ? 'single_choice' : 'multiple_choice', options };
          if (!single) built.scoring = 'partial';
        }
        break;
      }
      case 'truefalse': {
        let value: boolean | null = null;
        let oldStyle = false;
        const fb: { true?: string; false?: string } = {};
        answers.forEach((a, k) => {
          const text = oneLine(fieldText(a, 'moodle_auto_format')).toLowerCase();
          let side: 'true' | 'false';
          if (text === 'true' || text === 'false') side = text;
          else {
            oldStyle = true;
            side = k === 0 ? 'true' : 'false';
          }
          const fraction = Number(a.attrs.fraction ?? 0);
          if (fraction >= 100 - 1e-6) value = side === 'true';
          const f = fieldText(firstChild(a, 'feedback'));
          if (f) fb[side] = f;
        });
        if (oldStyle) sink.warn(q.line, `question ${label}: the answers are not "true" and "false"; the first is read as true, the second as false`);
        if (value === null) built = fail(q.line, 'a true/false question needs one answer with fraction="100"');
        else {
          built = { ...content, type: 'true_false', answer: value };
          if (fb.true) built.trueFeedback = L(fb.true);
          if (fb.false) built.falseFeedback = L(fb.false);
        }
        break;
      }
      case 'shortanswer': {
        const list: TextAnswer[] = [];
        for (const a of answers) {
          const fraction = fractionOf(a);
          if (fraction === null) continue;
          const text = oneLine(fieldText(a, 'plain_text'));
          if (!text) continue;
          if (fraction < 0) {
            fail(a.line, 'a short answer cannot have a negative fraction');
            continue;
          }
          const answer: TextAnswer = { text: L(text), fraction };
          const fb = fieldText(firstChild(a, 'feedback'));
          if (fb) answer.feedback = L(fb);
          list.push(answer);
        }
        stem = normalizeBlanks(stem);
        if (sink.errors.length > errorsBefore) built = null;
        else if (!list.length) built = fail(q.line, 'a short-answer question needs at least one answer');
        else built = { ...content, stem: L(stem), type: 'short_answer', gaps: [{ answers: list, caseSensitive: isTrue(childText(q, 'usecase'), false) }] };
        break;
      }
      case 'numerical': {
        const list: NumericAnswer[] = [];
        for (const a of answers) {
          const fraction = fractionOf(a);
          if (fraction === null) continue;
          const textEl = firstChild(a, 'text');
          const raw = oneLine(textEl ? textContent(textEl) : directText(a));
          if (raw === '*' || raw === '') {
            if (fraction > 0) sink.warn(a.line, `question ${label}: the "*" answer (any other value) with credit is not imported`);
            continue;
          }
          if (!NUMBER.test(raw)) {
            fail(a.line, `answer "${raw}" is not a number`);
            continue;
          }
          if (fraction < 0) {
            fail(a.line, 'a numeric answer cannot have a negative fraction');
            continue;
          }
          const tolRaw = childText(a, 'tolerance') ?? '0';
          const tolerance = tolRaw === '' ? 0 : Number(tolRaw);
          if (!Number.isFinite(tolerance)) {
            fail(a.line, `tolerance "${tolRaw}" is not a number`);
            continue;
          }
          const answer: NumericAnswer = { value: Number(raw), tolerance: Math.abs(tolerance), fraction };
          const fb = fieldText(firstChild(a, 'feedback'));
          if (fb) answer.feedback = L(fb);
          list.push(answer);
        }
        const units = childrenNamed(firstChild(q, 'units'), 'unit').filter((u) => (childText(u, 'unit_name') ?? '') !== '');
        if (units.length) sink.warn(q.line, `question ${label}: units are not imported; answers are plain numbers`);
        stem = normalizeBlanks(stem);
        if (sink.errors.length > errorsBefore) built = null;
        else if (!list.length) built = fail(q.line, 'a numerical question needs at least one numeric answer');
        else built = { ...content, stem: L(stem), type: 'numeric', gaps: [{ answers: list }] };
        break;
      }
      case 'match':
      case 'matching': {
        const pairs: MatchPair[] = [];
        for (const sq of childrenNamed(q, 'subquestion')) {
          const prompt = fieldText(sq);
          const answer = firstChild(sq, 'answer');
          const match = oneLine(answer ? textContent(firstChild(answer, 'text') ?? answer) : '');
          if (!prompt && !match) continue;
          pairs.push({ id: '', prompt: prompt ? L(prompt) : null, match: L(match) });
        }
        built = { ...content, type: 'matching', pairs };
        break;
      }
      case 'essay': {
        const rubric = fieldText(firstChild(q, 'graderinfo'));
        built = { ...content, type: 'essay' };
        if (rubric) built.rubric = L(rubric);
        break;
      }
      case 'description':
        built = { ...content, type: 'description' };
        break;
      case 'ordering': {
        const items = answers.map((a, k) => ({ text: fieldText(a, 'moodle_auto_format'), order: Number(a.attrs.fraction ?? k), k }));
        if (items.every((it) => Number.isFinite(it.order))) items.sort((x, y) => x.order - y.order || x.k - y.k);
        built = { ...content, type: 'ordering', options: items.map((it) => ({ id: '', text: L(it.text), fraction: 0 })) };
        break;
      }
    }
    if (!built) continue;
    const normalized = normalizeContent(built);
    let failed = false;
    for (const problem of checkQuestionContent(normalized)) {
      if (problem.severity === 'error') {
        failed = true;
        sink.error(q.line, `question ${label}: ${problem.message}`, q.column);
      } else {
        sink.warn(q.line, `question ${label}: ${problem.message}`);
      }
    }
    if (failed) continue;
    const parsed: ParsedQuestion = { line: q.line, content: normalized };
    const idnumber = childText(q, 'idnumber');
    if (idnumber) parsed.id = detach(idnumber);
    if (isTrue(childText(q, 'hidden'), false)) parsed.status = 'retired';
    result.questions.push(parsed);
  }
  return result;
}
