import {
  completionCredit,
  heartbeatCredit,
  isCourseComplete,
  isOverdue,
  KNOWLEDGE_CHECK_PASS_PERCENT,
  knowledgeCheckScore,
  lessonTimeCapSeconds,
  neighbours,
  percentOf,
  resumeLessonId,
} from '../../../src/modules/courses/progress-rules';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe('course progress rules', () => {
  it('rounds the percentage down so 100 % means every lesson is done', () => {
    expect(percentOf(0, 23)).toBe(0);
    expect(percentOf(3, 23)).toBe(13);
    expect(percentOf(22, 23)).toBe(95);
    expect(percentOf(23, 23)).toBe(100);
    expect(percentOf(2, 3)).toBe(66);
    expect(percentOf(5, 0)).toBe(0);
    expect(percentOf(30, 23)).toBe(100);
  });

  it('completes a course only when every lesson is completed and every knowledge check passed', () => {
    const done = { completed: true };
    const open = { completed: false };
    expect(isCourseComplete({ lessons: [done, done], checks: [{ passed: true }] })).toBe(true);
    expect(isCourseComplete({ lessons: [done, done], checks: [] })).toBe(true);
    expect(isCourseComplete({ lessons: [done, open], checks: [{ passed: true }] })).toBe(false);
    expect(isCourseComplete({ lessons: [done, done], checks: [{ passed: true }, { passed: false }] })).toBe(
      false,
    );
    expect(isCourseComplete({ lessons: [], checks: [] })).toBe(false);
  });

  it('passes a knowledge check at 80 % of the scorable questions, essays left out, unanswered scoring 0', () => {
    expect(KNOWLEDGE_CHECK_PASS_PERCENT).toBe(80);
    const right = { status: 'graded' as const, credit: 1 };
    const wrong = { status: 'graded' as const, credit: 0 };
    expect(knowledgeCheckScore([right, right, right, right, wrong])).toEqual({
      scored: 5,
      percent: 80,
      passed: true,
    });
    expect(knowledgeCheckScore([right, right, right, wrong, wrong])).toEqual({
      scored: 5,
      percent: 60,
      passed: false,
    });
    expect(
      knowledgeCheckScore([right, right, right, right, { status: 'unanswered', credit: 0 }]),
    ).toMatchObject({ percent: 80, passed: true });
    expect(
      knowledgeCheckScore([right, right, right, { status: 'unanswered', credit: null }, wrong]),
    ).toMatchObject({ percent: 60, passed: false });
    // The essay is not scored and not counted: 4 of 4 scorable questions right.
    expect(
      knowledgeCheckScore([right, right, right, right, { status: 'needs_human', credit: null }]),
    ).toEqual({ scored: 4, percent: 100, passed: true });
    // Partial credit counts: 0.8 × 5 with binary fractions still reaches 80.
    expect(
      knowledgeCheckScore(Array.from({ length: 5 }, () => ({ status: 'graded' as const, credit: 0.8 }))),
    ).toMatchObject({ percent: 80, passed: true });
    expect(knowledgeCheckScore([{ status: 'graded', credit: 0.79 }])).toMatchObject({
      percent: 79,
      passed: false,
    });
    expect(knowledgeCheckScore([{ status: 'not_scored', credit: null }])).toEqual({
      scored: 0,
      percent: 0,
      passed: false,
    });
  });

  it('counts heartbeat gaps up to 90 seconds and nothing for a longer absence', () => {
    expect(heartbeatCredit(at(0), at(30), 0, 10)).toBe(30);
    expect(heartbeatCredit(at(0), at(90), 0, 10)).toBe(90);
    expect(heartbeatCredit(at(0), at(91), 0, 10)).toBe(0);
    expect(heartbeatCredit(at(30), at(30), 0, 10)).toBe(0);
    expect(heartbeatCredit(at(40), at(30), 0, 10)).toBe(0);
  });

  it('caps the time of a lesson at three times its estimated minutes', () => {
    expect(lessonTimeCapSeconds(10)).toBe(1800);
    expect(heartbeatCredit(at(0), at(30), 1790, 10)).toBe(10);
    expect(heartbeatCredit(at(0), at(30), 1800, 10)).toBe(0);
  });

  it('credits start-to-completion (capped at the estimate) when no heartbeat was counted', () => {
    expect(completionCredit({ startedAt: at(0), lastSeenAt: at(0), secondsSpent: 0 }, at(300), 10)).toBe(300);
    expect(
      completionCredit(
        { startedAt: at(0), lastSeenAt: at(0), secondsSpent: 0 },
        new Date(at(0).getTime() + 3 * 3600_000),
        10,
      ),
    ).toBe(600);
    // With heartbeats, the completion is one more heartbeat.
    expect(completionCredit({ startedAt: at(0), lastSeenAt: at(100), secondsSpent: 100 }, at(120), 10)).toBe(
      20,
    );
    expect(completionCredit({ startedAt: at(0), lastSeenAt: at(100), secondsSpent: 100 }, at(400), 10)).toBe(
      0,
    );
  });

  it('resumes at the last opened lesson, else the next unfinished one, else the first unfinished', () => {
    const lessons = [
      { id: 'a', completed: true },
      { id: 'b', completed: false },
      { id: 'c', completed: true },
      { id: 'd', completed: false },
    ];
    expect(resumeLessonId(lessons, 'b')).toBe('b');
    expect(resumeLessonId(lessons, 'c')).toBe('d');
    expect(resumeLessonId(lessons, null)).toBe('b');
    expect(resumeLessonId(lessons, 'gone')).toBe('b');
    expect(
      resumeLessonId(
        [
          { id: 'a', completed: false },
          { id: 'b', completed: true },
        ],
        'b',
      ),
    ).toBe('a');
    expect(
      resumeLessonId(
        [
          { id: 'a', completed: true },
          { id: 'b', completed: true },
        ],
        'b',
      ),
    ).toBe('b');
    expect(resumeLessonId([{ id: 'a', completed: true }], null)).toBe('a');
    expect(resumeLessonId([], null)).toBeNull();
  });

  it('finds the previous and next lesson', () => {
    const list = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(neighbours(list, 'a')).toEqual({ previous: null, next: { id: 'b' } });
    expect(neighbours(list, 'b')).toEqual({ previous: { id: 'a' }, next: { id: 'c' } });
    expect(neighbours(list, 'c')).toEqual({ previous: { id: 'b' }, next: null });
    expect(neighbours(list, 'x')).toEqual({ previous: null, next: null });
  });

  it('is overdue only past the due date and while not completed', () => {
    const now = at(100);
    expect(isOverdue(at(50), null, now)).toBe(true);
    expect(isOverdue(at(150), null, now)).toBe(false);
    expect(isOverdue(at(50), at(60), now)).toBe(false);
    expect(isOverdue(null, null, now)).toBe(false);
  });
});
