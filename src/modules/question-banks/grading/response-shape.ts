import type { QuestionContent } from '../domain/question';

/** The response each question type expects (what the exam API accepts). */
export type QuestionResponse =
  | { optionId: string } // single_choice
  | { optionIds: string[] } // multiple_choice
  | { value: boolean } // true_false
  | { gaps: string[] } // short_answer
  | { gaps: Array<number | string> } // numeric
  | { pairs: Record<string, string> } // matching: prompt pair id → chosen match (pair id)
  | { order: string[] } // ordering: option ids, first to last
  | { text: string } // essay
  | Record<string, never>; // description

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function gapCount(q: QuestionContent): number {
  return q.gaps?.length ?? 0;
}

/**
 * What is wrong with a response's shape, in one sentence, or null when it fits the question
 * (the exam API answers 400 with this sentence). Wrong answers are not shape errors.
 */
export function validateResponseShape(question: QuestionContent, response: unknown): string | null {
  if (question.type === 'description') return null;
  if (!isObject(response)) return `the response must be a JSON object, ${describeExpected(question)}`;
  switch (question.type) {
    case 'single_choice': {
      const id = response.optionId;
      if (typeof id !== 'string') return `the response must be {"optionId": "<option id>"}, ${describeExpected(question)}`;
      if (!(question.options ?? []).some((o) => o.id === id)) return `"${id}" is not an option of this question (${optionIds(question)})`;
      return null;
    }
    case 'multiple_choice': {
      const ids = response.optionIds;
      if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string')) {
        return `the response must be {"optionIds": ["<option id>", …]}, ${describeExpected(question)}`;
      }
      const unknown = ids.find((i) => !(question.options ?? []).some((o) => o.id === i));
      if (unknown !== undefined) return `"${String(unknown)}" is not an option of this question (${optionIds(question)})`;
      if (new Set(ids).size !== ids.length) return 'an option is chosen more than once in "optionIds"';
      return null;
    }
    case 'true_false':
      return typeof response.value === 'boolean' ? null : 'the response must be {"value": true} or {"value": false}';
    case 'short_answer':
    case 'numeric': {
      const gaps = response.gaps;
      const n = gapCount(question);
      const itemType = question.type === 'numeric' ? 'a number or a string' : 'a string';
      if (!Array.isArray(gaps)) return `the response must be {"gaps": [...]} with ${n} answer${n === 1 ? '' : 's'}, each ${itemType}`;
      if (gaps.length !== n) return `"gaps" must hold ${n} answer${n === 1 ? '' : 's'} (one per blank), not ${gaps.length}`;
      const bad = gaps.findIndex((g) => !(typeof g === 'string' || (question.type === 'numeric' && typeof g === 'number' && Number.isFinite(g))));
      if (bad >= 0) return `answer ${bad + 1} in "gaps" must be ${itemType}`;
      return null;
    }
    case 'matching': {
      const pairs = response.pairs;
      if (!isObject(pairs)) return 'the response must be {"pairs": {"<prompt id>": "<match id>", …}}';
      const all = question.pairs ?? [];
      for (const [prompt, match] of Object.entries(pairs)) {
        if (!all.some((p) => p.id === prompt && p.prompt)) return `"${prompt}" is not a prompt of this question (${all.filter((p) => p.prompt).map((p) => p.id).join(', ')})`;
        if (typeof match !== 'string' || !all.some((p) => p.id === match)) return `"${String(match)}" is not a match of this question (${all.map((p) => p.id).join(', ')})`;
      }
      return null;
    }
    case 'ordering': {
      const order = response.order;
      const ids = (question.options ?? []).map((o) => o.id);
      if (!Array.isArray(order) || !order.every((i) => typeof i === 'string')) return `the response must be {"order": [...]} listing every option id once (${ids.join(', ')})`;
      if (order.length !== ids.length || new Set(order).size !== order.length || !order.every((i) => ids.includes(i))) {
        return `"order" must list every option id exactly once (${ids.join(', ')})`;
      }
      return null;
    }
    case 'essay':
      return typeof response.text === 'string' ? null : 'the response must be {"text": "<the answer>"}';
  }
}

function optionIds(q: QuestionContent): string {
  return (q.options ?? []).map((o) => o.id).join(', ');
}

function describeExpected(q: QuestionContent): string {
  switch (q.type) {
    case 'single_choice':
      return `e.g. {"optionId": "${q.options?.[0]?.id ?? 'o1'}"}`;
    case 'multiple_choice':
      return `e.g. {"optionIds": ["${q.options?.[0]?.id ?? 'o1'}"]}`;
    default:
      return `as the ${q.type} question expects`;
  }
}
