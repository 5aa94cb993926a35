import { Injectable } from '@nestjs/common';
import { Principal } from '../../infra/http/access';

import { pickText } from '../question-banks/domain/question';
import { describeAnswer, QuestionBanksService } from '../question-banks/question-banks.service';
import { AttemptsService } from './attempts.service';
import { ExamsRepository } from './exams.repository';

export interface AttemptResultView {
  attemptId: string;
  state: string;
  released: boolean;
  /** why nothing (more) is shown yet */
  pending: 'grading' | 'essay_scoring' | 'review' | 'sitting_open' | 'policy' | null;
  receipt: { attemptId: string; submittedAt: string; answered: number; sha256: string } | null;
  score?: { points: number; max: number; percent: number; passed: boolean; passMarkPercent: number };
  topics?: { topic: string; points: number; max: number; percent: number }[];
  items?: { itemId: string; position: number; stem: string; response: unknown; credit: number | null; correct: boolean | null; answer: string | null; explanation: string | null }[];
}

/**
 * What a candidate may see of their result, by the exam's review policy (nothing / score /
 * breakdown / responses with explanations) and from when (once graded, or once the sitting
 * has closed). A held (under review) result shows nothing until decided.
 */
@Injectable()
export class AttemptResultsService {
  constructor(
    private readonly repository: ExamsRepository,
    private readonly attempts: AttemptsService,
    private readonly banks: QuestionBanksService,
  ) {}

  async result(principal: Principal, attemptId: string): Promise<AttemptResultView> {
    const attempt = await this.attempts.loadOwned(principal, attemptId);
    const exam = (await this.repository.findExam(attempt.examId))!;
    const base: AttemptResultView = {
      attemptId,
      state: attempt.state,
      released: false,
      pending: null,
      receipt: attempt.receiptSha256 ? this.attempts.receiptOf(attempt) : null,
    };
    switch (attempt.state) {
      case 'registered':
      case 'admitted':
      case 'in_progress':
      case 'paused':
      case 'withdrawn':
        return base;
      case 'submitted':
      case 'auto_submitted':
        return { ...base, pending: 'grading' };
      case 'graded':
        return { ...base, pending: 'essay_scoring' };
      case 'under_review':
        return { ...base, pending: 'review' };
      case 'invalidated':
        return { ...base, released: true };
      case 'passed':
      case 'failed':
        break;
    }
    if (exam.reviewFrom === 'sitting_closed' && attempt.sittingId) {
      const [sitting]: { closes_at: Date }[] = await this.repository.dataSource.query(`SELECT closes_at FROM sittings WHERE id = $1`, [attempt.sittingId]);
      if (sitting && sitting.closes_at.getTime() > Date.now()) return { ...base, pending: 'sitting_open' };
    }
    if (exam.reviewPolicy === 'nothing') return { ...base, released: true, pending: 'policy' };
    const view: AttemptResultView = {
      ...base,
      released: true,
      score: { points: attempt.scorePoints ?? 0, max: attempt.maxPoints ?? 0, percent: attempt.scorePercent ?? 0, passed: attempt.passed ?? false, passMarkPercent: exam.passMarkPercent },
    };
    if (exam.reviewPolicy === 'score') return view;
    view.topics = attempt.topicScores ?? [];
    if (exam.reviewPolicy === 'breakdown') return view;
    const items = await this.repository.items(attemptId);
    const contents = await this.banks.versionContents(items.map((i) => i.questionVersionId));
    view.items = items.map((item) => {
      const content = contents.get(item.questionVersionId)!.content;
      const t = (x: Record<string, string> | null | undefined) => pickText(x, principal.locale, ['zh-CN', 'en']);
      return {
        itemId: item.itemId,
        position: item.position,
        stem: t(content.stem),
        response: item.response,
        credit: item.credit,
        correct: item.credit === null ? null : item.credit >= 0.999999,
        answer: describeAnswer(content, principal.locale),
        explanation: content.explanation ? t(content.explanation) : null,
      };
    });
    return view;
  }
}
