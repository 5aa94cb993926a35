/**
 * Test support (not a spec): the right (or a wrong) response to a question version, read from
 * its stored content (the key), so integration, HTTP and browser tests can pass a knowledge
 * check. A candidate sees other ids than the key uses, so responses are translated to the ids of
 * the candidate's view by matching the texts shown.
 */
import type { CandidateQuestion } from '../../../../src/modules/question-banks/candidate-view';
import type { QuestionContent } from '../../../../src/modules/question-banks/domain/question';

const textOf = (t: Record<string, string> | null | undefined, locale: string) =>
  t ? (t[locale] ?? t['zh-CN'] ?? Object.values(t)[0] ?? '') : '';

/** Rewrites the content ids of a response into the ids of the candidate's view. */
export function inViewIds(
  content: QuestionContent,
  view: CandidateQuestion,
  response: Record<string, unknown>,
  locale: string,
): Record<string, unknown> {
  const option = (id: unknown) =>
    view.options.find((o) => o.text === textOf(content.options?.find((c) => c.id === id)?.text, locale))
      ?.id ?? String(id);
  const prompt = (id: string) =>
    view.prompts.find((p) => p.text === textOf(content.pairs?.find((c) => c.id === id)?.prompt, locale))
      ?.id ?? id;
  const match = (id: unknown) =>
    view.matches.find((m) => m.text === textOf(content.pairs?.find((c) => c.id === id)?.match, locale))?.id ??
    String(id);
  const r = { ...response };
  if ('optionId' in r) r.optionId = option(r.optionId);
  if (Array.isArray(r.optionIds)) r.optionIds = r.optionIds.map(option);
  if (Array.isArray(r.order)) r.order = r.order.map(option);
  if (r.pairs && typeof r.pairs === 'object')
    r.pairs = Object.fromEntries(
      Object.entries(r.pairs as Record<string, unknown>).map(([k, v]) => [prompt(k), match(v)]),
    );
  return r;
}

export function correctFor(
  content: QuestionContent,
  view: CandidateQuestion,
  locale: string,
): Record<string, unknown> {
  return inViewIds(content, view, correctResponse(content), locale);
}

export function wrongFor(
  content: QuestionContent,
  view: CandidateQuestion,
  locale: string,
): Record<string, unknown> {
  return inViewIds(content, view, wrongResponse(content), locale);
}

/** The right response in the ids of the key. */
export function correctResponse(content: QuestionContent): Record<string, unknown> {
  switch (content.type) {
    case 'single_choice':
      return { optionId: [...(content.options ?? [])].sort((a, b) => b.fraction - a.fraction)[0].id };
    case 'multiple_choice':
      return { optionIds: (content.options ?? []).filter((o) => o.fraction > 0).map((o) => o.id) };
    case 'true_false':
      return { value: content.answer === true };
    case 'short_answer':
      return {
        gaps: (content.gaps ?? []).map((gap) => {
          const best = [
            ...(gap as { answers: { text: Record<string, string>; fraction: number }[] }).answers,
          ].sort((a, b) => b.fraction - a.fraction)[0];
          const text = best.text['zh-CN'] ?? Object.values(best.text)[0];
          return text.replace(/\\\*/g, '*').replace(/(?<!\\)\*/g, 'x');
        }),
      };
    case 'numeric':
      return {
        gaps: (content.gaps ?? []).map(
          (gap) =>
            [...(gap as { answers: { value: number; fraction: number }[] }).answers].sort(
              (a, b) => b.fraction - a.fraction,
            )[0].value,
        ),
      };
    case 'matching':
      return {
        pairs: Object.fromEntries((content.pairs ?? []).filter((p) => p.prompt).map((p) => [p.id, p.id])),
      };
    case 'ordering':
      return { order: (content.options ?? []).map((o) => o.id) };
    case 'essay':
      return { text: 'an answer' };
    case 'description':
      return {};
  }
}

/** A wrong response of the right shape (for "fails the check" cases). */
export function wrongResponse(content: QuestionContent): Record<string, unknown> {
  switch (content.type) {
    case 'single_choice':
      return { optionId: [...(content.options ?? [])].sort((a, b) => a.fraction - b.fraction)[0].id };
    case 'multiple_choice':
      return {
        optionIds: (content.options ?? [])
          .filter((o) => o.fraction <= 0)
          .map((o) => o.id)
          .slice(0, 1),
      };
    case 'true_false':
      return { value: content.answer !== true };
    case 'short_answer':
    case 'numeric':
      return { gaps: (content.gaps ?? []).map(() => '-999999') };
    case 'matching': {
      const prompts = (content.pairs ?? []).filter((p) => p.prompt);
      return {
        pairs: Object.fromEntries(prompts.map((p, i) => [p.id, prompts[(i + 1) % prompts.length].id])),
      };
    }
    case 'ordering':
      return { order: [...(content.options ?? [])].reverse().map((o) => o.id) };
    case 'essay':
      return { text: 'an answer' };
    case 'description':
      return {};
  }
}
