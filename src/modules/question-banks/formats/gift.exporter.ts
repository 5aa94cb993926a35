/**
 * GIFT export (Moodle's dialect), one language. Kept: title, stem (a single `_____` becomes the
 * answer block's place), options with weights and feedback, true/false feedback, short-answer and
 * numeric answers with weights, tolerances and feedback, matching pairs and distractors, general
 * feedback (`####`), tags and id (`// [tag:]` `// [id:]`), category (`$CATEGORY:`). Not kept
 * (reported as warnings): ordering questions and questions with several gaps (skipped),
 * difficulty, rubric, short-answer case sensitivity, all-or-nothing scoring of multiple choice
 * (Moodle scores multiple response by summing weights), a description's explanation.
 */
import { BLANK, DEFAULT_LANGUAGE, countBlanks, pickText, type LocalizedText, type NumericGap, type QuestionContent, type TextGap } from '../domain/question';
import { normalizeContent } from '../domain/canonical';
import { ExportWarnings, type ExportBankInput, type ExportOptions, type ExportResult } from './export-types';

/** Escapes GIFT control characters; newlines become `\n`. */
export function escapeGift(text: string): string {
  return text.replace(/[\\~=#{}:]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

/** Text that the default (Moodle auto-format) reading would alter is written as [plain]. */
function needsPlain(text: string): boolean {
  return /<[A-Za-z/!?]|&[#A-Za-z0-9]+;| {2,}|\t|\u00a0|^ | $|\n\n\n/m.test(text);
}

/** A text that itself starts like a format tag needs an explicit one in front. */
const FORMAT_TAG = /^\[(moodle|html|plain|markdown)\]/;

function weight(fraction: number): string {
  const w = Math.round(fraction * 100 * 100000) / 100000;
  return `%${w}%`;
}

function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1e12) / 1e12);
}

export function exportGift(bank: ExportBankInput, options: ExportOptions = {}): ExportResult {
  const language = options.language ?? bank.language ?? DEFAULT_LANGUAGE;
  const warnings = new ExportWarnings();
  const blocks: string[] = [`// ${bank.bank}${bank.title ? ` — ${pickText(bank.title, language).replace(/\n/g, ' ')}` : ''}`, `// exported by Planner Academy (GIFT, ${language})`];
  let category: string | null = null;

  for (const q of bank.questions) {
    const c = normalizeContent(q.content);
    if (c.languages.some((l) => l !== language)) warnings.add(`GIFT holds one language: only the ${language} texts were exported`);
    const block = question(q.id, q.status, c);
    if (block === null) continue;
    if ((c.category ?? null) !== category) {
      // an empty $CATEGORY ends the previous category (GIFT categories apply to what follows)
      blocks.push(`$CATEGORY: ${c.category ?? ''}`.trimEnd());
      category = c.category ?? null;
    }
    blocks.push(block);
  }
  return { fileName: `${bank.bank}.gift`, content: Buffer.from(blocks.join('\n\n') + '\n', 'utf8'), warnings: warnings.list };

  function question(id: string, status: string | undefined, c: QuestionContent): string | null {
    const t = (x: LocalizedText | null | undefined): string => pickText(x, language);
    /** a text field: [plain] when needed (and different from the question's format) */
    const field = (x: LocalizedText | null | undefined, contextPlain: boolean): string => {
      const s = t(x);
      let prefix = '';
      if (!contextPlain && needsPlain(s)) prefix = '[plain]';
      else if (FORMAT_TAG.test(s)) prefix = contextPlain ? '[plain]' : '[moodle]';
      return prefix + escapeGift(s);
    };
    if (c.type === 'ordering') {
      warnings.add(`ordering questions cannot be written in GIFT: skipped ${id}`);
      return null;
    }
    if ((c.type === 'short_answer' || c.type === 'numeric') && (c.gaps?.length ?? 0) > 1) {
      warnings.add(`GIFT holds one blank per question: skipped ${id} (${c.gaps?.length} gaps)`);
      return null;
    }
    if (c.difficulty !== undefined) warnings.add('GIFT has no difficulty: difficulties were not exported');
    if (c.rubric) warnings.add('GIFT has no grading rubric: essay rubrics were not exported');
    if (status === 'retired') warnings.add('GIFT has no status: retired questions were exported like active ones');

    const lines: string[] = [];
    lines.push(`// [id:${id.replace(/\]/g, '\\]')}]`);
    if (c.tags.length) lines.push(c.tags.map((tag) => `[tag:${tag.replace(/\]/g, '\\]')}]`).join(' ').replace(/^/, '// '));
    const stemText = t(c.stem);
    const stemPlain = needsPlain(stemText);
    const title = c.title ? `::${escapeGift(t(c.title))}::` : '';
    const stemPrefix = stemPlain ? '[plain]' : FORMAT_TAG.test(stemText) || /^(\/\/|\$CATEGORY|::)/.test(stemText) ? '[moodle]' : '';
    const feedback = (x: LocalizedText | undefined, plain: boolean): string => (x && t(x) ? `#${field(x, plain)}` : '');
    const general = c.explanation ? `\t####${field(c.explanation, stemPlain)}\n` : '';

    let answers: string;
    switch (c.type) {
      case 'description':
        if (c.explanation) warnings.add('a GIFT description cannot carry general feedback: it was not exported');
        lines.push(`${title}${stemPrefix}${escapeGift(stemText)}`);
        return lines.join('\n');
      case 'essay':
        answers = c.explanation ? `####${field(c.explanation, stemPlain)}` : '';
        break;
      case 'single_choice':
      case 'multiple_choice': {
        if (c.type === 'multiple_choice' && c.scoring !== 'partial') {
          warnings.add('GIFT multiple response is scored by summing weights (partial): all-or-nothing scoring was not kept');
        }
        const opts = (c.options ?? []).map((o) => {
          const marker = c.type === 'single_choice' && o.fraction === 1 ? '=' : o.fraction === 0 ? '~' : `~${weight(o.fraction)}`;
          return `\t${marker}${field(o.text, stemPlain)}${feedback(o.feedback, stemPlain)}`;
        });
        answers = `\n${opts.join('\n')}\n${general}`;
        break;
      }
      case 'true_false': {
        const right = c.answer ? c.trueFeedback : c.falseFeedback;
        const wrong = c.answer ? c.falseFeedback : c.trueFeedback;
        let fb = '';
        if (wrong && t(wrong)) fb = `#${field(wrong, stemPlain)}`;
        if (right && t(right)) fb = `${fb || '#'}#${field(right, stemPlain)}`;
        answers = `${c.answer ? 'TRUE' : 'FALSE'}${fb}${c.explanation ? `####${field(c.explanation, stemPlain)}` : ''}`;
        break;
      }
      case 'short_answer': {
        const gap = ((c.gaps ?? []) as TextGap[])[0];
        if (gap?.caseSensitive) warnings.add('GIFT short answers are case-insensitive: case sensitivity was not kept');
        const list = (gap?.answers ?? []).map((a) => `\t=${weight(a.fraction)}${field(a.text, stemPlain)}${feedback(a.feedback, stemPlain)}`);
        answers = `\n${list.join('\n')}\n${general}`;
        break;
      }
      case 'numeric': {
        const gap = ((c.gaps ?? []) as NumericGap[])[0];
        const list = (gap?.answers ?? []).map((a) => `\t=${weight(a.fraction)}${numberText(a.value)}:${numberText(a.tolerance)}${feedback(a.feedback, stemPlain)}`);
        answers = `#\n${list.join('\n')}\n${general}`;
        break;
      }
      case 'matching': {
        const list = (c.pairs ?? []).map((p) => {
          const prompt = p.prompt ? t(p.prompt) : '';
          const match = t(p.match).replace(/\s+/g, ' ');
          if (prompt.includes('->') || match.includes('->')) warnings.add(`a matching text contains "->", which GIFT cannot escape (question ${id})`);
          return `\t=${prompt ? field(p.prompt, stemPlain) : ''} -> ${escapeGift(match)}`;
        });
        answers = `\n${list.join('\n')}\n${general}`;
        break;
      }
    }
    const block = `{${answers}}`;
    const prefix = `${title}${stemPrefix}`;
    const blanks = countBlanks(stemText);
    const at = stemText.indexOf(BLANK);
    const canInline = blanks === 1 && ['short_answer', 'numeric', 'single_choice', 'multiple_choice'].includes(c.type);
    if (canInline && !stemText.trimEnd().endsWith(BLANK)) {
      let end = at + BLANK.length;
      while (stemText[end] === '_') end++;
      lines.push(`${prefix}${escapeGift(stemText.slice(0, at))}${block}${escapeGift(stemText.slice(end))}`);
    } else {
      lines.push(`${prefix}${escapeGift(stemText)}${block}`);
    }
    return lines.join('\n');
  }
}
