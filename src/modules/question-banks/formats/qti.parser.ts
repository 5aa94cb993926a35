/**
 * IMS QTI 2.1 / 2.2 and QTI 3.0 assessment items. QTI 3 kebab-case names (`qti-choice-interaction`,
 * `response-identifier`) are read as their QTI 2 camelCase equivalents, so one reader serves both.
 *
 * Interactions: choice (single/multiple; correctResponse and/or mapping; identifiers `true`/`false`
 * make a true/false question), textEntry (string → short answer, integer/float → numeric with the
 * tolerance of `equal`/`equalRounded` in the response processing; several gaps allowed),
 * extendedText → essay (scorer rubric block → rubric), match/associate → matching, order →
 * ordering. An item without interaction is a description. Other interactions (inline choice, gap
 * match, hotspot…) and composite items are skipped with a warning. Unknown attributes on QTI
 * elements, invalid enumerated values and missing required attributes are errors with their line.
 */
import {
  BLANK,
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
import { IssueSink, type ParseOptions, type ParsedQuestion, type ParseResult } from './parse-result';
import {
  QTI_ATTRIBUTES,
  QTI_ENUMS,
  QTI_INTEGER_ATTRIBUTES,
  QTI_NUMBER_ATTRIBUTES,
  QTI_REQUIRED,
  SUPPORTED_INTERACTIONS,
  UNSUPPORTED_INTERACTIONS,
  isGlobalAttribute,
} from './qti-schema';
import { tidyText } from './text';
import { childElements, childrenNamed, descendants, firstChild, parseXml, textContent, type XmlElement } from './xml';

export type QtiVersion = 'qti2' | 'qti3';

const QTI2_NAMESPACE = /imsglobal\.org\/xsd\/imsqti_v2p[0-2]/;
const QTI3_NAMESPACE = /imsglobal\.org\/(?:xsd|spec\/qti\/v3p0\/schema\/xsd)\/imsqtiasi_v3p0/;
const TRUE_ID = /^true$/i;
const FALSE_ID = /^false$/i;
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function kebab(camelName: string): string {
  return camelName.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const camelCache = new Map<string, string>();
function camel(kebab: string): string {
  let out = camelCache.get(kebab);
  if (out === undefined) {
    out = kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camelCache.size < 10000) camelCache.set(kebab, out);
  }
  return out;
}

/**
 * Rewrites QTI 3 names to QTI 2 ones in place (`qti-simple-choice` → `simpleChoice`, `max-choices`
 * → `maxChoices`). Returns how many QTI 3 and QTI 2 style QTI element names were seen.
 */
function canonicalizeNames(root: XmlElement): { kebab: number; camel: number } {
  const counts = { kebab: 0, camel: 0 };
  const stack = [root];
  while (stack.length) {
    const el = stack.pop()!;
    if (el.local.startsWith('qti-')) {
      counts.kebab++;
      el.local = camel(el.local.slice(4));
      const keys = Object.keys(el.attrs);
      if (keys.some((k) => k.includes('-') && !isGlobalAttribute(k))) {
        const attrs: Record<string, string> = {};
        for (const k of keys) attrs[isGlobalAttribute(k) || !k.includes('-') ? k : camel(k)] = el.attrs[k];
        el.attrs = attrs;
      }
    } else if (QTI_ATTRIBUTES[el.local] !== undefined && el.local !== 'prompt') {
      counts.camel++;
    }
    for (const c of el.children) if (c.kind === 'element') stack.push(c);
  }
  return counts;
}

const ALLOWED = new Map(Object.entries(QTI_ATTRIBUTES).map(([k, v]) => [k, new Set(v)]));

/** Schema checks on the QTI elements the importer knows: attributes, enumerations, required ones. */
function checkSchema(root: XmlElement, sink: IssueSink): void {
  const stack = [root];
  while (stack.length) {
    const el = stack.pop()!;
    for (const c of el.children) if (c.kind === 'element') stack.push(c);
    const allowed = ALLOWED.get(el.local);
    if (!allowed) continue;
    const tag = el.local;
    for (const name in el.attrs) {
      const value = el.attrs[name];
      const enumValues = QTI_ENUMS[name];
      let problem: string | null = null;
      if (!allowed.has(name) && !isGlobalAttribute(name)) problem = `schema: attribute "${name}" is not allowed on <${el.name}>`;
      else if (enumValues && !enumValues.includes(value.trim())) problem = `schema: ${name}="${value}" on <${el.name}> must be one of ${enumValues.join(', ')}`;
      else if (QTI_INTEGER_ATTRIBUTES.has(name) && !/^-?\d+$/.test(value.trim())) problem = `schema: ${name}="${value}" on <${el.name}> must be an integer`;
      else if (QTI_NUMBER_ATTRIBUTES.has(name) && !NUMBER.test(value.trim())) problem = `schema: ${name}="${value}" on <${el.name}> must be a number`;
      if (problem) {
        const p = el.attributePosition(name, kebab(name));
        sink.error(p.line, problem, p.column);
      }
    }
    for (const name of QTI_REQUIRED[tag] ?? []) {
      if (el.attrs[name] === undefined) sink.error(el.line, `schema: <${el.name}> needs the attribute ${name}`, el.column);
    }
  }
}

// ---- text rendering ------------------------------------------------------------------------

const PARAGRAPH = new Set('p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl figure address article aside section header footer hr itemBody'.split(' '));
const LINE = new Set('div li tr dt dd caption figcaption'.split(' '));
const HIDDEN = new Set([
  'feedbackBlock',
  'feedbackInline',
  'modalFeedback',
  'rubricBlock',
  'templateBlock',
  'templateInline',
  'printedVariable',
  'stylesheet',
  'catalogInfo',
  'companionMaterialsInfo',
  'script',
  'style',
  'audio',
  'video',
  'source',
  'track',
]);

type RenderHook = (el: XmlElement) => string | undefined;

/** Item-body markup to plain text (same rules as htmlToText), with hooks for interactions. */
function renderText(el: XmlElement, hook?: RenderHook): string {
  const out: string[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.kind === 'text') {
        out.push(c.value.replace(/\s+/g, ' '));
        continue;
      }
      const custom = hook?.(c);
      if (custom !== undefined) {
        out.push(custom);
        continue;
      }
      const name = c.local;
      if (HIDDEN.has(name)) continue;
      if (name === 'br') {
        out.push('\n');
        continue;
      }
      if (name === 'img') {
        const alt = c.attrs.alt?.trim();
        if (alt) out.push(` ${alt} `);
        continue;
      }
      if (name === 'math') {
        const alt = c.attrs.alttext?.trim();
        out.push(alt ? ` ${alt} ` : ` ${textContent(c).replace(/\s+/g, ' ').trim()} `);
        continue;
      }
      const block = PARAGRAPH.has(name) ? '\n\n' : LINE.has(name) || name === 'prompt' ? '\n' : name === 'td' || name === 'th' ? ' ' : '';
      out.push(block);
      walk(c);
      out.push(block);
    }
  };
  walk(el);
  return tidyText(out.join(''));
}

// ---- response declarations ---------------------------------------------------------------

interface MapEntry {
  key: string;
  value: number;
  caseSensitive: boolean;
}

interface ResponseDecl {
  identifier: string;
  cardinality: string;
  baseType: string;
  correct: string[];
  mapping: { entries: MapEntry[]; lower?: number; upper?: number; defaultValue: number } | null;
  line: number;
}

function readDeclarations(root: XmlElement): Map<string, ResponseDecl> {
  const decls = new Map<string, ResponseDecl>();
  for (const d of childrenNamed(root, 'responseDeclaration')) {
    const identifier = (d.attrs.identifier ?? '').trim();
    const correct = childrenNamed(firstChild(d, 'correctResponse'), 'value').map((v) => textContent(v).trim());
    const m = firstChild(d, 'mapping');
    let mapping: ResponseDecl['mapping'] = null;
    if (m) {
      const num = (s: string | undefined): number | undefined => (s !== undefined && NUMBER.test(s.trim()) ? Number(s) : undefined);
      mapping = {
        entries: childrenNamed(m, 'mapEntry').map((e) => ({
          key: (e.attrs.mapKey ?? '').trim(),
          value: num(e.attrs.mappedValue) ?? 0,
          caseSensitive: !/^(false|0)$/i.test(e.attrs.caseSensitive ?? 'true'),
        })),
        lower: num(m.attrs.lowerBound),
        upper: num(m.attrs.upperBound),
        defaultValue: num(m.attrs.defaultValue) ?? 0,
      };
    }
    decls.set(identifier, {
      identifier,
      cardinality: (d.attrs.cardinality ?? 'single').trim(),
      baseType: (d.attrs.baseType ?? '').trim(),
      correct,
      mapping,
      line: d.line,
    });
  }
  return decls;
}

interface Processing {
  template: 'match_correct' | 'map_response' | 'other' | 'none';
  root: XmlElement | undefined;
}

function readProcessing(root: XmlElement): Processing {
  const rp = firstChild(root, 'responseProcessing');
  if (!rp) return { template: 'none', root: undefined };
  const template = rp.attrs.template ?? rp.attrs.templateLocation ?? '';
  if (/match_correct/i.test(template)) return { template: 'match_correct', root: rp };
  if (/map_response/i.test(template)) return { template: 'map_response', root: rp };
  return { template: childElements(rp).length ? 'other' : 'none', root: rp };
}

/** Does the response processing score this response through its mapping? */
function usesMapping(processing: Processing, identifier: string): boolean {
  if (processing.template === 'map_response') return true;
  if (!processing.root || processing.template !== 'other') return false;
  return descendants(processing.root, (e) => e.local === 'mapResponse' && e.attrs.identifier === identifier).length > 0;
}

interface Comparison {
  value: string | null; // null = the correct response
  tolerance: (v: number) => number;
  caseSensitive: boolean;
  score: number | null; // null = full credit
}

/** Comparisons of a response in custom response processing: equal / equalRounded / match / stringMatch. */
function readComparisons(processing: Processing, identifier: string, maxScore: number): Comparison[] {
  if (!processing.root || processing.template !== 'other') return [];
  const out: Comparison[] = [];
  const branches = descendants(processing.root, (e) => e.local === 'responseIf' || e.local === 'responseElseIf');
  for (const branch of branches) {
    const kids = childElements(branch);
    const condition = kids[0];
    if (!condition) continue;
    const tests = [condition, ...descendants(condition, () => true)].filter((e) => ['equal', 'equalRounded', 'match', 'stringMatch'].includes(e.local));
    for (const test of tests) {
      const args = childElements(test);
      if (!args.some((a) => a.local === 'variable' && a.attrs.identifier === identifier)) continue;
      const other = args.find((a) => !(a.local === 'variable' && a.attrs.identifier === identifier));
      if (!other) continue;
      let value: string | null;
      if (other.local === 'correct' && other.attrs.identifier === identifier) value = null;
      else if (other.local === 'baseValue') value = textContent(other).trim();
      else continue;
      let tolerance: Comparison['tolerance'] = () => 0;
      if (test.local === 'equal') {
        const mode = test.attrs.toleranceMode ?? 'exact';
        const t = (test.attrs.tolerance ?? '0').trim().split(/\s+/).map(Number).filter(Number.isFinite);
        const t1 = Math.max(0, ...t);
        if (mode === 'absolute') tolerance = () => t1;
        else if (mode === 'relative') tolerance = (v) => (Math.abs(v) * t1) / 100;
      } else if (test.local === 'equalRounded') {
        const figures = Number(test.attrs.figures ?? '0');
        if (test.attrs.roundingMode === 'decimalPlaces') tolerance = () => 0.5 * 10 ** -figures;
        else tolerance = (v) => (v === 0 ? 0 : 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(v))) - figures + 1));
      }
      const set = kids.find((k) => k.local === 'setOutcomeValue');
      let score: number | null = null;
      const base = set ? firstChild(set, 'baseValue') : undefined;
      if (base && NUMBER.test(textContent(base).trim())) score = Number(textContent(base).trim()) / (maxScore || 1);
      out.push({ value, tolerance, caseSensitive: !/^(false|0)$/i.test(test.attrs.caseSensitive ?? 'true'), score });
    }
  }
  return out;
}

function maxScoreOf(root: XmlElement): number {
  for (const o of childrenNamed(root, 'outcomeDeclaration')) {
    if (o.attrs.identifier === 'MAXSCORE') {
      const v = textContent(firstChild(firstChild(o, 'defaultValue'), 'value')).trim();
      if (NUMBER.test(v) && Number(v) > 0) return Number(v);
    }
  }
  return 1;
}

// ---- the item --------------------------------------------------------------------------------

export interface QtiItemResult {
  version: QtiVersion;
  language: string | null;
  question: ParsedQuestion | null;
  identifier: string | null;
}

/** Reads one item file; issues go to `sink`. */
export function readQtiItem(source: string, sink: IssueSink, options: ParseOptions & { entry?: string } = {}): QtiItemResult {
  const doc = parseXml(source);
  for (const e of doc.errors) sink.error(e.line, `XML: ${e.message}`, e.column);
  for (const w of doc.warnings) sink.warn(w.line, `XML: ${w.message}`);
  const none: QtiItemResult = { version: 'qti2', language: null, question: null, identifier: null };
  if (!doc.root) return none;
  const root = doc.root;
  const namespace = root.attrs.xmlns ?? Object.entries(root.attrs).find(([k]) => k.startsWith('xmlns:'))?.[1] ?? '';
  const rootKebab = root.local.startsWith('qti-');
  const counts = canonicalizeNames(root);
  const version: QtiVersion = rootKebab || QTI3_NAMESPACE.test(namespace) ? 'qti3' : 'qti2';
  const result: QtiItemResult = { ...none, version };
  if (root.local !== 'assessmentItem') {
    if (root.local === 'assessmentTest') sink.error(root.line, 'this is a QTI assessment test, not an item: import the content package (.zip) that holds its items');
    else if (root.local === 'questestinterop') sink.error(root.line, 'QTI 1.2 (questestinterop) is not supported: export as QTI 2.1, 2.2 or 3.0');
    else sink.error(root.line, `not a QTI item: the root element is <${root.name}>, expected <assessmentItem> or <qti-assessment-item>`, root.column);
    return result;
  }
  if (namespace && !QTI2_NAMESPACE.test(namespace) && !QTI3_NAMESPACE.test(namespace)) {
    sink.warn(root.line, `unexpected namespace "${namespace}" for a QTI item`);
  }
  if (version === 'qti3' && counts.camel > 0) {
    sink.warn(root.line, 'QTI 3 namespace, but QTI 2 element names (assessmentItem, responseDeclaration…): read leniently; a strict QTI 3 tool would reject this file');
  } else if (version === 'qti2' && counts.kebab > 0) {
    sink.warn(root.line, 'QTI 2 item with QTI 3 "qti-" element names: read leniently');
  }
  const errorsBefore = sink.errors.length;
  checkSchema(root, sink);

  const language = root.attrs['xml:lang']?.trim() || options.language || DEFAULT_LANGUAGE;
  result.language = root.attrs['xml:lang']?.trim() || null;
  result.identifier = root.attrs.identifier?.trim() || null;
  const L = (t: string): LocalizedText => ({ [language]: t });
  const label = `item "${root.attrs.identifier ?? ''}"`;

  const body = firstChild(root, 'itemBody');
  if (!body) {
    sink.error(root.line, 'the item has no itemBody');
    return result;
  }
  const decls = readDeclarations(root);
  const processing = readProcessing(root);
  const maxScore = maxScoreOf(root);
  const interactions = descendants(body, (e) => e.local.endsWith('Interaction') && e.local !== 'endAttemptInteraction');
  const unsupported = interactions.filter((e) => !SUPPORTED_INTERACTIONS.has(e.local));
  const media = descendants(body, (e) => ['img', 'audio', 'video', 'object', 'source'].includes(e.local) && !!(e.attrs.src ?? e.attrs.data));
  if (media.length) {
    const files = [...new Set(media.map((m) => m.attrs.src ?? m.attrs.data))];
    sink.warn(media[0].line, `${label} refers to media not imported (text-only bank): ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}`);
  }
  if (unsupported.length) {
    const kinds = [...new Set(unsupported.map((e) => UNSUPPORTED_INTERACTIONS[e.local] ?? e.local))];
    sink.warn(unsupported[0].line, `skipped ${label}: ${kinds.join(', ')} interaction${kinds.length > 1 ? 's are' : ' is'} not supported`);
    return result;
  }
  const kinds = new Set(interactions.map((e) => e.local));
  if (interactions.length > 1 && !(kinds.size === 1 && kinds.has('textEntryInteraction'))) {
    sink.warn(interactions[1].line, `skipped ${label}: items with several interactions (${[...kinds].join(', ')}) are not supported`);
    return result;
  }

  const declFor = (interaction: XmlElement): ResponseDecl | null => {
    const id = interaction.attrs.responseIdentifier ?? '';
    const decl = decls.get(id);
    if (!decl) sink.error(interaction.line, `<${interaction.name}> refers to response "${id}", which has no responseDeclaration`, interaction.column);
    return decl ?? null;
  };

  // Stem: the body text, block interactions replaced by their prompt, text entries by blanks.
  const stem = renderText(body, (el) => {
    if (el.local === 'textEntryInteraction') return BLANK;
    if (SUPPORTED_INTERACTIONS.has(el.local)) {
      const prompt = firstChild(el, 'prompt');
      return prompt ? `\n\n${renderText(prompt)}\n\n` : '\n';
    }
    return undefined;
  });

  const content: QuestionContent = {
    type: 'description',
    // a title that only repeats the identifier (QTI requires one) is no title
    title: root.attrs.title?.trim() && root.attrs.title.trim() !== result.identifier ? L(root.attrs.title.trim()) : null,
    stem: L(stem),
    tags: [],
    category: null,
    languages: [],
  };
  const explanation = childrenNamed(root, 'modalFeedback')
    .filter((f) => f.attrs.showHide === 'hide' || /explanation|general|solution/i.test(f.attrs.identifier ?? ''))
    .map((f) => renderText(f))
    .filter(Boolean)
    .join('\n\n');
  if (explanation) content.explanation = L(explanation);

  const interaction = interactions[0];
  let built: QuestionContent | null = null;
  const fail = (line: number, message: string): null => {
    sink.error(line, `${label}: ${message}`);
    return null;
  };
  const choiceText = (c: XmlElement): string => renderText(c, (el) => (el.local === 'feedbackInline' ? '' : undefined));
  const choiceFeedback = (c: XmlElement): string =>
    childrenNamed(c, 'feedbackInline')
      .map((f) => renderText(f))
      .filter(Boolean)
      .join('\n');

  if (!interaction) {
    built = { ...content, type: 'description' };
  } else {
    const decl = declFor(interaction);
    switch (decl ? interaction.local : '') {
      case 'choiceInteraction':
        built = choice(interaction, decl!);
        break;
      case 'orderInteraction':
        built = ordering(interaction, decl!);
        break;
      case 'extendedTextInteraction': {
        built = { ...content, type: 'essay' };
        const rubric = descendants(body, (e) => e.local === 'rubricBlock' && /scorer|author|tutor/.test(e.attrs.view ?? ''))
          .map((r) => renderText(r))
          .filter(Boolean)
          .join('\n\n');
        if (rubric) built.rubric = L(rubric);
        break;
      }
      case 'matchInteraction':
      case 'associateInteraction':
        built = matching(interaction, decl!);
        break;
      case 'textEntryInteraction':
        built = gaps(interactions);
        break;
      default:
        built = null;
    }
  }

  function mappedFractions(decl: ResponseDecl, keys: string[], sumPositive: boolean): Map<string, number> {
    const out = new Map<string, number>();
    const m = decl.mapping!;
    const value = (k: string): number => m.entries.find((e) => e.key === k)?.value ?? m.defaultValue;
    const positives = keys.map(value).filter((v) => v > 0);
    let max = sumPositive ? positives.reduce((s, v) => s + v, 0) : Math.max(0, ...positives);
    if (m.upper !== undefined && m.upper > 0) max = sumPositive ? m.upper : Math.min(max, m.upper);
    for (const k of keys) out.set(k, max > 0 ? Math.max(-1, Math.min(1, value(k) / max)) : 0);
    return out;
  }

  function choice(el: XmlElement, decl: ResponseDecl): QuestionContent | null {
    const choices = descendants(el, (e) => e.local === 'simpleChoice');
    const ids = choices.map((c) => (c.attrs.identifier ?? '').trim());
    const multiple = decl.cardinality === 'multiple' || (decl.cardinality !== 'single' && el.attrs.maxChoices !== '1');
    const byMapping = decl.mapping !== null && usesMapping(processing, decl.identifier);
    for (const v of decl.correct) if (!ids.includes(v)) return fail(decl.line, `the correct response "${v}" is not one of the choices (${ids.join(', ')})`);
    if (!decl.correct.length && !(decl.mapping && decl.mapping.entries.some((e) => e.value > 0))) {
      return fail(decl.line, 'the choice has no correct response (correctResponse or a positive mapping)');
    }
    let fractions: Map<string, number>;
    let scoring: 'partial' | 'all_or_nothing' = 'all_or_nothing';
    if (decl.mapping && (byMapping || !decl.correct.length)) {
      fractions = mappedFractions(decl, ids, multiple);
      if (multiple) scoring = 'partial';
    } else {
      const correct = new Set(decl.correct);
      fractions = new Map(ids.map((id) => [id, correct.has(id) ? (multiple ? 1 / correct.size : 1) : 0]));
      if (multiple && decl.mapping) {
        // keep exported weights when they agree with the correct response
        const mapped = mappedFractions(decl, ids, true);
        const positive = ids.filter((id) => (mapped.get(id) ?? 0) > 0);
        if (positive.length === correct.size && positive.every((id) => correct.has(id))) fractions = mapped;
      }
    }
    const options: ChoiceOption[] = choices.map((c, k) => {
      const option: ChoiceOption = { id: '', text: L(choiceText(c)), fraction: fractions.get(ids[k]) ?? 0 };
      const fb = choiceFeedback(c);
      if (fb) option.feedback = L(fb);
      return option;
    });
    if (!multiple && ids.length === 2 && ids.some((id) => TRUE_ID.test(id)) && ids.some((id) => FALSE_ID.test(id))) {
      const trueIndex = ids.findIndex((id) => TRUE_ID.test(id));
      const tf: QuestionContent = { ...content, type: 'true_false', answer: (fractions.get(ids[trueIndex]) ?? 0) > 0 };
      if (options[trueIndex].feedback) tf.trueFeedback = options[trueIndex].feedback;
      if (options[1 - trueIndex].feedback) tf.falseFeedback = options[1 - trueIndex].feedback;
      return tf;
    }
    if (multiple) return { ...content, type: 'multiple_choice', options, scoring };
    return { ...content, type: 'single_choice', options };
  }

  function ordering(el: XmlElement, decl: ResponseDecl): QuestionContent | null {
    const choices = descendants(el, (e) => e.local === 'simpleChoice');
    const byId = new Map(choices.map((c) => [(c.attrs.identifier ?? '').trim(), c]));
    if (!decl.correct.length) return fail(decl.line, 'the order interaction has no correct response');
    for (const v of decl.correct) if (!byId.has(v)) return fail(decl.line, `the correct order names "${v}", which is not a choice`);
    if (decl.correct.length !== choices.length) {
      sink.warn(el.line, `skipped ${label}: the correct order ranks ${decl.correct.length} of ${choices.length} choices (partial orders are not supported)`);
      return null;
    }
    return { ...content, type: 'ordering', options: decl.correct.map((id) => ({ id: '', text: L(choiceText(byId.get(id)!)), fraction: 0 })) };
  }

  function matching(el: XmlElement, decl: ResponseDecl): QuestionContent | null {
    const sets = childrenNamed(el, 'simpleMatchSet');
    const directed = el.local === 'matchInteraction';
    let sources: XmlElement[];
    let targets: XmlElement[];
    if (directed) {
      if (sets.length !== 2) return fail(el.line, `a match interaction needs 2 simpleMatchSets, found ${sets.length}`);
      sources = childrenNamed(sets[0], 'simpleAssociableChoice');
      targets = childrenNamed(sets[1], 'simpleAssociableChoice');
    } else {
      sources = childrenNamed(el, 'simpleAssociableChoice');
      targets = sources;
    }
    const text = new Map<string, string>();
    for (const c of [...sources, ...targets]) text.set((c.attrs.identifier ?? '').trim(), choiceText(c));
    let values = decl.correct;
    if (!values.length && decl.mapping) values = decl.mapping.entries.filter((e) => e.value > 0).map((e) => e.key);
    if (!values.length) return fail(decl.line, 'the matching has no correct response');
    const expected = directed ? 'directedPair' : 'pair';
    if (decl.baseType !== expected) {
      sink.warn(decl.line, `${label}: the response is declared baseType "${decl.baseType}" but holds ${expected} values; read as ${expected}`);
    }
    const sourceIds = new Set(sources.map((c) => (c.attrs.identifier ?? '').trim()));
    const matchesOf = new Map<string, string[]>();
    const usedTargets = new Set<string>();
    for (const v of values) {
      let [a, b] = v.split(/\s+/);
      if (!a || !b) return fail(decl.line, `"${v}" is not a pair of identifiers`);
      if (directed && !sourceIds.has(a) && sourceIds.has(b)) [a, b] = [b, a];
      if (!text.has(a) || !text.has(b)) return fail(decl.line, `the pair "${v}" names a choice that does not exist`);
      const list = matchesOf.get(a) ?? [];
      if (!list.includes(b)) list.push(b);
      matchesOf.set(a, list);
      usedTargets.add(b);
    }
    const pairs: MatchPair[] = [];
    for (const s of sources) {
      const id = (s.attrs.identifier ?? '').trim();
      const matches = matchesOf.get(id) ?? [];
      if (matches.length > 1) sink.warn(s.line, `${label}: "${text.get(id)}" has ${matches.length} correct matches; imported as ${matches.length} pairs with the same prompt`);
      for (const target of matches) pairs.push({ id: '', prompt: L(text.get(id) ?? ''), match: L(text.get(target) ?? '') });
      if (!matches.length && directed) sink.warn(s.line, `${label}: "${text.get(id)}" has no correct match and is left out`);
    }
    for (const t of targets) {
      const id = (t.attrs.identifier ?? '').trim();
      if (!usedTargets.has(id) && !matchesOf.has(id)) pairs.push({ id: '', prompt: null, match: L(text.get(id) ?? '') });
    }
    return { ...content, type: 'matching', pairs };
  }

  function gaps(entries: XmlElement[]): QuestionContent | null {
    const declsFor = entries.map((e) => declFor(e));
    if (declsFor.some((d) => d === null)) return null;
    const numericTypes = new Set(['float', 'integer']);
    const numeric = declsFor.map((d) => numericTypes.has(d!.baseType));
    if (numeric.some(Boolean) && !numeric.every(Boolean)) {
      sink.warn(entries[0].line, `skipped ${label}: text and number gaps in one item are not supported`);
      return null;
    }
    // A lone text entry in the last paragraph is the answer box, not a blank inside the text.
    if (entries.length === 1) {
      const own = content.stem[language];
      if (own !== undefined && /(^|\n)_____$/.test(own)) content.stem = L(own.replace(/\n*_____$/, ''));
    }
    if (numeric[0]) {
      const list = declsFor.map((d) => ({ answers: numericAnswers(d!) }));
      if (list.some((g) => g.answers === null)) return null;
      return { ...content, type: 'numeric', gaps: list.map((g) => ({ answers: g.answers! })) };
    }
    const list = declsFor.map((d) => textAnswers(d!));
    if (list.some((g) => g === null)) return null;
    return { ...content, type: 'short_answer', gaps: list.map((g) => g!) };
  }

  function textAnswers(decl: ResponseDecl): { answers: TextAnswer[]; caseSensitive: boolean } | null {
    const answers = new Map<string, number>();
    let caseSensitive = true;
    for (const v of decl.correct) if (v) answers.set(v, 1);
    if (decl.mapping) {
      const m = decl.mapping;
      const positives = m.entries.map((e) => e.value).filter((v) => v > 0);
      const best = Math.max(0, ...positives);
      const max = m.upper !== undefined && m.upper > 0 ? Math.min(m.upper, best) : best;
      for (const e of m.entries) {
        if (!e.key || e.value <= 0) continue;
        answers.set(e.key, Math.min(1, max > 0 ? e.value / max : 0));
        if (!e.caseSensitive) caseSensitive = false;
      }
    }
    for (const c of readComparisons(processing, decl.identifier, maxScore)) {
      if (!c.caseSensitive) caseSensitive = false;
      if (c.value !== null && c.value !== '' && !answers.has(c.value)) answers.set(c.value, c.score ?? 1);
    }
    if (!answers.size) return fail(decl.line, `the text entry "${decl.identifier}" has no correct response`);
    return { answers: [...answers].map(([text, fraction]) => ({ text: L(text), fraction })), caseSensitive };
  }

  function numericAnswers(decl: ResponseDecl): NumericAnswer[] | null {
    const out: NumericAnswer[] = [];
    const comparisons = readComparisons(processing, decl.identifier, maxScore);
    /** adds an answer; `always` keeps one whose value is already there (another tolerance or credit) */
    const add = (raw: string, fraction: number, tolerance: (v: number) => number, always: boolean): boolean => {
      if (!NUMBER.test(raw)) {
        fail(decl.line, `"${raw}" is not a number (response "${decl.identifier}" is ${decl.baseType})`);
        return false;
      }
      const value = Number(raw);
      const answer = { value, tolerance: tolerance(value), fraction };
      const same = out.filter((a) => a.value === value);
      if (same.length === 0 || (always && !same.some((a) => a.tolerance === answer.tolerance && a.fraction === answer.fraction))) out.push(answer);
      return true;
    };
    for (const c of comparisons) {
      const values = c.value === null ? decl.correct : [c.value];
      for (const v of values) if (!add(v, Math.max(0, Math.min(1, c.score ?? 1)), c.tolerance, true)) return null;
    }
    for (const v of decl.correct) if (!add(v, 1, () => 0, false)) return null;
    if (decl.mapping) {
      const positives = decl.mapping.entries.map((e) => e.value).filter((v) => v > 0);
      const best = Math.max(0, ...positives);
      const max = decl.mapping.upper && decl.mapping.upper > 0 ? Math.min(decl.mapping.upper, best) : best;
      for (const e of decl.mapping.entries) if (e.value > 0 && !add(e.key, Math.min(1, e.value / max), () => 0, false)) return null;
    }
    if (!out.length) return fail(decl.line, `the numeric entry "${decl.identifier}" has no correct response`);
    return out;
  }

  if (sink.errors.length > errorsBefore || !built) return result;
  const normalized = normalizeContent(built);
  let failed = false;
  for (const problem of checkQuestionContent(normalized)) {
    if (problem.severity === 'error') {
      failed = true;
      sink.error(root.line, `${label}: ${problem.message}`);
    } else sink.warn(root.line, `${label}: ${problem.message}`);
  }
  if (failed) return result;
  const parsed: ParsedQuestion = { line: root.line, content: normalized };
  if (result.identifier) parsed.id = detach(result.identifier);
  if (options.entry) parsed.entry = options.entry;
  result.question = parsed;
  return result;
}

/** A single QTI item file. */
export function parseQtiItem(source: string, options: ParseOptions = {}): ParseResult {
  const sink = new IssueSink();
  const item = readQtiItem(source, sink, options);
  return {
    format: item.version,
    language: item.language ?? options.language ?? DEFAULT_LANGUAGE,
    questions: item.question ? [item.question] : [],
    errors: sink.errors,
    warnings: sink.warnings,
  };
}
