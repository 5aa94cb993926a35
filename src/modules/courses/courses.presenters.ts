/**
 * Turns the services' answers into what the Handlebars pages draw (strict templates: every key
 * present). No rules here — only wording and shaping for the views.
 */
import { Locale, translate } from '../../infra/i18n/i18n';
import { CourseOutline } from './courses.types';
import { describeResponse, questionForm, QuestionForm } from './knowledge-check-form';
import { CheckAttemptView } from './knowledge-checks.service';

export function checkLabels(locale: Locale) {
  return {
    true: translate(locale, 'courses.check.true'),
    false: translate(locale, 'courses.check.false'),
    gap: (n: number) => translate(locale, 'courses.check.gap', { n }),
    position: (n: number) => translate(locale, 'courses.check.position', { n }),
    choose: translate(locale, 'courses.check.choose'),
  };
}

export interface FeedbackItem {
  number: number;
  title: string | null;
  stem: string;
  outcome: 'correct' | 'partial' | 'wrong' | 'unanswered' | 'not_scored';
  creditPercent: number | null;
  yourAnswer: string;
  answer: string | null;
  explanation: string | null;
}

export function attemptContext(
  view: CheckAttemptView,
  locale: Locale,
): { attempt: CheckAttemptView; questions: QuestionForm[]; results: FeedbackItem[] } {
  const labels = checkLabels(locale);
  if (!view.feedback) {
    return {
      attempt: view,
      questions: view.questions.map((q) => questionForm(q.view, q.position, labels)),
      results: [],
    };
  }
  const results = view.feedback.map((f, index): FeedbackItem => {
    let outcome: FeedbackItem['outcome'];
    switch (f.status) {
      case 'unanswered':
        outcome = 'unanswered';
        break;
      case 'needs_human':
      case 'not_scored':
        outcome = 'not_scored';
        break;
      case 'graded':
        outcome = f.correct ? 'correct' : (f.credit ?? 0) > 0 ? 'partial' : 'wrong';
        break;
    }
    return {
      number: index + 1,
      title: f.view.title,
      stem: f.view.stem,
      outcome,
      creditPercent: f.credit === null ? null : Math.round(f.credit * 100),
      yourAnswer: describeResponse(f.view, f.response, labels),
      answer: f.answer,
      explanation: f.explanation,
    };
  });
  return { attempt: view, questions: [], results };
}

/** The course page's main button: start, continue, or review. */
export function courseAction(course: CourseOutline): { key: string; href: string | null } {
  if (!course.resumeLessonId) return { key: 'courses.course.noLessons', href: null };
  const href = `/lessons/${course.resumeLessonId}`;
  if (course.progress.completedAt) return { key: 'courses.course.review', href };
  if (
    course.progress.completedLessons > 0 ||
    course.modules.some((m) => m.lessons.some((l) => l.status !== 'not_started'))
  ) {
    return { key: 'courses.course.continue', href };
  }
  return { key: 'courses.course.start', href };
}

export const minutesOf = (seconds: number): number => Math.round(seconds / 60);

/** A posted form field as typed ('' when missing or not text). */
export const formText = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
};
