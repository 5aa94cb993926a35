/**
 * When a delivery happened: the shared back-fill window (infra/time/china-time.ts) under the
 * delivery's own error codes.
 */
import { backfillProblem, parseChinaDateTime } from '../../../infra/time/china-time';

export { backfillEarliest, BACKFILL_MONTHS, chinaDay, FUTURE_TOLERANCE_MS } from '../../../infra/time/china-time';

export type DeliveredAtProblem = { code: 'DELIVERED_TOO_OLD'; earliest: string } | { code: 'DELIVERED_IN_FUTURE'; today: string };

/** Null when a delivery dated `deliveredAt` may be recorded at `now`. */
export function deliveredAtProblem(deliveredAt: Date, now: Date): DeliveredAtProblem | null {
  const problem = backfillProblem(deliveredAt, now);
  if (!problem) return null;
  return problem.kind === 'too_old' ? { code: 'DELIVERED_TOO_OLD', earliest: problem.earliest } : { code: 'DELIVERED_IN_FUTURE', today: problem.today };
}

/** A delivery date as typed (see parseChinaDateTime). */
export const parseDeliveredAt = parseChinaDateTime;
