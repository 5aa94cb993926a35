import { Injectable } from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { NotSignedIn } from '../../infra/http/app-error';
import { Outbox } from '../../infra/queue/outbox';
import { CandidateQuestion, candidateView, opaqueIdMap, resolveResponse, seededRandom, shuffled } from '../question-banks/candidate-view';
import { QuestionContent } from '../question-banks/domain/question';
import { gradeResponse, validateResponseShape } from '../question-banks/grading';
import { QuestionBanksService } from '../question-banks/question-banks.service';
import { assertTransition, AttemptState, planTransitions, TransitionName, TransitionRefused } from './domain/attempt-state';
import { drawBlueprint } from './domain/blueprint';
import { DEFAULT_INTEGRITY_THRESHOLDS, flagsFor, SignalType } from './domain/integrity';
import { answerSetHash } from './domain/receipt';
import { scoreAttempt } from './domain/scoring';
import { ExamsError } from './exams.errors';
import { ExamsRepository } from './exams.repository';
import { Attempt, AttemptItemRow, Exam, Receipt } from './exams.types';
import { ExamEligibility } from './exam-eligibility';

export interface ItemView {
  itemId: string;
  position: number;
  type: string;
  stem: string;
  title: string | null;
  options: { id: string; text: string }[];
  gaps: number;
  prompts: { id: string; text: string }[];
  matches: { id: string; text: string }[];
  multiple: boolean;
  points: number;
  response: unknown;
  seq: number;
  savedAt: Date | null;
  marked: boolean;
}

export interface AttemptView {
  attemptId: string;
  examId: string;
  state: AttemptState;
  startedAt: Date | null;
  deadlineAt: Date | null;
  remainingSeconds: number | null;
  serverTime: string;
  paused: boolean;
  items: ItemView[];
  receipt: Receipt | null;
}

export interface Meta {
  ip: string | null;
  clientSession: string | null;
}

const itemSeed = (attempt: { seed: number }, position: number) => (attempt.seed + position * 7919) >>> 0;
/** Submission batches in flight at once (each holds one pool connection), and attempts per batch. */
const SUBMIT_BATCHES = 4;
const SUBMIT_BATCH_SIZE = 100;
interface PendingSubmission {
  attemptId: string;
  userId: string;
  /** One check per caller waiting on this submission: has that caller hung up? */
  callers: (() => boolean)[];
  /**
   * The sign-in sessions of the callers (null for an API token, already checked): the batch
   * checks them against the sessions table, so a principal cached by the lean route cannot
   * submit after signing out.
   */
  sessionIds: (string | null)[];
  resolve: (receipt: Receipt) => void;
  reject: (error: unknown) => void;
}
type ItemGradeStatus = 'graded' | 'needs_human' | 'not_scored' | 'unanswered';

/**
 * One candidate's run at an exam: start (drawing questions by blueprint), resume, save answers,
 * integrity signals, submit with a receipt, auto-submit at the deadline, grade. Every state
 * change goes through the transition table and is recorded with actor, time and reason.
 */
@Injectable()
export class AttemptsService {
  /** Versions are immutable, and an attempt's items never change after start: safe to cache. */
  private readonly itemCache = new Map<string, { userId: string; seed: number; graceSeconds: number; items: Map<string, { versionId: string; position: number; idMap: ReadonlyMap<string, string> | null }> }>();
  private readonly contentCache = new Map<string, QuestionContent>();
  private readonly examCache = new Map<string, { exam: Exam; until: number }>();
  private readonly submitting = new Map<string, { request: PendingSubmission; promise: Promise<Receipt> }>();
  private readonly submitQueue: PendingSubmission[] = [];
  private submitBatchesRunning = 0;

  constructor(
    private readonly repository: ExamsRepository,
    private readonly banks: QuestionBanksService,
    private readonly outbox: Outbox,
    private readonly eligibility: ExamEligibility,
  ) {}

  // ---- transitions ------------------------------------------------------------------------

  async transition(
    attempt: Attempt,
    name: TransitionName,
    manager: EntityManager,
    by: { actorId: string | null; reason?: string | null; detail?: Record<string, unknown> },
    fields: Record<string, unknown> = {},
  ): Promise<AttemptState> {
    let to: AttemptState;
    try {
      to = assertTransition(name, attempt.state);
    } catch (error) {
      if (error instanceof TransitionRefused) throw new ExamsError('TRANSITION_REFUSED', { transition: name, state: attempt.state });
      throw error;
    }
    await this.repository.updateAttempt(attempt.id, { state: to, ...fields }, manager);
    await this.repository.insertEvent(
      { attemptId: attempt.id, kind: 'transition', type: name, actorId: by.actorId, from: attempt.state, to, reason: by.reason ?? null, detail: by.detail },
      manager,
    );
    await this.announce(attempt.id, to, manager);
    attempt.state = to;
    return to;
  }

  /**
   * Other modules act on decisions (certificates issue on a pass and revoke on a later
   * invalidation) through jobs relayed after commit, so exams never depends on them.
   */
  private async announce(attemptId: string, to: AttemptState, manager: EntityManager): Promise<void> {
    if (to === 'passed') await this.outbox.add(manager, 'attempt.passed', { attemptId }, { jobId: `attempt.passed-${attemptId}` });
    if (to === 'invalidated') await this.outbox.add(manager, 'attempt.invalidated', { attemptId }, { jobId: `attempt.invalidated-${attemptId}-${Date.now()}` });
  }

  // ---- start --------------------------------------------------------------------------------

  async start(principal: Principal, examId: string, meta: Meta): Promise<{ view: AttemptView; created: boolean }> {
    const { attemptId, created } = await this.repository.dataSource.transaction(async (manager) => {
      const exam = await this.repository.findExam(examId, manager);
      if (!exam || exam.status !== 'published') throw new ExamsError('EXAM_NOT_FOUND');
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`attempt:${principal.id}:${examId}`]);
      const live = await this.repository.liveAttempt(principal.id, examId, manager);
      if (live && (live.state === 'in_progress' || live.state === 'paused')) return { attemptId: live.id, created: false };
      let attempt: Attempt;
      if (exam.mode === 'certification') {
        if (!live || live.state !== 'admitted') throw new ExamsError(live ? 'NOT_ADMITTED' : 'NOT_ADMITTED');
        const sitting: { opens_at: Date; closes_at: Date }[] = await manager.query(`SELECT opens_at, closes_at FROM sittings WHERE id = $1`, [live.sittingId]);
        const now = Date.now();
        if (!sitting[0] || now > sitting[0].closes_at.getTime()) throw new ExamsError('SITTING_CLOSED');
        if (now < sitting[0].opens_at.getTime()) throw new ExamsError('NOT_YET', { seconds: Math.ceil((sitting[0].opens_at.getTime() - now) / 1000) });
        if (live.notBefore && now < live.notBefore.getTime()) {
          throw new ExamsError('NOT_YET', { seconds: Math.ceil((live.notBefore.getTime() - now) / 1000) }, undefined, { retryAfterSeconds: Math.ceil((live.notBefore.getTime() - now) / 1000) });
        }
        attempt = live;
      } else {
        const verdict = await this.eligibility.check(principal.id, exam, manager);
        if (!verdict.eligible) throw new ExamsError('NOT_ELIGIBLE', { reason: verdict.reason ?? '' }, undefined, { reason: verdict.reasonCode });
        const [{ time_multiplier }]: { time_multiplier: string }[] = await manager.query(`SELECT time_multiplier FROM users WHERE id = $1`, [principal.id]);
        const id = await this.repository.insertAttempt(
          { examId, userId: principal.id, sittingId: null, state: 'registered', seed: randomInt(1, 2 ** 31 - 1), timeMultiplier: Number(time_multiplier) },
          manager,
        );
        attempt = (await this.repository.findAttempt(id, manager))!;
        await this.transition(attempt, 'admit', manager, { actorId: principal.id, reason: 'practice exams admit automatically' }, { admitted_at: new Date() });
      }
      await this.drawItems(attempt, exam, manager);
      const startedAt = new Date();
      const limitSeconds = Math.round(exam.timeLimitSeconds * attempt.timeMultiplier);
      const deadlineAt = new Date(startedAt.getTime() + limitSeconds * 1000);
      await this.transition(
        attempt,
        'start',
        manager,
        { actorId: principal.id, detail: { limitSeconds, timeMultiplier: attempt.timeMultiplier } },
        { started_at: startedAt, deadline_at: deadlineAt, client_session: meta.clientSession, last_ip: meta.ip, last_seen_at: startedAt },
      );
      await this.scheduleDeadline(attempt.id, deadlineAt, exam.graceSeconds, manager);
      return { attemptId: attempt.id, created: true };
    });
    return { view: await this.view(principal, attemptId, meta), created };
  }

  private async drawItems(attempt: Attempt, exam: Exam, manager: EntityManager): Promise<void> {
    const sections = await this.repository.sections(exam.id, manager);
    const tags = [...new Set(sections.flatMap((s) => s.tags))];
    const pool = await this.banks.pool(tags);
    const seen = await this.repository.seenQuestionIds(attempt.userId, exam.id, manager);
    const random = seededRandom(attempt.seed);
    let drawn;
    try {
      drawn = drawBlueprint(
        sections.map((s) => ({ id: s.id, tags: s.tags, types: s.types, difficulties: s.difficulties, bankId: s.bankId, questionCount: s.questionCount, pointsEach: s.pointsEach })),
        pool,
        seen,
        random,
      );
    } catch (error) {
      throw new ExamsError('BLUEPRINT_SHORT', { detail: error instanceof Error ? error.message : '' });
    }
    const ordered = exam.shuffleQuestions ? shuffled(drawn, random) : drawn;
    await this.repository.insertItems(
      attempt.id,
      ordered.map((d, position) => ({ position, itemId: randomBytes(9).toString('base64url'), sectionId: d.sectionId, questionId: d.questionId, versionId: d.versionId, points: d.points, topic: d.topic })),
      manager,
    );
  }

  /** The deadline job, through the outbox: written with the change, relayed after commit. */
  async scheduleDeadline(attemptId: string, deadlineAt: Date, graceSeconds: number, manager: EntityManager): Promise<void> {
    const runAt = new Date(deadlineAt.getTime() + graceSeconds * 1000);
    await this.outbox.add(manager, 'attempt.autoSubmit', { attemptId }, { jobId: `autoSubmit-${attemptId}-${runAt.getTime()}`, runAt });
  }

  // ---- reading ------------------------------------------------------------------------------

  private async contents(versionIds: string[]): Promise<Map<string, QuestionContent>> {
    const missing = versionIds.filter((id) => !this.contentCache.has(id));
    if (missing.length) {
      const loaded = await this.banks.versionContents(missing);
      for (const [id, v] of loaded) this.contentCache.set(id, v.content);
      if (this.contentCache.size > 20000) for (const key of [...this.contentCache.keys()].slice(0, 5000)) this.contentCache.delete(key);
    }
    return new Map(versionIds.map((id) => [id, this.contentCache.get(id)!]));
  }

  async loadOwned(principal: Principal, attemptId: string, manager?: EntityManager): Promise<Attempt> {
    const attempt = await this.repository.findAttempt(attemptId, manager);
    if (!attempt || attempt.userId !== principal.id) throw new ExamsError('ATTEMPT_NOT_FOUND');
    return attempt;
  }

  remainingSeconds(attempt: Attempt, now = Date.now()): number | null {
    if (!attempt.deadlineAt) return null;
    const reference = attempt.state === 'paused' && attempt.pausedAt ? attempt.pausedAt.getTime() : now;
    if (attempt.state !== 'in_progress' && attempt.state !== 'paused') return 0;
    return Math.max(0, Math.floor((attempt.deadlineAt.getTime() - reference) / 1000));
  }

  /**
   * The attempt as its candidate sees it (questions without keys, saved answers with their seq).
   * A page opened with a new client session becomes the attempt's session: the older one is
   * told it was replaced (rule: the most recently opened session wins). It is a *second
   * concurrent* session — an integrity signal — only when the previous session was alive in the
   * last 30 s (pages send a heartbeat every 10 s); otherwise it is a resume (closed browser,
   * another device after a crash), recorded on the timeline without flagging.
   */
  async view(principal: Principal, attemptId: string, meta: Meta): Promise<AttemptView> {
    let attempt = await this.loadOwned(principal, attemptId);
    if (meta.clientSession && (attempt.state === 'in_progress' || attempt.state === 'paused') && attempt.clientSession !== meta.clientSession) {
      await this.repository.dataSource.transaction(async (manager) => {
        const locked = (await this.repository.findAttempt(attemptId, manager, true))!;
        if (locked.clientSession && locked.clientSession !== meta.clientSession) {
          const concurrent = locked.lastSeenAt !== null && Date.now() - locked.lastSeenAt.getTime() < 30_000;
          await this.repository.insertEvent(
            concurrent
              ? { attemptId, kind: 'signal', type: 'second_session', detail: { previous: locked.clientSession.slice(0, 8), ip: meta.ip } }
              : { attemptId, kind: 'note', type: 'session_resumed', detail: { previous: locked.clientSession.slice(0, 8), ip: meta.ip } },
            manager,
          );
        }
        await this.repository.updateAttempt(attemptId, { client_session: meta.clientSession, last_seen_at: new Date() }, manager);
        await this.applyFlags(locked, manager);
      });
      attempt = await this.loadOwned(principal, attemptId);
    }
    const items = await this.repository.items(attemptId);
    const contents = await this.contents(items.map((i) => i.questionVersionId));
    const exam = (await this.repository.findExam(attempt.examId))!;
    const locale = principal.locale;
    return {
      attemptId: attempt.id,
      examId: attempt.examId,
      state: attempt.state,
      startedAt: attempt.startedAt,
      deadlineAt: attempt.deadlineAt,
      remainingSeconds: this.remainingSeconds(attempt),
      serverTime: new Date().toISOString(),
      paused: attempt.state === 'paused',
      items: items.map((item) => this.itemView(item, contents.get(item.questionVersionId)!, attempt, exam, locale)),
      receipt: attempt.receiptSha256 ? this.receiptOf(attempt) : null,
    };
  }

  private itemView(item: AttemptItemRow, content: QuestionContent, attempt: Attempt, exam: Exam, locale: string): ItemView {
    const view: CandidateQuestion = candidateView(content, locale, { shuffleOptions: exam.shuffleOptions, seed: itemSeed(attempt, item.position), idKey: this.banks.idKey });
    return {
      itemId: item.itemId,
      position: item.position,
      type: view.type,
      stem: view.stem,
      title: view.title,
      options: view.options,
      gaps: view.gaps,
      prompts: view.prompts,
      matches: view.matches,
      multiple: view.multiple,
      points: item.points,
      response: item.response,
      seq: item.seq,
      savedAt: item.savedAt,
      marked: item.marked,
    };
  }

  // ---- saving answers (the hot path) -----------------------------------------------------

  private async itemIndex(userId: string, attemptId: string) {
    let cached = this.itemCache.get(attemptId);
    if (!cached) {
      const attempt = await this.repository.findAttempt(attemptId);
      if (!attempt || attempt.userId !== userId) throw new ExamsError('ATTEMPT_NOT_FOUND');
      const exam = (await this.repository.findExam(attempt.examId))!;
      const items = await this.repository.items(attemptId);
      cached = {
        userId,
        seed: attempt.seed,
        graceSeconds: exam.graceSeconds,
        items: new Map(items.map((i) => [i.itemId, { versionId: i.questionVersionId, position: i.position, idMap: null }])),
      };
      this.itemCache.set(attemptId, cached);
      if (this.itemCache.size > 20000) this.itemCache.delete(this.itemCache.keys().next().value!);
    }
    if (cached.userId !== userId) throw new ExamsError('ATTEMPT_NOT_FOUND');
    return cached;
  }

  /**
   * Saves one answer (the hot path: see infra/http/lean-routes.ts and exams/autosave.route.ts).
   * The shape is checked against the pinned question from memory; the write is one guarded
   * UPDATE that also re-checks the caller's session when there is one.
   */
  async saveAnswer(
    caller: { userId: string; sessionId: string | null },
    attemptId: string,
    itemId: string,
    body: { response: unknown; seq: number; marked?: boolean },
    meta: Meta,
  ): Promise<{ seq: number; savedAt: Date }> {
    const index = await this.itemIndex(caller.userId, attemptId);
    const item = index.items.get(itemId);
    if (!item) throw new ExamsError('ITEM_NOT_FOUND');
    if (body.response !== null && JSON.stringify(body.response).length > 100_000) {
      throw new ExamsError('RESPONSE_INVALID', { problem: 'the answer is longer than 100,000 characters' }, { response: ['the answer is longer than 100,000 characters'] });
    }
    if (body.response !== null) {
      const content = (await this.contents([item.versionId])).get(item.versionId)!;
      item.idMap ??= opaqueIdMap(content, { seed: itemSeed(index, item.position), idKey: this.banks.idKey });
      const resolved = resolveResponse(content, body.response, { seed: itemSeed(index, item.position), idKey: this.banks.idKey, idMap: item.idMap });
      const problem = validateResponseShape(content, resolved);
      if (problem) throw new ExamsError('RESPONSE_INVALID', { problem: problem.replace(/unknown:/g, '') }, { response: [problem.replace(/unknown:/g, '')] });
    }
    const outcome = await this.repository.saveAnswer(attemptId, itemId, caller.userId, body.response, body.seq, body.marked ?? null, meta.clientSession, index.graceSeconds, caller.sessionId);
    switch (outcome.kind) {
      case 'saved':
        return { seq: outcome.seq, savedAt: outcome.savedAt };
      case 'stale':
        // An older or repeated save: the newer answer stays; acknowledge with what is kept.
        return { seq: outcome.seq, savedAt: outcome.savedAt ?? new Date() };
      case 'refused':
        switch (outcome.reason) {
          case 'signed_out':
            throw new NotSignedIn();
          case 'not_found':
            throw new ExamsError('ITEM_NOT_FOUND');
          case 'deadline_passed':
            throw new ExamsError('DEADLINE_PASSED');
          case 'session_replaced':
            throw new ExamsError('SESSION_REPLACED');
          case 'not_in_progress':
            throw new ExamsError('ATTEMPT_NOT_IN_PROGRESS', { state: outcome.state ?? '' }, undefined, { state: outcome.state });
        }
    }
  }

  // ---- integrity signals -----------------------------------------------------------------

  /**
   * Records an integrity signal (or a heartbeat) and answers with the attempt's clock and any
   * messages from the proctor since `afterMessageId`, so the exam page stays in step.
   */
  async recordSignal(
    principal: Principal,
    attemptId: string,
    signal: { type: SignalType | 'heartbeat'; at?: Date; detail?: Record<string, unknown> },
    meta: Meta,
  ): Promise<{ state: AttemptState; remainingSeconds: number | null; deadlineAt: Date | null; messages: { id: string; at: Date; text: string }[] }> {
    await this.repository.dataSource.transaction(async (manager) => {
      const attempt = await this.repository.findAttempt(attemptId, manager, true);
      if (!attempt || attempt.userId !== principal.id) throw new ExamsError('ATTEMPT_NOT_FOUND');
      const live = attempt.state === 'in_progress' || attempt.state === 'paused';
      const fields: Record<string, unknown> = {};
      if (live) {
        const [{ gap }]: { gap: number | null }[] = await manager.query(`SELECT extract(epoch FROM now() - last_seen_at)::int AS gap FROM attempts WHERE id = $1`, [attemptId]);
        if (attempt.state === 'in_progress' && gap !== null && gap > 30) {
          await this.repository.insertEvent({ attemptId, kind: 'signal', type: 'heartbeat_gap', detail: { seconds: gap } }, manager);
        }
        fields.last_seen_at = new Date();
        if (meta.ip && attempt.lastIp && meta.ip !== attempt.lastIp) {
          await this.repository.insertEvent({ attemptId, kind: 'signal', type: 'ip_changed', detail: { from: attempt.lastIp, to: meta.ip } }, manager);
          fields.last_ip = meta.ip;
        }
      }
      if (signal.type !== 'heartbeat') {
        await this.repository.insertEvent({ attemptId, kind: 'signal', type: signal.type, detail: { ...(signal.detail ?? {}), clientAt: signal.at?.toISOString() ?? null } }, manager);
      }
      await this.repository.updateAttempt(attemptId, fields, manager);
      await this.applyFlags(attempt, manager);
    });
    const attempt = (await this.repository.findAttempt(attemptId))!;
    const after = Number((signal.detail as { afterMessageId?: unknown } | undefined)?.afterMessageId ?? 0) || 0;
    const messages = (await this.repository.events(attemptId, after))
      .filter((e) => e.kind === 'message')
      .map((e) => ({ id: e.id, at: e.at, text: typeof e.detail.text === 'string' ? e.detail.text : '' }));
    return { state: attempt.state, remainingSeconds: this.remainingSeconds(attempt), deadlineAt: attempt.deadlineAt, messages };
  }

  /** Flags the attempt when any signal reaches the exam's threshold. */
  async applyFlags(attempt: Attempt, manager: EntityManager): Promise<void> {
    const exam = (await this.repository.findExam(attempt.examId, manager))!;
    const counts = await this.repository.signalCounts(attempt.id, manager);
    const reasons = flagsFor(counts, { ...DEFAULT_INTEGRITY_THRESHOLDS, ...exam.integrityThresholds });
    const proctorFlags = attempt.flagReasons.filter((r) => !r.startsWith('signal:'));
    const all = [...new Set([...proctorFlags, ...reasons.map((r) => `signal:${r}`)])];
    if (all.length !== attempt.flagReasons.length || all.some((r) => !attempt.flagReasons.includes(r))) {
      await this.repository.updateAttempt(attempt.id, { flagged: all.length > 0, flag_reasons: all }, manager);
    }
  }

  // ---- the clock under a proctor's hand ----------------------------------------------------

  async lock(attemptId: string, manager: EntityManager): Promise<Attempt> {
    const attempt = await this.repository.findAttempt(attemptId, manager, true);
    if (!attempt) throw new ExamsError('ATTEMPT_NOT_FOUND');
    return attempt;
  }

  /** Pausing stops the clock: the time left is frozen until resume. */
  async pause(attempt: Attempt, actorId: string, reason: string | null, manager: EntityManager): Promise<void> {
    await this.transition(attempt, 'pause', manager, { actorId, reason }, { paused_at: new Date() });
  }

  /** Resuming moves the deadline by the paused time and schedules the deadline job anew. */
  async resume(attempt: Attempt, actorId: string, reason: string | null, manager: EntityManager): Promise<Date> {
    const exam = (await this.repository.findExam(attempt.examId, manager))!;
    const pausedMs = attempt.pausedAt ? Date.now() - attempt.pausedAt.getTime() : 0;
    const deadlineAt = new Date((attempt.deadlineAt?.getTime() ?? Date.now()) + pausedMs);
    await this.transition(attempt, 'resume', manager, { actorId, reason, detail: { pausedSeconds: Math.round(pausedMs / 1000) } }, { paused_at: null, deadline_at: deadlineAt });
    await this.scheduleDeadline(attempt.id, deadlineAt, exam.graceSeconds, manager);
    this.itemCache.delete(attempt.id);
    return deadlineAt;
  }

  /** Extra time from a proctor: the deadline moves, recorded, and the deadline job follows. */
  async addTime(attempt: Attempt, seconds: number, actorId: string, reason: string | null, manager: EntityManager): Promise<Date> {
    if (attempt.state !== 'in_progress' && attempt.state !== 'paused') throw new ExamsError('ATTEMPT_NOT_IN_PROGRESS', { state: attempt.state });
    const exam = (await this.repository.findExam(attempt.examId, manager))!;
    const deadlineAt = new Date(attempt.deadlineAt!.getTime() + seconds * 1000);
    await this.repository.updateAttempt(attempt.id, { deadline_at: deadlineAt, added_seconds: attempt.addedSeconds + seconds }, manager);
    await this.repository.insertEvent({ attemptId: attempt.id, kind: 'proctor', type: 'time_added', actorId, reason, detail: { seconds, deadlineAt: deadlineAt.toISOString() } }, manager);
    await this.scheduleDeadline(attempt.id, deadlineAt, exam.graceSeconds, manager);
    return deadlineAt;
  }

  /** A proctor ends the attempt: submitted as it stands, flagged for review with the reason. */
  async terminate(attempt: Attempt, actorId: string, reason: string, manager: EntityManager): Promise<Receipt> {
    await this.repository.updateAttempt(attempt.id, { flagged: true, flag_reasons: [...new Set([...attempt.flagReasons, 'terminated'])] }, manager);
    attempt.flagReasons = [...new Set([...attempt.flagReasons, 'terminated'])];
    attempt.flagged = true;
    return this.close(attempt, 'terminate', 'proctor', actorId, manager, reason);
  }

  async message(attempt: Attempt, actorId: string, text: string, manager: EntityManager): Promise<void> {
    await this.repository.insertEvent({ attemptId: attempt.id, kind: 'message', type: 'message', actorId, detail: { text } }, manager);
  }

  async note(attempt: Attempt, actorId: string, text: string, flag: boolean, manager: EntityManager): Promise<void> {
    await this.repository.insertEvent({ attemptId: attempt.id, kind: 'note', type: 'irregularity', actorId, reason: text, detail: { flag } }, manager);
    if (flag) {
      const reasons = [...new Set([...attempt.flagReasons, 'irregularity'])];
      await this.repository.updateAttempt(attempt.id, { flagged: true, flag_reasons: reasons }, manager);
      attempt.flagReasons = reasons;
      attempt.flagged = true;
    }
  }

  timeline(attemptId: string) {
    return this.repository.events(attemptId);
  }

  items(attemptId: string) {
    return this.repository.items(attemptId);
  }

  /** A person scores an essay (credit 0…1); when nothing is left to score the attempt is decided. */
  async scoreEssay(attemptId: string, itemId: string, credit: number, scorerId: string): Promise<void> {
    await this.repository.dataSource.transaction(async (manager) => {
      const attempt = await this.lock(attemptId, manager);
      const items = await this.repository.items(attemptId, manager);
      const item = items.find((i) => i.itemId === itemId);
      if (!item) throw new ExamsError('ITEM_NOT_FOUND');
      if (item.gradeStatus !== 'needs_human' && item.gradeStatus !== 'human_scored') throw new ExamsError('NOT_AN_ESSAY');
      await manager.query(
        `UPDATE attempt_items SET credit = $3, grade_status = 'human_scored', scored_by = $4, scored_at = now() WHERE attempt_id = $1 AND item_id = $2`,
        [attemptId, itemId, Math.max(0, Math.min(1, credit)), scorerId],
      );
      await this.repository.insertEvent({ attemptId, kind: 'note', type: 'essay_scored', actorId: scorerId, detail: { itemId, credit } }, manager);
      await this.decide(attempt, manager);
    });
  }

  // ---- submission ---------------------------------------------------------------------------

  receiptOf(attempt: Attempt): Receipt {
    return { attemptId: attempt.id, submittedAt: attempt.submittedAt!.toISOString(), answered: attempt.answeredCount ?? 0, sha256: attempt.receiptSha256! };
  }

  /**
   * Idempotent: a double click or a retry gets the same receipt. Built for a burst (everyone
   * presses "submit" in the same second, clients retrying on timeouts):
   * - a repeat is answered from the attempt row without a lock (a receipt never changes);
   * - concurrent calls for the same attempt in this process share one submission;
   * - submissions are closed in batches — one transaction, a handful of statements for up to
   *   SUBMIT_BATCH_SIZE attempts — with at most SUBMIT_BATCHES transactions at once;
   * - a submission whose every caller has hung up (`clientGone`) while it waited is dropped
   *   before it touches the database, so a retry storm does not turn into dead work.
   */
  async submit(principal: Principal, attemptId: string, clientGone: () => boolean = () => false, sessionId: string | null = null): Promise<Receipt> {
    const joined = this.joinSubmission(principal.id, attemptId, clientGone, sessionId);
    if (joined) return joined;
    if (clientGone()) throw new ExamsError('CLIENT_GONE');
    const known = await this.repository.receiptRow(attemptId);
    if (!known || known.userId !== principal.id) throw new ExamsError('ATTEMPT_NOT_FOUND');
    if (known.receiptSha256 && (sessionId === null || (await this.repository.liveSessions([sessionId])).has(sessionId))) {
      return { attemptId, submittedAt: known.submittedAt!.toISOString(), answered: known.answeredCount ?? 0, sha256: known.receiptSha256 };
    }
    const again = this.joinSubmission(principal.id, attemptId, clientGone, sessionId);
    if (again) return again;
    const request: PendingSubmission = { attemptId, userId: principal.id, callers: [clientGone], sessionIds: [sessionId], resolve: () => undefined, reject: () => undefined };
    const promise = new Promise<Receipt>((resolve, reject) => {
      request.resolve = resolve;
      request.reject = reject;
    }).finally(() => this.submitting.delete(attemptId));
    this.submitting.set(attemptId, { request, promise });
    this.submitQueue.push(request);
    this.pumpSubmissions();
    return promise;
  }

  private joinSubmission(userId: string, attemptId: string, clientGone: () => boolean, sessionId: string | null): Promise<Receipt> | null {
    const pending = this.submitting.get(attemptId);
    if (!pending || pending.request.userId !== userId) return null;
    pending.request.callers.push(clientGone);
    pending.request.sessionIds.push(sessionId);
    return pending.promise;
  }

  private pumpSubmissions(): void {
    while (this.submitBatchesRunning < SUBMIT_BATCHES && this.submitQueue.length) {
      const batch = this.submitQueue.splice(0, SUBMIT_BATCH_SIZE);
      this.submitBatchesRunning++;
      void this.submitBatch(batch).finally(() => {
        this.submitBatchesRunning--;
        this.pumpSubmissions();
      });
    }
  }

  private async submitBatch(batch: PendingSubmission[]): Promise<void> {
    const live: PendingSubmission[] = [];
    for (const request of batch) {
      if (request.callers.every((gone) => gone())) request.reject(new ExamsError('CLIENT_GONE'));
      else live.push(request);
    }
    if (!live.length) return;
    let outcomes: Map<string, Receipt | ExamsError | NotSignedIn>;
    try {
      outcomes = await this.repository.dataSource.transaction(async (manager) => {
        const results = new Map<string, Receipt | ExamsError | NotSignedIn>();
        const sessionIds = live.flatMap((r) => r.sessionIds.filter((sid): sid is string => sid !== null));
        const liveSessions = sessionIds.length ? await this.repository.liveSessions(sessionIds, manager) : new Set<string>();
        for (const request of live) {
          if (!request.sessionIds.some((sid) => sid === null || liveSessions.has(sid))) results.set(request.attemptId, new NotSignedIn());
        }
        const attempts = new Map((await this.repository.lockAttempts(live.map((r) => r.attemptId), manager)).map((a) => [a.id, a]));
        const closing = live.filter((r) => {
          const attempt = attempts.get(r.attemptId);
          return !results.has(r.attemptId) && attempt && attempt.userId === r.userId && !attempt.receiptSha256 && attempt.state === 'in_progress';
        });
        const items = closing.length ? await this.repository.itemsOfAttempts(closing.map((r) => r.attemptId), manager) : new Map<string, AttemptItemRow[]>();
        const closed: Parameters<ExamsRepository['closeAttempts']>[0] = [];
        const events: Parameters<ExamsRepository['insertEvents']>[0] = [];
        for (const request of live) {
          const attempt = attempts.get(request.attemptId);
          if (results.has(request.attemptId)) {
            continue;
          } else if (!attempt || attempt.userId !== request.userId) {
            results.set(request.attemptId, new ExamsError('ATTEMPT_NOT_FOUND'));
          } else if (attempt.receiptSha256) {
            results.set(request.attemptId, this.receiptOf(attempt));
          } else if (attempt.state !== 'in_progress') {
            results.set(request.attemptId, new ExamsError('ATTEMPT_NOT_IN_PROGRESS', { state: attempt.state }, undefined, { state: attempt.state }));
          } else {
            const exam = await this.examFor(attempt.examId, manager);
            const overdue = attempt.deadlineAt !== null && Date.now() > attempt.deadlineAt.getTime() + exam.graceSeconds * 1000;
            const name: TransitionName = overdue ? 'autoSubmit' : 'submit';
            const by = overdue ? 'deadline' : 'candidate';
            const [step] = planTransitions(attempt.state, [name]).steps;
            const close = this.closing(attempt, items.get(attempt.id) ?? [], by);
            closed.push({ id: attempt.id, state: step.to, submittedAt: close.fields.submitted_at, submittedBy: by, receiptSha256: close.receipt.sha256, answeredCount: close.receipt.answered });
            events.push({ attemptId: attempt.id, kind: 'transition', type: name, actorId: request.userId, from: step.from, to: step.to, reason: null, detail: { by } });
            results.set(request.attemptId, close.receipt);
          }
        }
        await this.repository.closeAttempts(closed, manager);
        await this.repository.insertEvents(events, manager);
        await this.outbox.addMany(
          manager,
          'attempt.grade',
          closed.map((c) => ({ payload: { attemptId: c.id }, jobId: `grade-${c.id}` })),
        );
        return results;
      });
    } catch (error) {
      for (const request of live) request.reject(error);
      return;
    }
    for (const request of live) {
      const outcome = outcomes.get(request.attemptId)!;
      this.itemCache.delete(request.attemptId);
      if (outcome instanceof ExamsError || outcome instanceof NotSignedIn) request.reject(outcome);
      else request.resolve(outcome);
    }
  }

  /**
   * The deadline job: submits once, only when due, whatever happened before (restarts, retries)
   * — and grades in the same transaction. It already runs as a job, so a deadline burst queues;
   * doing both in one go reads the attempt and its items once and writes the attempt once.
   */
  async autoSubmit(attemptId: string): Promise<'submitted' | 'not_due' | 'already_closed'> {
    return this.repository.dataSource.transaction(async (manager) => {
      const attempt = await this.repository.findAttempt(attemptId, manager, true);
      if (!attempt || attempt.state !== 'in_progress') return 'already_closed';
      const exam = await this.examFor(attempt.examId, manager);
      if (!attempt.deadlineAt || Date.now() < attempt.deadlineAt.getTime() + exam.graceSeconds * 1000) return 'not_due';
      const items = await this.repository.items(attempt.id, manager);
      const closing = this.closing(attempt, items, 'deadline');
      const graded = await this.grading(attempt, items);
      const result = this.result(items, graded, exam);
      const plan = planTransitions(attempt.state, ['autoSubmit', 'grade', ...this.decision(attempt, result)]);
      await this.repository.setItemGrades(attempt.id, graded, manager);
      await this.repository.updateAttempt(
        attempt.id,
        {
          state: plan.to,
          ...closing.fields,
          ...this.resultFields(result),
          ...(plan.to === 'passed' || plan.to === 'failed' ? { decided_at: new Date() } : {}),
        },
        manager,
      );
      await this.repository.insertEvents(
        plan.steps.map((step) => ({
          attemptId: attempt.id,
          kind: 'transition' as const,
          type: step.name,
          actorId: null,
          from: step.from,
          to: step.to,
          reason: this.reasonFor(step.name, attempt, result, exam),
          detail: step.name === 'autoSubmit' ? { by: 'deadline' } : {},
        })),
        manager,
      );
      await this.announce(attempt.id, plan.to, manager);
      this.itemCache.delete(attempt.id);
      return 'submitted';
    });
  }

  /** Ends an attempt as it stands: receipt over the saved answers, then grading through the outbox. */
  async close(attempt: Attempt, transition: TransitionName, by: 'candidate' | 'deadline' | 'proctor', actorId: string | null, manager: EntityManager, reason?: string): Promise<Receipt> {
    const items = await this.repository.items(attempt.id, manager);
    const closing = this.closing(attempt, items, by);
    await this.transition(attempt, transition, manager, { actorId, reason: reason ?? null, detail: { by } }, closing.fields);
    await this.outbox.add(manager, 'attempt.grade', { attemptId: attempt.id }, { jobId: `grade-${attempt.id}` });
    this.itemCache.delete(attempt.id);
    return closing.receipt;
  }

  /** The receipt over the saved answers and the attempt fields that close it. */
  private closing(attempt: Attempt, items: AttemptItemRow[], by: 'candidate' | 'deadline' | 'proctor') {
    const submittedAt = new Date();
    const sha256 = answerSetHash(
      attempt.id,
      items.map((i) => ({ itemId: i.itemId, response: i.response })),
    );
    const answered = items.filter((i) => i.response !== null && i.response !== undefined).length;
    return {
      receipt: { attemptId: attempt.id, submittedAt: submittedAt.toISOString(), answered, sha256 },
      fields: { submitted_at: submittedAt, submitted_by: by, receipt_sha256: sha256, answered_count: answered, paused_at: null },
    };
  }

  /** Exams change rarely and are read on every close and decision: kept for a few seconds. */
  private async examFor(examId: string, manager?: EntityManager): Promise<Exam> {
    const cached = this.examCache.get(examId);
    if (cached && cached.until > Date.now()) return cached.exam;
    const exam = (await this.repository.findExam(examId, manager))!;
    this.examCache.set(examId, { exam, until: Date.now() + 5_000 });
    return exam;
  }

  // ---- grading ------------------------------------------------------------------------------

  /** The grading job: objective items graded automatically, essays left for a person. */
  async grade(attemptId: string): Promise<'graded' | 'skipped'> {
    return this.repository.dataSource.transaction(async (manager) => {
      const attempt = await this.repository.findAttempt(attemptId, manager, true);
      if (!attempt || (attempt.state !== 'submitted' && attempt.state !== 'auto_submitted')) return 'skipped';
      const items = await this.repository.items(attemptId, manager);
      const graded = await this.grading(attempt, items);
      await this.repository.setItemGrades(attemptId, graded, manager);
      await this.transition(attempt, 'grade', manager, { actorId: null, reason: 'objective items graded automatically' });
      const exam = await this.examFor(attempt.examId, manager);
      const result = this.result(items, graded, exam);
      await this.repository.updateAttempt(attempt.id, this.resultFields(result), manager);
      for (const name of this.decision(attempt, result)) {
        await this.transition(attempt, name, manager, { actorId: null, reason: this.reasonFor(name, attempt, result, exam) }, name === 'hold' ? {} : { decided_at: new Date() });
      }
      return 'graded';
    });
  }

  /** Grades every item from the saved responses (pure, in memory). */
  private async grading(attempt: Attempt, items: AttemptItemRow[]): Promise<{ position: number; credit: number | null; status: ItemGradeStatus }[]> {
    const contents = await this.contents(items.map((i) => i.questionVersionId));
    return items.map((item) => {
      const content = contents.get(item.questionVersionId)!;
      if (item.response === null || item.response === undefined) {
        return { position: item.position, credit: content.type === 'description' ? null : 0, status: content.type === 'description' ? 'not_scored' : 'unanswered' };
      }
      const outcome = gradeResponse(content, resolveResponse(content, item.response, { seed: itemSeed(attempt, item.position), idKey: this.banks.idKey }));
      switch (outcome.status) {
        case 'graded':
          return { position: item.position, credit: outcome.credit, status: 'graded' };
        case 'needs_human':
          return { position: item.position, credit: null, status: 'needs_human' };
        case 'not_scored':
          return { position: item.position, credit: null, status: 'not_scored' };
      }
    });
  }

  private result(items: AttemptItemRow[], graded: { position: number; credit: number | null; status: ItemGradeStatus }[], exam: Exam) {
    const byPosition = new Map(graded.map((g) => [g.position, g]));
    return scoreAttempt(
      items.map((i) => {
        const g = byPosition.get(i.position);
        const status = g?.status ?? i.gradeStatus;
        const credit = g ? g.credit : i.credit;
        return { topic: i.topic, points: i.points, credit: status === 'needs_human' ? null : (credit ?? 0), scored: status !== 'not_scored' };
      }),
      exam.passMarkPercent,
    );
  }

  private resultFields(result: ReturnType<typeof scoreAttempt>): Record<string, unknown> {
    return { score_points: result.points, max_points: result.max, score_percent: result.percent, passed: result.passed, topic_scores: JSON.stringify(result.topics) };
  }

  /** What follows grading: nothing while an essay waits, a hold when flagged, else pass or fail. */
  private decision(attempt: Attempt, result: ReturnType<typeof scoreAttempt>): TransitionName[] {
    if (!result.complete) return [];
    if (attempt.flagged) return ['hold'];
    return [result.passed ? 'pass' : 'fail'];
  }

  private reasonFor(name: TransitionName, attempt: Attempt, result: ReturnType<typeof scoreAttempt>, exam: Exam): string | null {
    switch (name) {
      case 'grade':
        return 'objective items graded automatically';
      case 'hold':
        return `flagged: ${attempt.flagReasons.join(', ')}`;
      case 'pass':
      case 'fail':
        return `${result.percent}% against a pass mark of ${exam.passMarkPercent}%`;
      default:
        return null;
    }
  }

  /**
   * Computes the result after a person scored an essay; when every item is scored, passes or
   * fails — or holds the result for review when the attempt is flagged (a flagged pass is not
   * released until reviewed).
   */
  async decide(attempt: Attempt, manager: EntityManager): Promise<void> {
    const exam = await this.examFor(attempt.examId, manager);
    const items = await this.repository.items(attempt.id, manager);
    const result = this.result(items, [], exam);
    await this.repository.updateAttempt(attempt.id, this.resultFields(result), manager);
    if (attempt.state !== 'graded') return;
    const fresh = (await this.repository.findAttempt(attempt.id, manager))!;
    for (const name of this.decision(fresh, result)) {
      await this.transition(attempt, name, manager, { actorId: null, reason: this.reasonFor(name, fresh, result, exam) }, name === 'hold' ? {} : { decided_at: new Date() });
    }
  }
}
