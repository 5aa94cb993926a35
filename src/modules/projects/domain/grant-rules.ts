/**
 * The grant life cycle, in one table. A grant is made active by staff. It ends by withdrawal (the
 * daily job: the holder's certificate lapsed or was revoked) or by staff revocation; both are
 * final for that row. A withdrawn grant — and only a withdrawn one — can be reinstated by staff,
 * which writes a new active grant pointing back at it (a staff revocation was a decision about the
 * person, not about their certificate; undoing it is a new grant).
 */
import type { GrantStatus } from '../projects.types';

export type GrantAction = 'withdraw' | 'revoke' | 'reinstate';

const TRANSITIONS: Record<GrantAction, { from: readonly GrantStatus[]; to: GrantStatus }> = {
  withdraw: { from: ['active'], to: 'withdrawn' },
  revoke: { from: ['active'], to: 'revoked_by_staff' },
  /** `to` is the status of the new grant; the withdrawn row stays as it was. */
  reinstate: { from: ['withdrawn'], to: 'active' },
};

/** The resulting status, or null when `action` is not allowed from `status`. */
export function grantTransition(status: GrantStatus, action: GrantAction): GrantStatus | null {
  const rule = TRANSITIONS[action];
  return rule.from.includes(status) ? rule.to : null;
}
