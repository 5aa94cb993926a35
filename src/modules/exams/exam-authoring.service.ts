import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../organisations/organisations.service';
import { Injectable } from '@nestjs/common';
import { ValidationFailed } from '../../infra/http/app-error';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import type { Locale } from '../../infra/i18n/i18n';
import { pickText } from '../question-banks/domain/question';
import { DEFAULT_THRESHOLDS, itemStatistics, ItemStatistic, Thresholds } from './domain/item-statistics';
import { ExamAuthoringRepository, ExamFields, ExamListRow, SectionFields } from './exam-authoring.repository';
import { ExamsError } from './exams.errors';
import { ExamsRepository } from './exams.repository';
import { ExamsService } from './exams.service';
import { Exam, ExamSection } from './exams.types';

export interface SectionShortfall {
  /** 1-based, as staff count sections */
  section: number;
  title: string;
  needed: number;
  available: number;
  shortBy: number;
}

export interface ExamOverview {
  exam: Exam;
  sections: ExamSection[];
  /** blueprint positions attempts have drawn from (kept in place) */
  inUse: number[];
  shortfalls: SectionShortfall[];
  attemptStates: Record<string, number>;
}

export interface QuestionStatisticRow extends ItemStatistic {
  questionId: string;
  label: string;
  bankName: string | null;
  stem: string;
  type: string | null;
  difficulty: number | null;
  flagged: boolean;
}

export interface ExamStatistics {
  exam: Exam;
  attempts: number;
  /** only the most recent attempts are read; true when there were more */
  truncated: boolean;
  alpha: number | null;
  kr20: number | null;
  /** how many positions every attempt had (what the reliability is computed over) */
  reliabilityItems: number;
  thresholds: Thresholds;
  flaggedCount: number;
  page: Page<QuestionStatisticRow>;
}

/** Statistics read at most this many graded attempts (the most recent ones). */
export const STATISTICS_ATTEMPT_LIMIT = 5000;

/**
 * Staff authoring of exam definitions and their blueprints (create, edit, publish, archive) and
 * the item statistics of an exam. Publishing itself is ExamsService.publish (one rule: the banks
 * must fill the blueprint). An edit to a published exam is refused when the banks could no longer
 * fill the blueprint, so a published exam can always be started.
 */
@Injectable()
export class ExamAuthoringService {
  constructor(
    private readonly repository: ExamAuthoringRepository,
    private readonly exams: ExamsService,
    private readonly examsRepository: ExamsRepository,
    private readonly audit: AuditService,
  ) {}

  private record(action: 'exam.created' | 'exam.updated' | 'exam.published' | 'exam.archived' | 'exam.restored', examId: string, actor: Actor, manager?: EntityManager) {
    return this.audit.record({ action, actorId: actor.id, actorLabel: actor.label, targetType: 'exam', targetId: examId, ip: actor.ip, requestId: actor.requestId }, manager);
  }

  list(request: PageRequest): Promise<Page<ExamListRow>> {
    return this.repository.listExams(request);
  }

  sectionPositionsInUse(examId: string): Promise<number[]> {
    return this.repository.sectionPositionsInUse(examId);
  }

  async overview(examId: string, locale: Locale): Promise<ExamOverview> {
    const exam = await this.exams.get(examId);
    const sections = await this.exams.sections(examId);
    return {
      exam,
      sections,
      inUse: await this.repository.sectionPositionsInUse(examId),
      shortfalls: this.describeShortfalls(await this.exams.blueprintShortfalls(examId), sections, locale),
      attemptStates: await this.repository.attemptStates(examId),
    };
  }

  describeShortfalls(short: { position: number; needed: number; available: number }[], sections: ExamSection[], locale: Locale): SectionShortfall[] {
    return short.map((s) => ({
      section: s.position,
      title: pickText(sections[s.position - 1]?.title, locale, ['zh-CN', 'en']),
      needed: s.needed,
      available: s.available,
      shortBy: s.needed - s.available,
    }));
  }

  /** A new exam starts as a draft; it is published separately, once its blueprint fills. */
  async create(exam: ExamFields, sections: SectionFields[], actor: Actor): Promise<string> {
    return this.repository.dataSource.transaction(async (manager) => {
      const id = await this.repository.insertExam(exam, manager);
      await this.repository.replaceBlueprint(id, sections, manager);
      await this.record('exam.created', id, actor, manager);
      return id;
    });
  }

  /**
   * Saves an edit. `keptRows` are the posted row indexes in their new order: a section an
   * attempt drew from must stay where it is. A published exam's new blueprint must still fill.
   */
  async update(examId: string, exam: ExamFields, sections: SectionFields[], keptRows: number[], actor: Actor): Promise<void> {
    await this.repository.dataSource.transaction(async (manager) => {
      if (!(await this.repository.lockExam(examId, manager))) throw new ExamsError('EXAM_NOT_FOUND');
      const inUse = await this.repository.sectionPositionsInUse(examId, manager);
      const moved = inUse.filter((position) => keptRows[position] !== position);
      if (moved.length) throw new ValidationFailed({ sections: ['exams.staff.validation.sectionInUse'] });
      await this.repository.updateExam(examId, exam, manager);
      await this.repository.replaceBlueprint(examId, sections, manager);
      const current = (await this.examsRepository.findExam(examId, manager))!;
      if (current.status === 'published') {
        const short = await this.exams.blueprintShortfalls(examId, manager);
        if (short.length) {
          throw new ExamsError('BLUEPRINT_SHORT', { detail: '' }, undefined, {
            sections: short.map((s) => ({ section: s.position, needed: s.needed, available: s.available, shortBy: s.needed - s.available })),
          });
        }
      }
      await this.record('exam.updated', examId, actor, manager);
    });
  }

  async publish(examId: string, actor: Actor): Promise<Exam> {
    const exam = await this.exams.publish(examId);
    await this.record('exam.published', examId, actor);
    return exam;
  }

  /** Archived exams are no longer offered; attempts, results and statistics stay. */
  async archive(examId: string, actor: Actor): Promise<void> {
    await this.exams.get(examId);
    await this.repository.setStatus(examId, 'archived');
    await this.record('exam.archived', examId, actor);
  }

  /** Back to draft (from archived): it can be edited and published again. */
  async restore(examId: string, actor: Actor): Promise<void> {
    const exam = await this.exams.get(examId);
    if (exam.status !== 'archived') return;
    await this.repository.setStatus(examId, 'draft');
    await this.record('exam.restored', examId, actor);
  }

  /**
   * Item statistics over the exam's graded attempts: per question (facility, point-biserial
   * discrimination, flags against the thresholds), and the test's reliability — over positions,
   * because a blueprint draws different questions for different candidates.
   */
  async statistics(examId: string, locale: Locale, request: PageRequest, onlyFlagged: boolean, thresholds: Thresholds = DEFAULT_THRESHOLDS): Promise<ExamStatistics> {
    const exam = await this.exams.get(examId);
    const scores = await this.repository.gradedItemScores(examId, STATISTICS_ATTEMPT_LIMIT);
    const byQuestion = new Map<string, Map<string, number>>();
    const byPosition = new Map<string, Map<string, number>>();
    for (const row of scores) {
      if (!byQuestion.has(row.attemptId)) {
        byQuestion.set(row.attemptId, new Map());
        byPosition.set(row.attemptId, new Map());
      }
      // Unscored items (descriptions) and essays no person has scored yet are left out.
      if (row.credit === null || row.gradeStatus === 'not_scored') continue;
      byQuestion.get(row.attemptId)!.set(row.questionId, row.credit);
      byPosition.get(row.attemptId)!.set(String(row.position).padStart(4, '0'), row.credit);
    }
    const questionRows = [...byQuestion.values()].filter((r) => r.size > 0);
    const positionRows = [...byPosition.values()].filter((r) => r.size > 0);
    const perQuestion = itemStatistics(questionRows, thresholds);
    const perPosition = itemStatistics(positionRows, thresholds);
    const reliabilityItems = positionRows.length ? [...positionRows[0].keys()].filter((k) => positionRows.every((r) => r.has(k))).length : 0;

    const ordered = perQuestion.items
      .filter((item) => !onlyFlagged || item.flags.length > 0)
      .sort((a, b) => Number(b.flags.length > 0) - Number(a.flags.length > 0) || (a.facility ?? 0) - (b.facility ?? 0) || a.key.localeCompare(b.key));
    const start = (request.page - 1) * request.perPage;
    const slice = ordered.slice(start, start + request.perPage);
    const labels = await this.repository.questionLabels(slice.map((s) => s.key));
    const items = slice.map((s): QuestionStatisticRow => {
      const label = labels.get(s.key);
      return {
        ...s,
        questionId: s.key,
        label: label ? `${label.bankName}/${label.externalId}` : s.key,
        bankName: label?.bankName ?? null,
        stem: label ? pickText(label.stem, locale, ['zh-CN', 'en']).slice(0, 140) : '',
        type: label?.type ?? null,
        difficulty: label?.difficulty ?? null,
        flagged: s.flags.length > 0,
      };
    });
    return {
      exam,
      attempts: perQuestion.attempts,
      truncated: byQuestion.size >= STATISTICS_ATTEMPT_LIMIT,
      alpha: perPosition.alpha,
      kr20: perPosition.kr20,
      reliabilityItems,
      thresholds,
      flaggedCount: perQuestion.items.filter((i) => i.flags.length > 0).length,
      page: toPage(items, ordered.length, request),
    };
  }
}
