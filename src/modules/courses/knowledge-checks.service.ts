/**
 * Knowledge checks: practice questions at the end of a module, drawn from the question banks by
 * the module's tags. Unlimited tries, feedback with explanations as soon as an attempt is
 * submitted, not proctored and never counted for certification — but passing each module's
 * check (≥ 80 %, KNOWLEDGE_CHECK_PASS_PERCENT) is part of completing the course.
 *
 * Questions and keys stay in the question-banks module: this module stores which question
 * versions an attempt drew and what was answered, and asks QuestionBanksService to grade and
 * explain. Essays are drawn only when nothing else is left and are never scored.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../infra/http/app-error';
import { Principal } from '../../infra/http/access';
import { CandidateQuestion } from '../question-banks/candidate-view';
import { QuestionBanksService } from '../question-banks/question-banks.service';
import { Actor } from '../organisations/organisations.service';
import { CoursesError } from './courses.errors';
import { AttemptRow, CoursesRepository } from './courses.repository';
import { CourseRow, KnowledgeCheckOutline, ModuleRow, pickText } from './courses.types';
import { CoursesService } from './courses.service';
import { placeholderResponse } from './knowledge-check-form';
import { AnswerStatus, KNOWLEDGE_CHECK_PASS_PERCENT, knowledgeCheckScore } from './progress-rules';

export interface CheckQuestion {
  position: number;
  versionId: string;
  view: CandidateQuestion;
}

export interface CheckFeedback {
  position: number;
  versionId: string;
  view: CandidateQuestion;
  response: unknown;
  status: AnswerStatus;
  credit: number | null;
  correct: boolean | null;
  explanation: string | null;
  answer: string | null;
}

export interface CheckAttemptView {
  id: string;
  moduleId: string;
  courseId: string;
  courseTitle: string;
  moduleTitle: string;
  startedAt: Date;
  submittedAt: Date | null;
  scorePercent: number | null;
  passed: boolean | null;
  passMark: number;
  questions: CheckQuestion[];
  /** after submission: one per question, in order */
  feedback: CheckFeedback[] | null;
  /** after submission: whether this attempt completed the whole course */
  courseCompletedAt: Date | null;
}

export interface CheckOverview {
  course: { id: string; title: string };
  module: { id: string; title: string };
  check: KnowledgeCheckOutline;
  openAttemptId: string | null;
  nextModuleId: string | null;
}

@Injectable()
export class KnowledgeChecksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: CoursesRepository,
    private readonly courses: CoursesService,
    private readonly banks: QuestionBanksService,
  ) {}

  async overview(principal: Principal, moduleId: string, locale: string): Promise<CheckOverview> {
    const { module, course } = await this.moduleWithCheck(principal, moduleId);
    const outline = await this.courses.buildOutline(principal.id, course, locale);
    const index = outline.modules.findIndex((m) => m.id === module.id);
    const open = await this.repository.openAttemptId(principal.id, module.id);
    return {
      course: { id: course.id, title: outline.title },
      module: { id: module.id, title: pickText(module.title, locale) },
      check: outline.modules[index].knowledgeCheck!,
      openAttemptId: open,
      nextModuleId: outline.modules[index + 1]?.id ?? null,
    };
  }

  /** Starts an attempt (or returns the one still open): draws the questions and stores which. */
  async start(principal: Principal, moduleId: string, locale: string): Promise<CheckAttemptView> {
    const { module, course } = await this.moduleWithCheck(principal, moduleId);
    if (course.status !== 'published') throw new CoursesError('COURSE_NOT_PUBLISHED');
    const existing = await this.repository.openAttemptId(principal.id, module.id);
    if (existing) return this.attempt(principal, existing, locale);
    // Draw a few extra so essays (not scorable) can be left out when there is enough else.
    const drawn = await this.banks.drawPractice(module.checkTags, module.checkQuestions + 4, locale);
    const scorable = drawn.filter((d) => d.view.type !== 'essay' && d.view.type !== 'description');
    const chosen = [...scorable, ...drawn.filter((d) => d.view.type === 'essay')].slice(
      0,
      module.checkQuestions,
    );
    if (!chosen.length) throw new CoursesError('KNOWLEDGE_CHECK_UNAVAILABLE');
    const id = await this.dataSource.transaction(async (manager) => {
      await this.repository.enrolIfMissing(course.id, principal.id, manager);
      return this.repository.insertAttempt(
        module.id,
        principal.id,
        chosen.map((c) => c.versionId),
        manager,
      );
    });
    return this.attempt(principal, id, locale);
  }

  /** An attempt of mine: its questions, and after submission the feedback on each. */
  async attempt(principal: Principal, attemptId: string, locale: string): Promise<CheckAttemptView> {
    const attempt = await this.ownAttempt(principal, attemptId);
    return this.viewOf(principal, attempt, locale);
  }

  /**
   * Submits answers (position → response; missing or null = unanswered, scored 0). A response
   * of the wrong shape is refused (400) through the API; the web form never sends one
   * (`lenient` turns such a response into "unanswered" instead).
   */
  async submit(
    principal: Principal,
    attemptId: string,
    responses: Map<number, unknown>,
    locale: string,
    actor: Actor,
    options: { lenient: boolean } = { lenient: false },
  ): Promise<CheckAttemptView> {
    const attempt = await this.ownAttempt(principal, attemptId);
    if (attempt.submittedAt) throw new CoursesError('ATTEMPT_SUBMITTED');
    const graded: {
      position: number;
      response: unknown;
      status: AnswerStatus;
      credit: number | null;
      correct: boolean | null;
    }[] = [];
    for (const answer of attempt.answers) {
      const response = responses.get(answer.position) ?? null;
      if (response === null) {
        graded.push({
          position: answer.position,
          response: null,
          status: 'unanswered',
          credit: 0,
          correct: false,
        });
        continue;
      }
      try {
        const outcome = await this.banks.checkPractice(answer.versionId, response, locale);
        graded.push({
          position: answer.position,
          response,
          status: outcome.status,
          credit: outcome.credit,
          correct: outcome.correct,
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 400) throw error;
        if (!options.lenient) throw error;
        graded.push({
          position: answer.position,
          response: null,
          status: 'unanswered',
          credit: 0,
          correct: false,
        });
      }
    }
    const score = knowledgeCheckScore(graded);
    await this.dataSource.transaction(async (manager) => {
      const locked = await this.repository.findAttempt(attempt.id, manager, true);
      if (!locked || locked.submittedAt) throw new CoursesError('ATTEMPT_SUBMITTED');
      for (const g of graded) await this.repository.saveAnswer(attempt.id, g.position, g, manager);
      await this.repository.submitAttempt(attempt.id, score.percent, score.passed, manager);
      if (score.passed) {
        const module = (await this.repository.findModule(attempt.moduleId, manager))!;
        const course = (await this.repository.findCourse(module.courseId, manager))!;
        await this.courses.refreshCompletion(principal.id, course, manager, actor);
      }
    });
    return this.attempt(principal, attempt.id, locale);
  }

  private async viewOf(principal: Principal, attempt: AttemptRow, locale: string): Promise<CheckAttemptView> {
    const module = (await this.repository.findModule(attempt.moduleId))!;
    const course = (await this.repository.findCourse(module.courseId))!;
    const items = await this.banks.practiceViews(
      attempt.answers.map((a) => a.versionId),
      locale,
    );
    const views = new Map(items.map((i) => [i.versionId, i.view]));
    const questions = attempt.answers
      .filter((a) => views.has(a.versionId))
      .map((a) => ({ position: a.position, versionId: a.versionId, view: views.get(a.versionId)! }));
    let feedback: CheckFeedback[] | null = null;
    let courseCompletedAt: Date | null = null;
    if (attempt.submittedAt) {
      feedback = [];
      for (const q of questions) {
        const answer = attempt.answers.find((a) => a.position === q.position)!;
        const status = (answer.status ?? 'unanswered') as AnswerStatus;
        const explained = await this.explain(q, answer.response, locale);
        feedback.push({
          position: q.position,
          versionId: q.versionId,
          view: q.view,
          response: answer.response,
          status,
          credit: answer.credit,
          correct: answer.correct,
          explanation: explained.explanation,
          answer: explained.answer,
        });
      }
      courseCompletedAt = (await this.repository.findEnrolment(course.id, principal.id))?.completedAt ?? null;
    }
    return {
      id: attempt.id,
      moduleId: module.id,
      courseId: course.id,
      courseTitle: pickText(course.title, locale),
      moduleTitle: pickText(module.title, locale),
      startedAt: attempt.startedAt,
      submittedAt: attempt.submittedAt,
      scorePercent: attempt.scorePercent,
      passed: attempt.passed,
      passMark: KNOWLEDGE_CHECK_PASS_PERCENT,
      questions,
      feedback,
      courseCompletedAt,
    };
  }

  /** The explanation and the right answer come from the banks; an unanswered question asks with a stand-in response. */
  private async explain(
    q: CheckQuestion,
    response: unknown,
    locale: string,
  ): Promise<{ explanation: string | null; answer: string | null }> {
    try {
      const outcome = await this.banks.checkPractice(
        q.versionId,
        response ?? placeholderResponse(q.view),
        locale,
      );
      return { explanation: outcome.explanation, answer: outcome.answer };
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return { explanation: null, answer: null };
      throw error;
    }
  }

  private async ownAttempt(principal: Principal, attemptId: string): Promise<AttemptRow> {
    const attempt = await this.repository.findAttempt(attemptId);
    if (!attempt || attempt.userId !== principal.id) throw new CoursesError('ATTEMPT_NOT_FOUND');
    return attempt;
  }

  private async moduleWithCheck(
    principal: Principal,
    moduleId: string,
  ): Promise<{ module: ModuleRow; course: CourseRow }> {
    const module = await this.repository.findModule(moduleId);
    if (!module || module.archivedAt) throw new CoursesError('MODULE_NOT_FOUND');
    const course = await this.courses.visibleCourse(principal, module.courseId);
    if (module.checkQuestions <= 0) throw new CoursesError('NO_KNOWLEDGE_CHECK');
    return { module, course };
  }
}
