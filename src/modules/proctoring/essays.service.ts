import { Injectable } from '@nestjs/common';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { AttemptsService } from '../exams/attempts.service';
import { ExamsError } from '../exams/exams.errors';
import { pickText } from '../question-banks/domain/question';
import { QuestionBanksService } from '../question-banks/question-banks.service';
import { Actor } from '../organisations/organisations.service';
import { ProctoringError } from './proctoring.errors';
import { ProctoringRepository } from './proctoring.repository';

export interface EssayToScore {
  attemptId: string;
  /** a short reference to tell essays apart without naming the candidate */
  reference: string;
  itemId: string;
  position: number;
  points: number;
  examTitle: string;
  submittedAt: Date | null;
  stem: string;
  rubric: string | null;
  text: string;
}

/** Credit 0…1 from points (of the item's points) or a percentage, kept to 6 decimals like the column. */
export function creditOf(score: number, unit: 'points' | 'percent', itemPoints: number): number {
  const credit = unit === 'percent' ? score / 100 : score / itemPoints;
  return Math.round(credit * 1_000_000) / 1_000_000;
}

/**
 * Essay scoring by platform staff: the queue of answers the grader left for a person (grade
 * status `needs_human`), shown with the question and its rubric but without the candidate's
 * name, and the score — which the exams module turns into a decision once nothing is left.
 */
@Injectable()
export class EssaysService {
  constructor(
    private readonly repository: ProctoringRepository,
    private readonly attempts: AttemptsService,
    private readonly banks: QuestionBanksService,
    private readonly audit: AuditService,
  ) {}

  async queue(locale: string, page: PageRequest): Promise<Page<EssayToScore>> {
    const { items, total } = await this.repository.essayQueue(page);
    const contents = await this.banks.versionContents([...new Set(items.map((i) => i.questionVersionId))]);
    const pick = (text: Record<string, string> | null | undefined) => pickText(text, locale, ['zh-CN', 'en']);
    return toPage(
      items.map((item) => {
        const content = contents.get(item.questionVersionId)?.content;
        const response = item.response as { text?: unknown } | null;
        return {
          attemptId: item.attemptId,
          reference: item.attemptId.slice(0, 8).toUpperCase(),
          itemId: item.itemId,
          position: item.position + 1,
          points: item.points,
          examTitle: pick(item.examTitle),
          submittedAt: item.submittedAt,
          stem: content ? pick(content.stem) : '',
          rubric: content?.rubric ? pick(content.rubric) : null,
          text: typeof response?.text === 'string' ? response.text : '',
        };
      }),
      total,
      page,
    );
  }

  async score(attemptId: string, itemId: string, input: { score: number; unit: 'points' | 'percent' }, actor: Actor & { id: string }): Promise<{ attemptId: string; itemId: string; credit: number; state: string }> {
    const item = (await this.attempts.items(attemptId)).find((i) => i.itemId === itemId);
    if (!item) throw new ExamsError('ITEM_NOT_FOUND');
    const max = input.unit === 'percent' ? 100 : item.points;
    if (input.score < 0 || input.score > max) throw new ProctoringError('SCORE_OUT_OF_RANGE', { max }, { score: ['proctoring.validation.score'] });
    const credit = creditOf(input.score, input.unit, item.points);
    await this.attempts.scoreEssay(attemptId, itemId, credit, actor.id);
    // scoreEssay is its own transaction (it may decide the attempt); the audit record follows it.
    await this.audit.record({
      action: 'essay.scored',
      actorId: actor.id,
      actorLabel: actor.label,
      targetType: 'attempt',
      targetId: attemptId,
      ip: actor.ip,
      requestId: actor.requestId,
      detail: { itemId, score: input.score, unit: input.unit, credit, points: item.points },
    });
    const state = (await this.repository.reviewAttempt(attemptId))?.state ?? 'graded';
    return { attemptId, itemId, credit, state };
  }
}
