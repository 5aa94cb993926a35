import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { EntityManager, QueryFailedError } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { translate } from '../../infra/i18n/i18n';
import { AuditService } from '../audit/audit.service';
import { AttemptsService } from '../exams/attempts.service';
import { ExamEligibility } from '../exams/exam-eligibility';
import { ExamsError } from '../exams/exams.errors';
import { ExamsService } from '../exams/exams.service';
import { Exam } from '../exams/exams.types';
import { pickText } from '../question-banks/domain/question';
import { Actor } from '../organisations/organisations.service';
import { ProctoringError } from './proctoring.errors';
import { ProctoringRepository } from './proctoring.repository';
import { MyRegistration, PersonRef, Sitting, SittingFilter, SittingPhase } from './proctoring.types';
import { generateAccessCode, phaseOf, sameAccessCode, staggeredStart } from './sitting-rules';

export interface SittingForCandidate {
  id: string;
  title: string;
  examId: string;
  examTitle: string;
  opensAt: Date;
  closesAt: Date;
  phase: SittingPhase;
  timeLimitMinutes: number;
  seatsLeft: number;
  autoAdmit: boolean;
  /** my attempt in this sitting, if registered here */
  myAttemptId: string | null;
  myState: string | null;
  /** registered for another sitting of the same exam (one live registration per exam) */
  registeredElsewhere: boolean;
}

export interface CandidateSittings {
  page: Page<SittingForCandidate>;
  registrations: (Omit<MyRegistration, 'examTitle'> & { examTitle: string; phase: SittingPhase; canWithdraw: boolean; canAppeal: boolean })[];
  ineligible: { examId: string; examTitle: string; reasonCode: string; reason: string }[];
}

export interface SittingFields {
  title: string;
  opensAt: Date;
  closesAt: Date;
  capacity: number;
  accessCode?: string;
  autoAdmit?: boolean;
  staggerSeconds?: number;
  proctorIds?: string[];
}

const LIVE = new Set(['registered', 'admitted', 'in_progress', 'paused']);

/**
 * Sittings: staff schedule them (window, capacity, access code, auto-admission, staggered
 * starts) and assign proctors; candidates register with the access code and may withdraw
 * before they are admitted. A registration is the attempt row in state `registered`.
 */
@Injectable()
export class SittingsService {
  constructor(
    private readonly repository: ProctoringRepository,
    private readonly exams: ExamsService,
    private readonly eligibility: ExamEligibility,
    private readonly attempts: AttemptsService,
    private readonly audit: AuditService,
  ) {}

  async get(id: string, manager?: EntityManager): Promise<Sitting> {
    const sitting = await this.repository.findSitting(id, manager);
    if (!sitting) throw new ExamsError('SITTING_NOT_FOUND');
    return sitting;
  }

  /** Staff see every sitting; a proctor sees those assigned to them. */
  async list(principal: Principal, phase: SittingFilter | undefined, page: PageRequest): Promise<Page<Sitting>> {
    const { items, total } = await this.repository.listSittings({ phase, proctorId: principal.role === 'platform_staff' ? undefined : principal.id }, page);
    return toPage(items, total, page);
  }

  /** Staff, or a proctor assigned to the sitting. */
  async mayProctor(principal: Principal, sittingId: string, manager?: EntityManager): Promise<boolean> {
    if (principal.role === 'platform_staff') return true;
    if (principal.role !== 'proctor') return false;
    return this.repository.isProctorOf(sittingId, principal.id, manager);
  }

  async getForProctor(principal: Principal, sittingId: string, manager?: EntityManager): Promise<Sitting> {
    const sitting = await this.get(sittingId, manager);
    if (!(await this.mayProctor(principal, sittingId, manager))) throw new ExamsError('NOT_YOUR_SITTING');
    return sitting;
  }

  proctorOptions(): Promise<PersonRef[]> {
    return this.repository.proctorOptions();
  }

  async examOptions(locale: string): Promise<{ id: string; title: string }[]> {
    const exams = await this.repository.certificationExamOptions();
    return exams.map((e) => ({ id: e.id, title: pickText(e.title, locale, ['zh-CN', 'en']) }));
  }

  // ---- staff: create, edit, assign ------------------------------------------------------------

  async create(input: SittingFields & { examId: string }, actor: Actor): Promise<Sitting> {
    return this.repository.dataSource.transaction(async (manager) => {
      const exam = await this.exams.get(input.examId).catch(() => null);
      if (!exam || exam.mode !== 'certification' || exam.status !== 'published') throw new ProctoringError('EXAM_NOT_CERTIFICATION');
      this.checkWindow(input.opensAt, input.closesAt, true);
      const proctorIds = await this.checkProctors(input.proctorIds ?? [], manager);
      const id = await this.repository.insertSitting(
        {
          examId: exam.id,
          title: input.title,
          opensAt: input.opensAt,
          closesAt: input.closesAt,
          capacity: input.capacity,
          accessCode: input.accessCode?.toUpperCase() ?? generateAccessCode(),
          autoAdmit: input.autoAdmit ?? false,
          staggerSeconds: input.staggerSeconds ?? 0,
          createdBy: actor.id,
        },
        manager,
      );
      await this.repository.replaceProctors(id, proctorIds, manager);
      await this.audit.record(
        {
          action: 'sitting.created',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'sitting',
          targetId: id,
          targetLabel: input.title,
          ip: actor.ip,
          requestId: actor.requestId,
          detail: { examId: exam.id, opensAt: input.opensAt.toISOString(), closesAt: input.closesAt.toISOString(), capacity: input.capacity, autoAdmit: input.autoAdmit ?? false, staggerSeconds: input.staggerSeconds ?? 0, proctorIds },
        },
        manager,
      );
      return (await this.repository.findSitting(id, manager))!;
    });
  }

  async update(id: string, input: Partial<SittingFields> & { regenerateCode?: boolean }, actor: Actor): Promise<Sitting> {
    return this.repository.dataSource.transaction(async (manager) => {
      const current = await this.repository.findSitting(id, manager, true);
      if (!current) throw new ExamsError('SITTING_NOT_FOUND');
      const next = {
        title: input.title ?? current.title,
        opensAt: input.opensAt ?? current.opensAt,
        closesAt: input.closesAt ?? current.closesAt,
        capacity: input.capacity ?? current.capacity,
        accessCode: input.regenerateCode ? generateAccessCode() : (input.accessCode?.toUpperCase() ?? current.accessCode),
        autoAdmit: input.autoAdmit ?? current.autoAdmit,
        staggerSeconds: input.staggerSeconds ?? current.staggerSeconds,
      };
      this.checkWindow(next.opensAt, next.closesAt, false);
      const seats = await this.repository.countSeats(id, manager);
      if (next.capacity < seats) throw new ProctoringError('CAPACITY_BELOW_REGISTERED', { registered: seats }, { capacity: ['proctoring.errors.CAPACITY_BELOW_REGISTERED'] });
      await this.repository.updateSitting(id, next, manager);
      let proctorIds: string[] | null = null;
      if (input.proctorIds) {
        proctorIds = await this.checkProctors(input.proctorIds, manager);
        await this.repository.replaceProctors(id, proctorIds, manager);
      }
      const changed = Object.fromEntries(
        Object.entries(next)
          .filter(([key, value]) => {
            const before = current[key as keyof typeof next];
            return value instanceof Date && before instanceof Date ? value.getTime() !== before.getTime() : value !== before;
          })
          .map(([key, value]) => [key, key === 'accessCode' ? 'changed' : value instanceof Date ? value.toISOString() : value]),
      );
      await this.audit.record(
        { action: 'sitting.updated', actorId: actor.id, actorLabel: actor.label, targetType: 'sitting', targetId: id, targetLabel: next.title, ip: actor.ip, requestId: actor.requestId, detail: { changed, ...(proctorIds ? { proctorIds } : {}) } },
        manager,
      );
      return (await this.repository.findSitting(id, manager))!;
    });
  }

  async setProctors(id: string, userIds: string[], actor: Actor): Promise<Sitting> {
    return this.repository.dataSource.transaction(async (manager) => {
      const sitting = await this.repository.findSitting(id, manager, true);
      if (!sitting) throw new ExamsError('SITTING_NOT_FOUND');
      const proctorIds = await this.checkProctors(userIds, manager);
      await this.repository.replaceProctors(id, proctorIds, manager);
      await this.audit.record(
        {
          action: 'sitting.proctors_changed',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'sitting',
          targetId: id,
          targetLabel: sitting.title,
          ip: actor.ip,
          requestId: actor.requestId,
          detail: { before: sitting.proctors.map((p) => p.id), after: proctorIds },
        },
        manager,
      );
      return (await this.repository.findSitting(id, manager))!;
    });
  }

  private checkWindow(opensAt: Date, closesAt: Date, creating: boolean): void {
    if (closesAt.getTime() <= opensAt.getTime()) throw new ProctoringError('WINDOW_INVALID', {}, { closesAt: ['proctoring.validation.closesAfterOpens'] });
    if (creating && closesAt.getTime() <= Date.now()) throw new ProctoringError('WINDOW_INVALID', {}, { closesAt: ['proctoring.validation.closesInPast'] });
  }

  private async checkProctors(ids: string[], manager: EntityManager): Promise<string[]> {
    const unique = [...new Set(ids)];
    const found = new Set(await this.repository.activeProctorIds(unique, manager));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length) throw new ProctoringError('NOT_A_PROCTOR', { ids: missing.join(', ') }, { proctorIds: ['proctoring.errors.NOT_A_PROCTOR'] });
    return unique;
  }

  // ---- candidates: list, register, withdraw ---------------------------------------------------

  /** Sittings not yet closed of the certification exams this person may take, and their own registrations. */
  async forCandidate(principal: Principal, page: PageRequest): Promise<CandidateSittings> {
    const locale = principal.locale;
    const exams = (await this.exams.list('published')).filter((e) => e.mode === 'certification');
    const eligible: Exam[] = [];
    const ineligible: CandidateSittings['ineligible'] = [];
    for (const exam of exams) {
      const verdict = await this.eligibility.check(principal.id, exam);
      if (verdict.eligible) eligible.push(exam);
      else
        ineligible.push({
          examId: exam.id,
          examTitle: pickText(exam.title, locale, ['zh-CN', 'en']),
          reasonCode: verdict.reasonCode ?? 'NOT_PUBLISHED',
          reason: translate(locale, `exams.ineligible.${verdict.reasonCode ?? 'NOT_PUBLISHED'}`, { retryAt: verdict.retryAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '' }),
        });
    }
    const mine = await this.repository.myRegistrations(principal.id);
    const liveByExam = new Map(mine.filter((r) => LIVE.has(r.state)).map((r) => [r.examId, r]));
    const { items, total } = await this.repository.listSittings({ phase: 'current', examIds: eligible.map((e) => e.id) }, page);
    const now = Date.now();
    return {
      page: toPage(
        items.map((s) => {
          const live = liveByExam.get(s.examId);
          const here = live && live.sittingId === s.id ? live : null;
          return {
            id: s.id,
            title: s.title,
            examId: s.examId,
            examTitle: pickText(s.examTitle, locale, ['zh-CN', 'en']),
            opensAt: s.opensAt,
            closesAt: s.closesAt,
            phase: phaseOf(s, now),
            timeLimitMinutes: Math.round(s.timeLimitSeconds / 60),
            seatsLeft: Math.max(0, s.capacity - s.registered),
            autoAdmit: s.autoAdmit,
            myAttemptId: here?.attemptId ?? null,
            myState: here?.state ?? null,
            registeredElsewhere: Boolean(live && !here),
          };
        }),
        total,
        page,
      ),
      registrations: mine.map((r) => ({
        ...r,
        examTitle: pickText(r.examTitle, locale, ['zh-CN', 'en']),
        phase: phaseOf(r, now),
        canWithdraw: r.state === 'registered' || (r.state === 'admitted' && r.autoAdmit),
        canAppeal: r.state === 'invalidated' && r.appealStatus === null,
      })),
      ineligible,
    };
  }

  /**
   * Registers the caller for a sitting. Checked in this order, under a lock on the sitting so
   * that two last-seat registrations cannot both succeed: the window (not closed), the access
   * code, eligibility, one live registration per exam, capacity. An auto-admitting sitting
   * admits at once (with a staggered start when set).
   */
  async register(principal: Principal, sittingId: string, accessCode: string, actor: Actor): Promise<{ attemptId: string; state: string; sittingId: string; notBefore: Date | null }> {
    try {
      return await this.repository.dataSource.transaction(async (manager) => {
        const sitting = await this.repository.findSitting(sittingId, manager, true);
        if (!sitting || sitting.examMode !== 'certification') throw new ExamsError('SITTING_NOT_FOUND');
        if (sitting.closesAt.getTime() <= Date.now() || sitting.examStatus !== 'published') throw new ExamsError('SITTING_CLOSED');
        if (!sameAccessCode(accessCode, sitting.accessCode)) throw new ExamsError('WRONG_ACCESS_CODE', {}, { accessCode: ['exams.errors.WRONG_ACCESS_CODE'] });
        const exam = await this.exams.get(sitting.examId);
        const verdict = await this.eligibility.check(principal.id, exam, manager);
        if (!verdict.eligible) {
          const reason = translate(principal.locale, `exams.ineligible.${verdict.reasonCode ?? 'NOT_PUBLISHED'}`, { retryAt: verdict.retryAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '' });
          throw new ExamsError('NOT_ELIGIBLE', { reason }, undefined, { reason: verdict.reasonCode });
        }
        if (await this.repository.liveAttemptId(principal.id, exam.id, manager)) throw new ExamsError('ALREADY_REGISTERED');
        const seats = await this.repository.countSeats(sitting.id, manager);
        if (seats >= sitting.capacity) throw new ExamsError('SITTING_FULL');
        const attemptId = await this.repository.insertRegistration({ examId: exam.id, userId: principal.id, sittingId: sitting.id, seed: randomInt(1, 2 ** 31 - 1) }, manager);
        await this.repository.insertAttemptEvent({ attemptId, kind: 'transition', type: 'register', actorId: principal.id, from: null, to: 'registered', detail: { sittingId: sitting.id } }, manager);
        let notBefore: Date | null = null;
        if (sitting.autoAdmit) {
          const attempt = await this.attempts.lock(attemptId, manager);
          notBefore = staggeredStart(sitting.opensAt, sitting.staggerSeconds);
          await this.attempts.transition(
            attempt,
            'admit',
            manager,
            { actorId: null, reason: 'the sitting admits registrations automatically', detail: { auto: true, notBefore: notBefore?.toISOString() ?? null } },
            { admitted_at: new Date(), not_before: notBefore },
          );
        }
        await this.audit.record(
          {
            action: 'sitting.registered',
            actorId: actor.id,
            actorLabel: actor.label,
            targetType: 'attempt',
            targetId: attemptId,
            targetLabel: sitting.title,
            organisationId: principal.organisationId,
            ip: actor.ip,
            requestId: actor.requestId,
            detail: { sittingId: sitting.id, examId: exam.id, autoAdmitted: sitting.autoAdmit },
          },
          manager,
        );
        return { attemptId, state: sitting.autoAdmit ? 'admitted' : 'registered', sittingId: sitting.id, notBefore };
      });
    } catch (error) {
      // Two registrations racing across sittings of one exam: the unique index on live attempts decides.
      if (error instanceof QueryFailedError && (error.driverError as { constraint?: string } | undefined)?.constraint === 'attempts_one_live_idx') throw new ExamsError('ALREADY_REGISTERED');
      throw error;
    }
  }

  /** Withdraws the caller's registration: before admission, or (auto-admitting sittings) before the start. */
  async withdraw(principal: Principal, sittingId: string, actor: Actor): Promise<{ attemptId: string; state: string }> {
    return this.repository.dataSource.transaction(async (manager) => {
      const sitting = await this.repository.findSitting(sittingId, manager);
      if (!sitting) throw new ExamsError('SITTING_NOT_FOUND');
      const mine = (await this.repository.myRegistrations(principal.id)).find((r) => r.sittingId === sittingId && LIVE.has(r.state));
      if (!mine) throw new ProctoringError('REGISTRATION_NOT_FOUND');
      const attempt = await this.attempts.lock(mine.attemptId, manager);
      if (!(attempt.state === 'registered' || (attempt.state === 'admitted' && sitting.autoAdmit))) throw new ProctoringError('WITHDRAW_NOT_ALLOWED', { state: attempt.state });
      await this.attempts.transition(attempt, 'withdraw', manager, { actorId: principal.id, reason: 'withdrawn by the candidate' });
      await this.audit.record(
        {
          action: 'sitting.withdrawn',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'attempt',
          targetId: attempt.id,
          targetLabel: sitting.title,
          organisationId: principal.organisationId,
          ip: actor.ip,
          requestId: actor.requestId,
          detail: { sittingId },
        },
        manager,
      );
      return { attemptId: attempt.id, state: attempt.state };
    });
  }
}
