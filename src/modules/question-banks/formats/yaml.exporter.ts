/** Native YAML export: everything the model holds, in the layout of question-banks/README.md. */
import { Document } from 'yaml';
import { DEFAULT_LANGUAGE, type LocalizedText, type NumericGap, type TextGap } from '../domain/question';
import { normalizeContent } from '../domain/canonical';
import { ExportWarnings, type ExportBankInput, type ExportResult } from './export-types';

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain | undefined };

const EPS = 1e-6;

export function exportYaml(bank: ExportBankInput): ExportResult {
  const language = bank.language ?? DEFAULT_LANGUAGE;
  const warnings = new ExportWarnings();
  const text = (t: LocalizedText | null | undefined): Plain | undefined => {
    if (!t) return undefined;
    const keys = Object.keys(t);
    if (keys.length === 1 && keys[0] === language) return t[language];
    const out: Record<string, string> = {};
    for (const k of keys) out[k] = t[k];
    return out;
  };

  const questions = bank.questions.map((q) => {
    const c = normalizeContent(q.content);
    const out: Record<string, Plain | undefined> = { id: q.id, type: c.type };
    if (c.title) out.title = text(c.title);
    if (c.difficulty !== undefined) out.difficulty = c.difficulty;
    else if (c.type !== 'description') warnings.add(`question ${q.id} has no difficulty (the curriculum banks give every question one, 1–5)`);
    if (c.tags.length) out.tags = c.tags;
    else warnings.add(`question ${q.id} has no tags (the first tag names the curriculum area)`);
    if (c.category) out.category = c.category;
    if (q.status === 'retired') out.status = 'retired';
    out.stem = text(c.stem);
    if (c.options) {
      const correct = c.options.filter((o) => o.fraction > EPS);
      const equalShare = correct.every((o) => Math.abs(o.fraction - 1 / correct.length) < EPS);
      out.options = c.options.map((o) => {
        const opt: Record<string, Plain | undefined> = { text: text(o.text) };
        if (c.type === 'single_choice') {
          if (Math.abs(o.fraction - 1) < EPS) opt.correct = true;
          else if (o.fraction !== 0) opt.fraction = o.fraction;
        } else if (c.type === 'multiple_choice') {
          if (o.fraction > EPS) opt.correct = true;
          if (o.fraction !== 0 && !(o.fraction > EPS && equalShare)) opt.fraction = o.fraction;
        }
        if (o.feedback) opt.feedback = text(o.feedback);
        return opt;
      });
    }
    if (c.type === 'multiple_choice') out.scoring = c.scoring ?? 'all_or_nothing';
    if (c.type === 'true_false') {
      out.answer = c.answer === true;
      if (c.trueFeedback) out.trueFeedback = text(c.trueFeedback);
      if (c.falseFeedback) out.falseFeedback = text(c.falseFeedback);
    }
    if (c.type === 'short_answer') {
      out.gaps = ((c.gaps ?? []) as TextGap[]).map((g) => {
        const gap: Record<string, Plain | undefined> = {};
        if (g.caseSensitive) gap.caseSensitive = true;
        gap.answers = g.answers.map((a) => {
          const ans: Record<string, Plain | undefined> = { text: text(a.text) };
          if (a.fraction !== 1) ans.fraction = a.fraction;
          if (a.feedback) ans.feedback = text(a.feedback);
          return ans;
        });
        return gap;
      });
    }
    if (c.type === 'numeric') {
      out.gaps = ((c.gaps ?? []) as NumericGap[]).map((g) => ({
        answers: g.answers.map((a) => {
          const ans: Record<string, Plain | undefined> = { value: a.value };
          if (a.tolerance) ans.tolerance = a.tolerance;
          if (a.fraction !== 1) ans.fraction = a.fraction;
          if (a.feedback) ans.feedback = text(a.feedback);
          return ans;
        }),
      }));
    }
    if (c.pairs) {
      out.pairs = c.pairs.map((p) => {
        const pair: Record<string, Plain | undefined> = {};
        if (p.prompt) pair.prompt = text(p.prompt);
        pair.match = text(p.match);
        return pair;
      });
    }
    if (c.rubric) out.rubric = text(c.rubric);
    if (c.explanation) out.explanation = text(c.explanation);
    return out;
  });

  const root: Record<string, Plain | undefined> = { bank: bank.bank, title: text(bank.title) ?? bank.bank };
  if (bank.description) root.description = text(bank.description);
  if (language !== DEFAULT_LANGUAGE) root.language = language;
  root.questions = questions;
  const doc = new Document(root);
  const body = doc.toString({ lineWidth: 0, indentSeq: true });
  const content = `# yaml-language-server: $schema=./schema/bank.schema.json\n${body}`;
  return { fileName: `${bank.bank}.yaml`, content: Buffer.from(content, 'utf8'), warnings: warnings.list };
}
