/**
 * The progress and completion rules of a course, as pure functions (no Nest, no database), so
 * they are unit-tested on their own and the service only feeds them rows.
 *
 * - A course is COMPLETE when every lesson that is not archived is completed AND every module
 *   (not archived) that has a knowledge check has a submitted attempt scoring at least
 *   KNOWLEDGE_CHECK_PASS_PERCENT. Completion is recorded once, with its date, and never
 *   withdrawn (a lesson added later shows as new; the completion stays).
 * - PERCENT counts lessons only (knowledge checks are practice): completed ÷ total, rounded
 *   down, so 100 % means every lesson is done.
 * - TIME SPENT is measured on the server: each heartbeat (and the completion itself) credits the
 *   time since the previous one, but only if that gap is at most MAX_HEARTBEAT_GAP_SECONDS (a
 *   longer gap means the reader was away); a lesson never counts more than
 *   LESSON_TIME_CAP_FACTOR × its estimated minutes. A reader without JavaScript sends no
 *   heartbeat: when a lesson is completed with nothing counted yet, the time from its start to
 *   its completion is credited, capped at the estimated minutes.
 */

export const KNOWLEDGE_CHECK_PASS_PERCENT = 80;
export const HEARTBEAT_SECONDS = 30;
export const MAX_HEARTBEAT_GAP_SECONDS = 90;
export const LESSON_TIME_CAP_FACTOR = 3;

export function percentOf(completed: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.floor((Math.min(completed, total) * 100) / total));
}

export function lessonTimeCapSeconds(estimatedMinutes: number): number {
  return Math.max(1, estimatedMinutes) * 60 * LESSON_TIME_CAP_FACTOR;
}

/** Seconds to add for a heartbeat arriving at `now` after the previous one at `lastSeenAt`. */
export function heartbeatCredit(
  lastSeenAt: Date,
  now: Date,
  alreadySpent: number,
  estimatedMinutes: number,
): number {
  const gap = Math.floor((now.getTime() - lastSeenAt.getTime()) / 1000);
  if (gap <= 0 || gap > MAX_HEARTBEAT_GAP_SECONDS) return 0;
  return Math.max(0, Math.min(gap, lessonTimeCapSeconds(estimatedMinutes) - alreadySpent));
}

/** Seconds to add when a lesson is completed (see the header: a final heartbeat, or the no-JS fallback). */
export function completionCredit(
  progress: { startedAt: Date; lastSeenAt: Date; secondsSpent: number },
  now: Date,
  estimatedMinutes: number,
): number {
  if (progress.secondsSpent > 0)
    return heartbeatCredit(progress.lastSeenAt, now, progress.secondsSpent, estimatedMinutes);
  const elapsed = Math.floor((now.getTime() - progress.startedAt.getTime()) / 1000);
  return Math.max(0, Math.min(elapsed, Math.max(1, estimatedMinutes) * 60));
}

export interface CompletionInput {
  /** lessons of the course that are not archived (in modules that are not archived) */
  lessons: { completed: boolean }[];
  /** modules (not archived) that have a knowledge check */
  checks: { passed: boolean }[];
}

export function isCourseComplete(input: CompletionInput): boolean {
  return (
    input.lessons.length > 0 && input.lessons.every((l) => l.completed) && input.checks.every((c) => c.passed)
  );
}

export type AnswerStatus = 'graded' | 'needs_human' | 'not_scored' | 'unanswered';

/**
 * A knowledge check's score: the credit of the questions that can be scored automatically,
 * over their number (essays are not scored and not counted; an unanswered question scores 0).
 */
export function knowledgeCheckScore(answers: { status: AnswerStatus; credit: number | null }[]): {
  scored: number;
  percent: number;
  passed: boolean;
} {
  const scored = answers.filter((a) => a.status === 'graded' || a.status === 'unanswered');
  if (scored.length === 0) return { scored: 0, percent: 0, passed: false };
  const credit = scored.reduce((sum, a) => sum + Math.max(0, Math.min(1, a.credit ?? 0)), 0);
  // Rounded down with a little slack for binary fractions (0.8 × 5 must give 80, not 79).
  const percent = Math.min(100, Math.floor((credit * 100) / scored.length + 1e-6));
  return { scored: scored.length, percent, passed: percent >= KNOWLEDGE_CHECK_PASS_PERCENT };
}

/**
 * Where "continue" takes a learner: the last lesson they opened if it is not finished, else the
 * first unfinished lesson after it (then from the start), else the last lesson they opened.
 */
export function resumeLessonId(
  ordered: { id: string; completed: boolean }[],
  lastLessonId: string | null,
): string | null {
  if (ordered.length === 0) return null;
  const lastIndex = lastLessonId ? ordered.findIndex((l) => l.id === lastLessonId) : -1;
  if (lastIndex >= 0 && !ordered[lastIndex].completed) return ordered[lastIndex].id;
  const after = ordered.slice(lastIndex + 1).find((l) => !l.completed) ?? ordered.find((l) => !l.completed);
  if (after) return after.id;
  return lastIndex >= 0 ? ordered[lastIndex].id : ordered[0].id;
}

export function neighbours<T extends { id: string }>(
  ordered: T[],
  id: string,
): { previous: T | null; next: T | null } {
  const index = ordered.findIndex((l) => l.id === id);
  if (index < 0) return { previous: null, next: null };
  return {
    previous: index > 0 ? ordered[index - 1] : null,
    next: index < ordered.length - 1 ? ordered[index + 1] : null,
  };
}

export function isOverdue(dueAt: Date | null, completedAt: Date | null, now: Date): boolean {
  return dueAt !== null && completedAt === null && dueAt.getTime() < now.getTime();
}
