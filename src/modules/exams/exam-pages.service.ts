import { Injectable } from '@nestjs/common';
import { Principal } from '../../infra/http/access';
import { translate } from '../../infra/i18n/i18n';
import { pickText } from '../question-banks/domain/question';
import { AttemptResultsService, AttemptResultView } from './attempt-results.service';
import { AttemptsService, ItemView } from './attempts.service';
import { AttemptState } from './domain/attempt-state';
import { ExamAuthoringRepository } from './exam-authoring.repository';
import { ExamForCandidate, ExamsService } from './exams.service';

/** What the candidate can do with an exam from the "my exams" page. */
export type ExamAction = 'start' | 'resume' | 'register' | 'awaiting_admission' | 'none';

export interface MyExam extends ExamForCandidate {
  action: ExamAction;
  liveState: AttemptState | null;
}

export interface MyAttempt {
  id: string;
  examTitle: string;
  state: AttemptState;
  live: boolean;
  startedAt: Date | null;
  submittedAt: Date | null;
}

export interface ResultTopic {
  topic: string;
  name: string;
  points: number;
  max: number;
  percent: number;
}

export interface ResultItem {
  itemId: string;
  number: number;
  stem: string;
  yourAnswer: string | null;
  correct: boolean | null;
  credit: number | null;
  answer: string | null;
  explanation: string | null;
}

const LIVE: readonly AttemptState[] = ['in_progress', 'paused'];

/**
 * The candidate's exam pages as read models: "my exams" with the one thing to do next per exam,
 * the exam page's frame, and the result page (exactly what AttemptResultsService releases, with
 * the candidate's own answers put back into words).
 */
@Injectable()
export class ExamPagesService {
  constructor(
    private readonly exams: ExamsService,
    private readonly attempts: AttemptsService,
    private readonly results: AttemptResultsService,
    private readonly authoring: ExamAuthoringRepository,
  ) {}

  async myExams(principal: Principal): Promise<{ exams: MyExam[]; attempts: MyAttempt[] }> {
    const listed = await this.exams.listForCandidate(principal);
    const history = await this.authoring.attemptsOfCandidate(principal.id);
    const exams = await Promise.all(
      listed.map(async (exam): Promise<MyExam> => {
        const liveState = exam.liveAttemptId ? (await this.attempts.loadOwned(principal, exam.liveAttemptId)).state : null;
        return { ...exam, liveState, action: this.actionFor(exam, liveState) };
      }),
    );
    return {
      exams,
      attempts: history.map((a) => ({
        id: a.id,
        examTitle: pickText(a.examTitle, principal.locale, ['zh-CN', 'en']),
        state: a.state,
        live: LIVE.includes(a.state),
        startedAt: a.startedAt,
        submittedAt: a.submittedAt,
      })),
    };
  }

  private actionFor(exam: ExamForCandidate, liveState: AttemptState | null): ExamAction {
    if (liveState && LIVE.includes(liveState)) return 'resume';
    if (exam.mode === 'practice') return exam.eligible ? 'start' : 'none';
    if (liveState === 'admitted') return 'start';
    if (liveState === 'registered') return 'awaiting_admission';
    return exam.eligible ? 'register' : 'none';
  }

  /** The exam page's frame (the questions themselves come from the JSON API, with the page's session). */
  async examPage(principal: Principal, attemptId: string): Promise<{ attemptId: string; state: AttemptState; examTitle: string; live: boolean }> {
    const attempt = await this.attempts.loadOwned(principal, attemptId);
    const exam = await this.exams.get(attempt.examId);
    return {
      attemptId,
      state: attempt.state,
      examTitle: pickText(exam.title, principal.locale, ['zh-CN', 'en']),
      live: LIVE.includes(attempt.state),
    };
  }

  async resultPage(
    principal: Principal,
    attemptId: string,
  ): Promise<{ examTitle: string; examId: string; result: AttemptResultView; topics: ResultTopic[] | null; items: ResultItem[] | null }> {
    const attempt = await this.attempts.loadOwned(principal, attemptId);
    const exam = await this.exams.get(attempt.examId);
    const result = await this.results.result(principal, attemptId);
    let topics: ResultTopic[] | null = null;
    if (result.topics) {
      // A topic is a tag; its name is the title of the blueprint section that draws it.
      const sections = await this.exams.sections(exam.id);
      topics = result.topics.map((t) => {
        const section = sections.find((s) => s.tags.length === 1 && s.tags[0] === t.topic) ?? sections.find((s) => s.tags.includes(t.topic));
        const name = section ? pickText(section.title, principal.locale, ['zh-CN', 'en']) : '';
        return { ...t, name: name || t.topic };
      });
    }
    let items: ResultItem[] | null = null;
    if (result.items) {
      // The candidate's answers in words: the opaque ids of the attempt map back to the texts they saw.
      const view = await this.attempts.view(principal, attemptId, { ip: null, clientSession: null });
      const byId = new Map(view.items.map((i) => [i.itemId, i]));
      items = result.items.map((r) => ({
        itemId: r.itemId,
        number: r.position + 1,
        stem: r.stem,
        yourAnswer: describeResponse(byId.get(r.itemId), r.response, principal.locale),
        correct: r.correct,
        credit: r.credit,
        answer: r.answer,
        explanation: r.explanation,
      }));
    }
    return { examTitle: pickText(exam.title, principal.locale, ['zh-CN', 'en']), examId: exam.id, result, topics, items };
  }
}

/** A saved response as the candidate would say it (null when unanswered). */
export function describeResponse(item: ItemView | undefined, response: unknown, locale: Principal['locale']): string | null {
  if (response === null || response === undefined || typeof response !== 'object' || !item) return null;
  const r = response as Record<string, unknown>;
  const option = (id: unknown) => item.options.find((o) => o.id === id)?.text ?? '?';
  const and = locale === 'zh-CN' ? '；' : '; ';
  switch (item.type) {
    case 'single_choice':
      return option(r.optionId);
    case 'multiple_choice':
      return Array.isArray(r.optionIds) ? r.optionIds.map(option).join(and) : null;
    case 'true_false':
      return r.value === true ? translate(locale, 'exams.page.true') : r.value === false ? translate(locale, 'exams.page.false') : null;
    case 'short_answer':
    case 'numeric':
      return Array.isArray(r.gaps) ? r.gaps.map((g) => (typeof g === 'string' || typeof g === 'number' ? String(g) : '')).join(' | ') : null;
    case 'matching': {
      const pairs = r.pairs && typeof r.pairs === 'object' ? (r.pairs as Record<string, unknown>) : {};
      return item.prompts
        .filter((p) => pairs[p.id] !== undefined)
        .map((p) => `${p.text} → ${item.matches.find((m) => m.id === pairs[p.id])?.text ?? '?'}`)
        .join(and);
    }
    case 'ordering':
      return Array.isArray(r.order) ? r.order.map(option).join(' → ') : null;
    case 'essay':
      return typeof r.text === 'string' ? r.text : null;
    default:
      return null;
  }
}
