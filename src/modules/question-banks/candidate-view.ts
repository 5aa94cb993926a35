/**
 * What a candidate may see of a question: text and choices, never a key, a fraction, feedback
 * or an explanation. Every candidate-facing response (exam, knowledge check, preview) goes
 * through this one function, so there is one place to get it right.
 */
import { createHmac } from 'node:crypto';
import { countBlanks, pickText, QuestionContent, QuestionType } from './domain/question';

export interface CandidateChoice {
  id: string;
  text: string;
}

export interface CandidateQuestion {
  type: QuestionType;
  title: string | null;
  stem: string;
  /** single/multiple choice, ordering (shuffled for ordering) */
  options: CandidateChoice[];
  /** short_answer / numeric: number of blanks */
  gaps: number;
  /** matching: the prompts, and the matches to choose from (shuffled, distractors included) */
  prompts: CandidateChoice[];
  matches: CandidateChoice[];
  /** multiple_choice: how many may be chosen is not revealed; the flag says "choose all that apply" */
  multiple: boolean;
}

/** A small deterministic PRNG (mulberry32) so a shuffle can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

export interface ViewOptions {
  /** shuffle choice options (ordering and matching choices are always shuffled) */
  shuffleOptions?: boolean;
  seed?: number;
  /**
   * Server-held key that turns option, prompt and match ids into opaque ids. Without it a
   * candidate could read the key from the ids themselves (options are authored in order, often
   * right answer first; a matching prompt's id equals its right match's id). Staff previews
   * leave it out.
   */
  idKey?: string;
}

export function opaqueId(idKey: string, seed: number, id: string): string {
  return 'x' + createHmac('sha256', idKey).update(`${seed}:${id}`).digest('base64url').slice(0, 12);
}

/**
 * Opaque id → the question's own id, for one question in one attempt. It costs an HMAC per
 * option, so callers that resolve many responses for the same item (autosave) keep it.
 */
export function opaqueIdMap(content: QuestionContent, options: { seed: number; idKey: string }): ReadonlyMap<string, string> {
  const ids = [...(content.options ?? []).map((o) => o.id), ...(content.pairs ?? []).map((p) => p.id)];
  const back = new Map(ids.map((id) => [opaqueId(options.idKey, options.seed, id), id]));
  for (const p of content.pairs ?? []) back.set(opaqueId(options.idKey, options.seed, `prompt:${p.id}`), p.id);
  return back;
}

/** Translates a response given with opaque ids back to the question's own ids, for grading. */
export function resolveResponse(content: QuestionContent, response: unknown, options: { seed: number; idKey: string; idMap?: ReadonlyMap<string, string> }): unknown {
  if (!response || typeof response !== 'object' || Array.isArray(response)) return response;
  const back = options.idMap ?? opaqueIdMap(content, options);
  const real = (v: unknown) => (typeof v === 'string' ? (back.get(v) ?? `unknown:${v}`) : v);
  const r = { ...(response as Record<string, unknown>) };
  if ('optionId' in r) r.optionId = real(r.optionId);
  if (Array.isArray(r.optionIds)) r.optionIds = r.optionIds.map(real);
  if (Array.isArray(r.order)) r.order = r.order.map(real);
  if (r.pairs && typeof r.pairs === 'object' && !Array.isArray(r.pairs)) {
    r.pairs = Object.fromEntries(Object.entries(r.pairs as Record<string, unknown>).map(([k, v]) => [String(real(k)), real(v)]));
  }
  return r;
}

export function candidateView(content: QuestionContent, locale: string, options: ViewOptions = {}): CandidateQuestion {
  const random = seededRandom(options.seed ?? 1);
  const key = options.idKey;
  const seed = options.seed ?? 1;
  const cid = (id: string) => (key ? opaqueId(key, seed, id) : id);
  const fallbacks = ['zh-CN', 'en'];
  const text = (t: Record<string, string> | null | undefined) => pickText(t, locale, fallbacks);
  const stem = text(content.stem);
  const view: CandidateQuestion = {
    type: content.type,
    title: content.title ? text(content.title) : null,
    stem,
    options: [],
    gaps: 0,
    prompts: [],
    matches: [],
    multiple: content.type === 'multiple_choice',
  };
  switch (content.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const choices = (content.options ?? []).map((o) => ({ id: cid(o.id), text: text(o.text) }));
      view.options = options.shuffleOptions ? shuffled(choices, random) : choices;
      break;
    }
    case 'ordering': {
      const items = (content.options ?? []).map((o) => ({ id: cid(o.id), text: text(o.text) }));
      // Never show the items in the right order (unless there is only one way to show them).
      let order = shuffled(items, random);
      for (let i = 0; i < 5 && items.length > 1 && order.every((o, k) => o.id === items[k].id); i++) order = shuffled(items, random);
      view.options = order;
      break;
    }
    case 'short_answer':
    case 'numeric':
      view.gaps = Math.max(1, countBlanks(stem), content.gaps?.length ?? 0);
      break;
    case 'matching': {
      const pairs = content.pairs ?? [];
      view.prompts = pairs.filter((p) => p.prompt && text(p.prompt) !== '').map((p) => ({ id: key ? opaqueId(key, seed, `prompt:${p.id}`) : p.id, text: text(p.prompt) }));
      view.matches = shuffled(
        pairs.map((p) => ({ id: cid(p.id), text: text(p.match) })),
        random,
      );
      break;
    }
    case 'true_false':
    case 'essay':
    case 'description':
      break;
  }
  return view;
}
