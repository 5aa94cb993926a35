/**
 * Integrity signals from the exam page and the server, and the rule that flags an attempt.
 * Thresholds are per exam; any threshold reached flags the attempt for review.
 */
export const SIGNAL_TYPES = [
  'focus_lost',
  'visibility_hidden',
  'fullscreen_exit',
  'copy',
  'paste',
  'context_menu',
  'heartbeat_gap',
  'ip_changed',
  'second_session',
  'offline',
  'online',
] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

export type IntegrityThresholds = Partial<Record<SignalType, number>>;

/** Defaults: a few focus losses are human; many, or any second session, are worth a look. */
export const DEFAULT_INTEGRITY_THRESHOLDS: IntegrityThresholds = {
  focus_lost: 5,
  visibility_hidden: 5,
  fullscreen_exit: 3,
  copy: 3,
  paste: 3,
  context_menu: 5,
  heartbeat_gap: 3,
  ip_changed: 1,
  second_session: 1,
};

export function flagsFor(counts: Partial<Record<SignalType, number>>, thresholds: IntegrityThresholds): SignalType[] {
  return (Object.keys(thresholds) as SignalType[]).filter((type) => {
    const limit = thresholds[type];
    return limit !== undefined && limit > 0 && (counts[type] ?? 0) >= limit;
  });
}
