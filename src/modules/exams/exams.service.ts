import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { EntityManager } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { projectPath } from '../../infra/paths';
import { translate } from '../../infra/i18n/i18n';
import { pickText } from '../question-banks/domain/question';
import { QuestionBanksService } from '../question-banks/question-banks.service';
import { shortfalls, Shortfall } from './domain/blueprint';
import { ExamEligibility } from './exam-eligibility';
import { ExamsError } from './exams.errors';
import { ExamsRepository } from './exams.repository';
import { Exam, ExamSection } from './exams.types';

export interface ExamForCandidate {
  id: string;
  title: string;
  description: string | null;
  mode: Exam['mode'];
  timeLimitMinutes: number;
  passMarkPercent: number;
  eligible: boolean;
  reason: string | null;
  reasonCode: string | null;
  liveAttemptId: string | null;
}

interface ExamFileEntry {
  key: string;
  mode: Exam['mode'];
  title: Record<string, string>;
  description?: Record<string, string>;
  timeLimitMinutes: number;
  passMarkPercent: number;
  attemptsAllowed: number | null;
  cooldownHours: number;
  requiresCourse: boolean;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  reviewPolicy: Exam['reviewPolicy'];
  reviewFrom: Exam['reviewFrom'];
  validityMonths: number | null;
  graceSeconds: number;
  sections: { title: Record<string, string>; tags: string[]; types?: string[]; difficulties?: number[]; questions: number; points: number }[];
}

/** Exam definitions: what candidates may take, the shipped exams, publishing (blueprint must fill). */
@Injectable()
export class ExamsService {
  constructor(
    private readonly repository: ExamsRepository,
    private readonly banks: QuestionBanksService,
    private readonly eligibility: ExamEligibility,
  ) {}

  async get(id: string): Promise<Exam> {
    const exam = await this.repository.findExam(id);
    if (!exam) throw new ExamsError('EXAM_NOT_FOUND');
    return exam;
  }

  sections(examId: string): Promise<ExamSection[]> {
    return this.repository.sections(examId);
  }

  list(status?: Exam['status']): Promise<Exam[]> {
    return this.repository.listExams(status);
  }

  async listForCandidate(principal: Principal): Promise<ExamForCandidate[]> {
    const exams = await this.repository.listExams('published');
    const attempts = await this.repository.attemptsOfUser(principal.id);
    return Promise.all(
      exams.map(async (exam) => {
        const verdict = await this.eligibility.check(principal.id, exam);
        const live = attempts.find((a) => a.examId === exam.id && ['registered', 'admitted', 'in_progress', 'paused'].includes(a.state));
        return {
          id: exam.id,
          title: pickText(exam.title, principal.locale, ['zh-CN', 'en']),
          description: exam.description ? pickText(exam.description, principal.locale, ['zh-CN', 'en']) : null,
          mode: exam.mode,
          timeLimitMinutes: Math.round(exam.timeLimitSeconds / 60),
          passMarkPercent: exam.passMarkPercent,
          eligible: verdict.eligible,
          reasonCode: verdict.reasonCode,
          reason: verdict.reasonCode
            ? translate(principal.locale, `exams.ineligible.${verdict.reasonCode}`, { retryAt: verdict.retryAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '' })
            : null,
          liveAttemptId: live?.id ?? null,
        };
      }),
    );
  }

  /** Which blueprint sections the banks cannot fill, and by how many. */
  async blueprintShortfalls(examId: string, manager?: EntityManager): Promise<(Shortfall & { position: number })[]> {
    const sections = await this.repository.sections(examId, manager);
    const pool = await this.banks.pool([...new Set(sections.flatMap((s) => s.tags))]);
    return shortfalls(
      sections.map((s) => ({ id: s.id, tags: s.tags, types: s.types, difficulties: s.difficulties, bankId: s.bankId, questionCount: s.questionCount, pointsEach: s.pointsEach })),
      pool,
    ).map((s) => ({ ...s, position: sections.find((x) => x.id === s.sectionId)!.position + 1 }));
  }

  async publish(examId: string): Promise<Exam> {
    return this.repository.dataSource.transaction(async (manager) => {
      const exam = await this.repository.findExam(examId, manager);
      if (!exam) throw new ExamsError('EXAM_NOT_FOUND');
      const short = await this.blueprintShortfalls(examId, manager);
      if (short.length) {
        const detail = short.map((s) => `section ${s.position}: needs ${s.needed}, the banks have ${s.available} (short by ${s.needed - s.available})`).join('; ');
        throw new ExamsError('BLUEPRINT_SHORT', { detail }, undefined, { sections: short.map((s) => ({ section: s.position, needed: s.needed, available: s.available, shortBy: s.needed - s.available })) });
      }
      await this.repository.setExamStatus(examId, 'published', manager);
      return (await this.repository.findExam(examId, manager))!;
    });
  }

  /** Loads src/modules/exams/content/exams.yaml: creates or updates each exam, publishes it when its blueprint fills. */
  async loadShippedExams(): Promise<{ key: string; status: string; short: string | null }[]> {
    const file = parse(readFileSync(projectPath('src', 'modules', 'exams', 'content', 'exams.yaml'), 'utf8')) as { exams: ExamFileEntry[] };
    const results: { key: string; status: string; short: string | null }[] = [];
    for (const entry of file.exams) {
      const examId = await this.repository.dataSource.transaction(async (manager) => {
        const existing = await this.repository.findExamByKey(entry.key, manager);
        const id = await this.repository.upsertExam(
          {
            key: entry.key,
            title: entry.title,
            description: entry.description ?? null,
            mode: entry.mode,
            status: existing?.status ?? 'draft',
            timeLimitSeconds: entry.timeLimitMinutes * 60,
            passMarkPercent: entry.passMarkPercent,
            attemptsAllowed: entry.attemptsAllowed,
            cooldownHours: entry.cooldownHours,
            requiresCourse: entry.requiresCourse,
            shuffleQuestions: entry.shuffleQuestions,
            shuffleOptions: entry.shuffleOptions,
            reviewPolicy: entry.reviewPolicy,
            reviewFrom: entry.reviewFrom,
            validityMonths: entry.validityMonths,
            graceSeconds: entry.graceSeconds,
            integrityThresholds: existing?.integrityThresholds ?? {},
          },
          manager,
        );
        await this.repository.replaceSections(
          id,
          entry.sections.map((s, position) => ({
            position,
            title: s.title,
            bankId: null,
            tags: s.tags,
            types: s.types ?? [],
            difficulties: s.difficulties ?? [],
            questionCount: s.questions,
            pointsEach: s.points,
          })),
          manager,
        );
        return id;
      });
      const exam = (await this.repository.findExam(examId))!;
      if (exam.status === 'published') {
        results.push({ key: entry.key, status: 'published', short: null });
        continue;
      }
      try {
        await this.publish(examId);
        results.push({ key: entry.key, status: 'published', short: null });
      } catch (error) {
        results.push({ key: entry.key, status: 'draft', short: error instanceof ExamsError ? String(error.params.detail ?? '') : String(error) });
      }
    }
    return results;
  }
}
