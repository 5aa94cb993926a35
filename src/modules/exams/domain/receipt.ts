import { createHash } from 'node:crypto';

/** Canonical JSON: keys sorted at every level, no white space. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/**
 * The SHA-256 a candidate keeps on their receipt: over the attempt id and every item's final
 * response (null when unanswered), in item order. Anyone holding the responses can recompute it.
 */
export function answerSetHash(attemptId: string, items: { itemId: string; response: unknown }[]): string {
  const payload = canonical({ attemptId, answers: items.map((i) => ({ itemId: i.itemId, response: i.response ?? null })) });
  return createHash('sha256').update(payload).digest('hex');
}
