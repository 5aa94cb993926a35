import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { AuditAction } from '../audit/audit.types';
import { AuditService } from '../audit/audit.service';
import { AttemptsService } from '../exams/attempts.service';
import { ExamsError } from '../exams/exams.errors';
import { Attempt } from '../exams/exams.types';
import { pickText } from '../question-banks/domain/question';
import { Actor } from '../organisations/organisations.service';
import { ProctoringError } from './proctoring.errors';
import { ProctoringRepository } from './proctoring.repository';
import { ConsoleRow, IdDocumentType, IdentityCheck, Sitting, SittingPhase } from './proctoring.types';
import { phaseOf, staggeredStart } from './sitting-rules';
import { SittingsService } from './sittings.service';

/** What a proctor may do to one attempt from the console. */
export type ConsoleAction =
  | { kind: 'admit'; documentType: IdDocumentType; documentLast4: string; note: string | null }
  | { kind: 'pause'; reason: string | null }
  | { kind: 'resume'; reason: string | null }
  | { kind: 'addTime'; minutes: number; reason: string | null }
  | { kind: 'message'; text: string }
  | { kind: 'terminate'; reason: string }
  | { kind: 'note'; text: string; flag: boolean };

export type ConsoleActionKind = ConsoleAction['kind'];

export interface ConsoleRowView extends ConsoleRow {
  /** seconds left on the server clock when the row was read (frozen while paused) */
  remainingSeconds: number | null;
  can: Record<ConsoleActionKind, boolean>;
}

export interface ConsoleSnapshot {
  serverTime: string;
  sitting: { id: string; title: string; examTitle: string; opensAt: Date; closesAt: Date; phase: SittingPhase; capacity: number; registered: number; autoAdmit: boolean; staggerSeconds: number; accessCode: string };
  attempts: ConsoleRowView[];
}

const LIVE = ['in_progress', 'paused'];

export function remainingOf(row: Pick<ConsoleRow, 'state' | 'deadlineAt' | 'pausedAt'>, now = Date.now()): number | null {
  if (!row.deadlineAt) return null;
  if (row.state === 'paused') return Math.max(0, Math.floor((row.deadlineAt.getTime() - (row.pausedAt?.getTime() ?? now)) / 1000));
  if (row.state === 'in_progress') return Math.max(0, Math.floor((row.deadlineAt.getTime() - now) / 1000));
  return null;
}

export function allowedActions(state: ConsoleRow['state']): Record<ConsoleActionKind, boolean> {
  const live = LIVE.includes(state);
  return {
    admit: state === 'registered',
    pause: state === 'in_progress',
    resume: state === 'paused',
    addTime: live,
    message: live,
    terminate: live,
    note: state !== 'withdrawn',
  };
}

export const viewOf = (row: ConsoleRow, now = Date.now()): ConsoleRowView => ({ ...row, remainingSeconds: remainingOf(row, now), can: allowedActions(row.state) });

const AUDIT_OF: Record<ConsoleActionKind, AuditAction> = {
  admit: 'attempt.admitted',
  pause: 'attempt.paused',
  resume: 'attempt.resumed',
  addTime: 'attempt.time_added',
  message: 'attempt.messaged',
  terminate: 'attempt.terminated',
  note: 'attempt.irregularity_noted',
};

/**
 * The proctor console: a sitting's attempts as they stand, and the actions on one attempt.
 * Only proctors assigned to the sitting (or platform staff) may see or act (NOT_YOUR_SITTING).
 * Each action is one transaction: lock the attempt, act through AttemptsService (which records
 * the attempt event), write the audit record.
 */
@Injectable()
export class ProctorConsoleService {
  constructor(
    private readonly repository: ProctoringRepository,
    private readonly sittings: SittingsService,
    private readonly attempts: AttemptsService,
    private readonly audit: AuditService,
  ) {}

  async snapshot(principal: Principal, sittingId: string): Promise<ConsoleSnapshot> {
    const sitting = await this.sittings.getForProctor(principal, sittingId);
    return this.snapshotOf(sitting, principal.locale);
  }

  async snapshotOf(sitting: Sitting, locale: string): Promise<ConsoleSnapshot> {
    const now = Date.now();
    const rows = await this.repository.consoleRows(sitting.id);
    return {
      serverTime: new Date(now).toISOString(),
      sitting: {
        id: sitting.id,
        title: sitting.title,
        examTitle: pickText(sitting.examTitle, locale, ['zh-CN', 'en']),
        opensAt: sitting.opensAt,
        closesAt: sitting.closesAt,
        phase: phaseOf(sitting, now),
        capacity: sitting.capacity,
        registered: sitting.registered,
        autoAdmit: sitting.autoAdmit,
        staggerSeconds: sitting.staggerSeconds,
        accessCode: sitting.accessCode,
      },
      attempts: rows.map((r) => viewOf(r, now)),
    };
  }

  /** The rows only: what the live stream polls. */
  rows(sittingId: string): Promise<ConsoleRow[]> {
    return this.repository.consoleRows(sittingId);
  }

  mayProctor(principal: Principal, sittingId: string): Promise<boolean> {
    return this.sittings.mayProctor(principal, sittingId);
  }

  async act(principal: Principal, attemptId: string, action: ConsoleAction, actor: Actor): Promise<ConsoleRowView> {
    await this.repository.dataSource.transaction(async (manager) => {
      const attempt = await this.attempts.lock(attemptId, manager);
      if (!attempt.sittingId) throw new ProctoringError('NOT_PROCTORED');
      const sitting = await this.sittings.getForProctor(principal, attempt.sittingId, manager);
      const before = attempt.state;
      const detail = await this.perform(attempt, sitting, action, principal, manager);
      const row = (await this.repository.consoleRow(attempt.id, manager))!;
      await this.audit.record(
        {
          action: AUDIT_OF[action.kind],
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'attempt',
          targetId: attempt.id,
          targetLabel: `${row.name} · ${sitting.title}`,
          ip: actor.ip,
          requestId: actor.requestId,
          detail: { sittingId: sitting.id, from: before, to: attempt.state, ...detail },
        },
        manager,
      );
    });
    return viewOf((await this.repository.consoleRow(attemptId))!);
  }

  private async perform(attempt: Attempt, sitting: Sitting, action: ConsoleAction, principal: Principal, manager: EntityManager): Promise<Record<string, unknown>> {
    switch (action.kind) {
      case 'admit': {
        if (sitting.closesAt.getTime() <= Date.now()) throw new ExamsError('SITTING_CLOSED');
        const check: IdentityCheck = {
          documentType: action.documentType,
          documentLast4: action.documentLast4.toUpperCase(),
          note: action.note,
          checkedBy: principal.id,
          checkedByName: principal.name,
          checkedAt: new Date().toISOString(),
        };
        const notBefore = staggeredStart(sitting.opensAt, sitting.staggerSeconds);
        await this.attempts.transition(
          attempt,
          'admit',
          manager,
          { actorId: principal.id, reason: 'identity checked by the proctor', detail: { documentType: check.documentType, documentLast4: check.documentLast4, note: check.note, notBefore: notBefore?.toISOString() ?? null } },
          { admitted_at: new Date(), identity_check: JSON.stringify(check), not_before: notBefore },
        );
        return { documentType: check.documentType, documentLast4: check.documentLast4, notBefore: notBefore?.toISOString() ?? null };
      }
      case 'pause':
        await this.attempts.pause(attempt, principal.id, action.reason, manager);
        return { reason: action.reason };
      case 'resume': {
        const deadlineAt = await this.attempts.resume(attempt, principal.id, action.reason, manager);
        return { reason: action.reason, deadlineAt: deadlineAt.toISOString() };
      }
      case 'addTime': {
        const deadlineAt = await this.attempts.addTime(attempt, action.minutes * 60, principal.id, action.reason, manager);
        return { minutes: action.minutes, reason: action.reason, deadlineAt: deadlineAt.toISOString() };
      }
      case 'message':
        if (!LIVE.includes(attempt.state)) throw new ExamsError('ATTEMPT_NOT_IN_PROGRESS', { state: attempt.state });
        await this.attempts.message(attempt, principal.id, action.text, manager);
        return { text: action.text };
      case 'terminate': {
        const receipt = await this.attempts.terminate(attempt, principal.id, action.reason, manager);
        return { reason: action.reason, answered: receipt.answered };
      }
      case 'note':
        if (attempt.state === 'withdrawn') throw new ExamsError('TRANSITION_REFUSED', { transition: 'note', state: attempt.state });
        await this.attempts.note(attempt, principal.id, action.text, action.flag, manager);
        return { text: action.text, flag: action.flag };
    }
  }
}
