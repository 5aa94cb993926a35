/**
 * The attempt lifecycle: one explicit table of allowed transitions. Every change of state goes
 * through `assertTransition`, and the service records each one (actor, time, reason).
 *
 *   registered → admitted → in_progress ⇄ paused → submitted | auto_submitted → graded
 *   → under_review → passed | failed | invalidated
 */
export const ATTEMPT_STATES = [
  'registered',
  'admitted',
  'in_progress',
  'paused',
  'submitted',
  'auto_submitted',
  'graded',
  'under_review',
  'passed',
  'failed',
  'invalidated',
  'withdrawn',
] as const;
export type AttemptState = (typeof ATTEMPT_STATES)[number];

export type TransitionName =
  | 'admit'
  | 'withdraw'
  | 'start'
  | 'pause'
  | 'resume'
  | 'submit'
  | 'autoSubmit'
  | 'terminate'
  | 'grade'
  | 'hold'
  | 'pass'
  | 'fail'
  | 'invalidate'
  | 'reopen';

/** transition → [from states, to state] */
export const TRANSITIONS: Record<TransitionName, { from: readonly AttemptState[]; to: AttemptState }> = {
  admit: { from: ['registered'], to: 'admitted' },
  withdraw: { from: ['registered', 'admitted'], to: 'withdrawn' },
  start: { from: ['admitted'], to: 'in_progress' },
  pause: { from: ['in_progress'], to: 'paused' },
  resume: { from: ['paused'], to: 'in_progress' },
  submit: { from: ['in_progress'], to: 'submitted' },
  // The deadline submits a paused attempt too (e.g. the sitting closes while paused).
  autoSubmit: { from: ['in_progress', 'paused'], to: 'auto_submitted' },
  // A proctor ends an attempt: it is submitted as it stands and goes to review.
  terminate: { from: ['in_progress', 'paused'], to: 'submitted' },
  grade: { from: ['submitted', 'auto_submitted'], to: 'graded' },
  // A flagged attempt's result is held for review.
  hold: { from: ['graded', 'passed', 'failed'], to: 'under_review' },
  pass: { from: ['graded', 'under_review'], to: 'passed' },
  fail: { from: ['graded', 'under_review'], to: 'failed' },
  invalidate: { from: ['under_review', 'passed', 'failed'], to: 'invalidated' },
  // An upheld appeal sends an invalidated attempt back to review.
  reopen: { from: ['invalidated'], to: 'under_review' },
};

export const ACTIVE_STATES: readonly AttemptState[] = ['in_progress', 'paused'];
export const FINISHED_STATES: readonly AttemptState[] = ['submitted', 'auto_submitted', 'graded', 'under_review', 'passed', 'failed', 'invalidated'];

export class TransitionRefused extends Error {
  constructor(
    readonly transition: TransitionName,
    readonly from: AttemptState,
  ) {
    super(`cannot ${transition} an attempt that is ${from}`);
  }
}

export function canTransition(transition: TransitionName, from: AttemptState): boolean {
  return TRANSITIONS[transition].from.includes(from);
}

/** The state after the transition, or an error naming what was refused. */
export function assertTransition(transition: TransitionName, from: AttemptState): AttemptState {
  if (!canTransition(transition, from)) throw new TransitionRefused(transition, from);
  return TRANSITIONS[transition].to;
}

/**
 * Several transitions applied in one go (the deadline job closes, grades and decides in one
 * transaction): each step is checked against the table from the state the previous one left.
 */
export function planTransitions(from: AttemptState, names: readonly TransitionName[]): { to: AttemptState; steps: { name: TransitionName; from: AttemptState; to: AttemptState }[] } {
  const steps: { name: TransitionName; from: AttemptState; to: AttemptState }[] = [];
  let state = from;
  for (const name of names) {
    const to = assertTransition(name, state);
    steps.push({ name, from: state, to });
    state = to;
  }
  return { to: state, steps };
}
