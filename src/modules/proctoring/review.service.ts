import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { Forbidden, ValidationFailed } from '../../infra/http/app-error';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { AttemptsService } from '../exams/attempts.service';
import { ExamsError } from '../exams/exams.errors';
import { pickText } from '../question-banks/domain/question';
import { Actor } from '../organisations/organisations.service';
import { ProctoringError } from './proctoring.errors';
import { ProctoringRepository } from './proctoring.repository';
import { Appeal, AppealRow, AppealStatus, ReviewAttempt, ReviewRow } from './proctoring.types';
import { SittingsService } from './sittings.service';

export interface TimelineEntry {
  id: string;
  at: Date;
  kind: string;
  type: string;
  actor: string | null;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  summary: string;
}

export type ReviewRowView = Omit<ReviewRow, 'examTitle'> & { examTitle: string };
export type ReviewAttemptView = Omit<ReviewAttempt, 'examTitle'> & { examTitle: string };

export interface ReviewDetail {
  attempt: ReviewAttemptView;
  timeline: TimelineEntry[];
  appeal: Appeal | null;
  canDecide: boolean;
  canResolveAppeal: boolean;
}

/** A short line for an event's detail: the words that matter, not the JSON. */
export function summarise(detail: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(detail)) {
    if (value === null || value === undefined || value === '') continue;
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    if (key === 'text') {
      parts.unshift(shown);
      continue;
    }
    parts.push(`${key}: ${shown}`);
  }
  const line = parts.join(' · ');
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}

/**
 * The review queue and appeals. A flagged attempt is held in `under_review` by the exams
 * module; here a proctor of its sitting (or platform staff) clears it — passed or failed by its
 * score — or invalidates it with a reason. The candidate may appeal an invalidation once;
 * platform staff resolve the appeal: upheld sends the attempt back to review for a new decision,
 * rejected leaves it invalidated. Each step is recorded on the timeline and in the audit log.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly repository: ProctoringRepository,
    private readonly sittings: SittingsService,
    private readonly attempts: AttemptsService,
    private readonly audit: AuditService,
  ) {}

  private title<T extends { examTitle: Record<string, string> }>(row: T, locale: string): Omit<T, 'examTitle'> & { examTitle: string } {
    return { ...row, examTitle: pickText(row.examTitle, locale, ['zh-CN', 'en']) };
  }

  async queue(principal: Principal, page: PageRequest): Promise<Page<ReviewRowView>> {
    const { items, total } = await this.repository.reviewQueue({ proctorId: principal.role === 'platform_staff' ? undefined : principal.id }, page);
    return toPage(
      items.map((r) => this.title(r, principal.locale)),
      total,
      page,
    );
  }

  /** Staff review anything; a proctor only attempts of their sittings (practice attempts have no proctor). */
  private async assertMayReview(principal: Principal, attempt: { sittingId: string | null }): Promise<void> {
    if (principal.role === 'platform_staff') return;
    if (!attempt.sittingId || !(await this.sittings.mayProctor(principal, attempt.sittingId))) throw new ExamsError('NOT_YOUR_SITTING');
  }

  async detail(principal: Principal, attemptId: string): Promise<ReviewDetail> {
    const attempt = await this.repository.reviewAttempt(attemptId);
    if (!attempt) throw new ExamsError('ATTEMPT_NOT_FOUND');
    await this.assertMayReview(principal, attempt);
    const events = await this.attempts.timeline(attemptId);
    const names = await this.repository.userNames([...new Set(events.map((e) => e.actorId).filter((id): id is string => Boolean(id)))]);
    const appeal = await this.repository.appealOfAttempt(attemptId);
    return {
      attempt: this.title(attempt, principal.locale),
      timeline: events.map((e) => ({
        id: e.id,
        at: e.at,
        kind: e.kind,
        type: e.type,
        actor: e.actorId ? (names.get(e.actorId) ?? null) : null,
        fromState: e.fromState,
        toState: e.toState,
        reason: e.reason,
        summary: summarise(e.detail),
      })),
      appeal,
      canDecide: attempt.state === 'under_review',
      canResolveAppeal: principal.role === 'platform_staff' && appeal?.status === 'open',
    };
  }

  /** Clear (passed or failed by the score) or invalidate (reason required) an attempt under review. */
  async decide(principal: Principal, attemptId: string, input: { decision: 'clear' | 'invalidate'; reason: string | null }, actor: Actor): Promise<{ attemptId: string; state: string }> {
    return this.repository.dataSource.transaction(async (manager) => {
      const attempt = await this.attempts.lock(attemptId, manager);
      await this.assertMayReview(principal, attempt);
      if (attempt.state !== 'under_review') throw new ProctoringError('NOT_UNDER_REVIEW', { state: attempt.state });
      if (input.decision === 'invalidate' && !input.reason) throw new ValidationFailed({ reason: ['proctoring.validation.reasonRequired'] });
      const decidedAt = new Date();
      if (input.decision === 'clear') {
        const name = attempt.passed ? 'pass' : 'fail';
        await this.attempts.transition(
          attempt,
          name,
          manager,
          { actorId: principal.id, reason: input.reason ?? `cleared on review: ${attempt.scorePercent ?? 0}%`, detail: { review: 'clear', flagReasons: attempt.flagReasons } },
          { decided_at: decidedAt },
        );
      } else {
        await this.attempts.transition(attempt, 'invalidate', manager, { actorId: principal.id, reason: input.reason, detail: { review: 'invalidate', flagReasons: attempt.flagReasons } }, { decided_at: decidedAt });
      }
      const row = (await this.repository.reviewAttempt(attemptId, manager))!;
      await this.audit.record(
        {
          action: input.decision === 'clear' ? 'attempt.cleared' : 'attempt.invalidated',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'attempt',
          targetId: attemptId,
          targetLabel: row.candidateName,
          organisationId: row.organisationId,
          ip: actor.ip,
          requestId: actor.requestId,
          detail: { to: attempt.state, reason: input.reason, scorePercent: row.scorePercent, flagReasons: row.flagReasons },
        },
        manager,
      );
      return { attemptId, state: attempt.state };
    });
  }

  // ---- appeals --------------------------------------------------------------------------------

  /** The candidate's view of one of their attempts for the appeal page. */
  async appealPage(principal: Principal, attemptId: string): Promise<{ attempt: ReviewAttemptView; appeal: Appeal | null; invalidation: TimelineEntry | null; canAppeal: boolean }> {
    const attempt = await this.repository.reviewAttempt(attemptId);
    if (!attempt || attempt.userId !== principal.id) throw new ExamsError('ATTEMPT_NOT_FOUND');
    const appeal = await this.repository.appealOfAttempt(attemptId);
    const events = await this.attempts.timeline(attemptId);
    const last = [...events].reverse().find((e) => e.kind === 'transition' && e.type === 'invalidate') ?? null;
    return {
      attempt: this.title(attempt, principal.locale),
      appeal,
      invalidation: last ? { id: last.id, at: last.at, kind: last.kind, type: last.type, actor: null, fromState: last.fromState, toState: last.toState, reason: last.reason, summary: '' } : null,
      canAppeal: attempt.state === 'invalidated' && appeal === null,
    };
  }

  /** Once per attempt, only while invalidated (the unique attempt_id on appeals is the backstop). */
  async fileAppeal(principal: Principal, attemptId: string, reason: string, actor: Actor): Promise<Appeal> {
    try {
      return await this.repository.dataSource.transaction(async (manager) => {
        const attempt = await this.attempts.lock(attemptId, manager);
        if (attempt.userId !== principal.id) throw new ExamsError('ATTEMPT_NOT_FOUND');
        if (attempt.state !== 'invalidated' || (await this.repository.appealOfAttempt(attemptId, manager))) throw new ExamsError('APPEAL_NOT_ALLOWED');
        const id = await this.repository.insertAppeal(attemptId, reason, manager);
        await this.repository.insertAttemptEvent({ attemptId, kind: 'note', type: 'appeal_filed', actorId: principal.id, reason, detail: { appealId: id } }, manager);
        await this.audit.record(
          { action: 'appeal.filed', actorId: actor.id, actorLabel: actor.label, targetType: 'attempt', targetId: attemptId, organisationId: principal.organisationId, ip: actor.ip, requestId: actor.requestId, detail: { appealId: id } },
          manager,
        );
        return (await this.repository.findAppeal(id, manager))!;
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === '23505') throw new ExamsError('APPEAL_NOT_ALLOWED');
      throw error;
    }
  }

  async listAppeals(principal: Principal, filter: { status?: AppealStatus }, page: PageRequest): Promise<Page<Omit<AppealRow, 'examTitle'> & { examTitle: string }>> {
    if (principal.role !== 'platform_staff') throw new Forbidden();
    const { items, total } = await this.repository.listAppeals(filter, page);
    return toPage(
      items.map((r) => this.title(r, principal.locale)),
      total,
      page,
    );
  }

  /** Staff only. Upheld: the attempt is reopened (back to review) for a new decision. Rejected: it stays invalidated. */
  async resolveAppeal(principal: Principal, appealId: string, input: { outcome: 'upheld' | 'rejected'; resolution: string }, actor: Actor): Promise<Appeal> {
    if (principal.role !== 'platform_staff') throw new Forbidden();
    return this.repository.dataSource.transaction(async (manager) => {
      const appeal = await this.repository.findAppeal(appealId, manager, true);
      if (!appeal) throw new ProctoringError('APPEAL_NOT_FOUND');
      if (appeal.status !== 'open') throw new ProctoringError('APPEAL_RESOLVED', { status: appeal.status });
      const attempt = await this.attempts.lock(appeal.attemptId, manager);
      await this.repository.resolveAppeal(appealId, input.outcome, input.resolution, principal.id, manager);
      if (input.outcome === 'upheld') {
        await this.attempts.transition(attempt, 'reopen', manager, { actorId: principal.id, reason: input.resolution, detail: { appealId } }, { decided_at: null });
      } else {
        await this.repository.insertAttemptEvent({ attemptId: attempt.id, kind: 'note', type: 'appeal_rejected', actorId: principal.id, reason: input.resolution, detail: { appealId } }, manager);
      }
      const row = (await this.repository.reviewAttempt(attempt.id, manager))!;
      await this.audit.record(
        {
          action: input.outcome === 'upheld' ? 'appeal.upheld' : 'appeal.rejected',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'attempt',
          targetId: attempt.id,
          targetLabel: row.candidateName,
          organisationId: row.organisationId,
          ip: actor.ip,
          requestId: actor.requestId,
          detail: { appealId, resolution: input.resolution },
        },
        manager,
      );
      return (await this.repository.findAppeal(appealId, manager))!;
    });
  }
}
