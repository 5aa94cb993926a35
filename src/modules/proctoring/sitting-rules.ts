/** Pure rules of sittings: access codes, the phase of a start window, staggered starts. */
import { randomInt } from 'node:crypto';
import type { SittingPhase } from './proctoring.types';

// No 0/O, 1/I/L, 5/S, 8/B: a code read aloud or copied from a whiteboard is typed right first time.
const ALPHABET = 'ACDEFGHJKMNPQRTUVWXY234679';

/** A readable access code, e.g. `K7QM-4XPD` (26^8 ≈ 2.1e11 possibilities). */
export function generateAccessCode(random: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += ALPHABET[random(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Case, spaces and hyphens do not matter when a candidate types a code. */
export function normaliseAccessCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function sameAccessCode(given: string, expected: string): boolean {
  const a = normaliseAccessCode(given);
  const b = normaliseAccessCode(expected);
  return a.length > 0 && a === b;
}

export function phaseOf(window: { opensAt: Date; closesAt: Date }, now = Date.now()): SittingPhase {
  if (now < window.opensAt.getTime()) return 'upcoming';
  if (now < window.closesAt.getTime()) return 'open';
  return 'closed';
}

/**
 * When an admitted candidate may start: with a stagger, a random moment in the first
 * `staggerSeconds` after the opening, so a full room does not draw its questions in one second.
 */
export function staggeredStart(opensAt: Date, staggerSeconds: number, random: (max: number) => number = randomInt): Date | null {
  if (staggerSeconds <= 0) return null;
  return new Date(opensAt.getTime() + random(staggerSeconds + 1) * 1000);
}
