import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../../infra/queue/jobs';
import { PROCESS_ROLES, ProcessRoles } from '../../../infra/queue/process-roles';
import { QueueService } from '../../../infra/queue/queue.service';
import { IsvRecomputeService } from '../isv-recompute.service';
import { IsvScoringRepository } from '../isv-scoring.repository';

declare module '../../../infra/queue/jobs' {
  interface JobPayloads {
    /** Recompute one ISV now; `deadline` when booked for a warning or demotion date. */
    'isv.recompute': { organisationId: string; deadline?: boolean };
    /** Recompute every ISV: nightly (repeat, empty payload), after a rule version takes effect, or on a staff request. */
    'isv.recomputeAll': { reason?: 'rules' | 'staff'; ruleVersion?: number };
  }
}

export const ISV_SCORING_QUEUE = 'isv-scoring';
/** The full recompute runs on its own queue so it never holds up event-driven recomputes. */
export const ISV_FULL_QUEUE = 'isv-scoring-full';
const RECOMPUTE_ATTEMPTS = 8;
const RECOMPUTE_BACKOFF_MS = 500;
/** Nightly at 02:30 China time (18:30 UTC). */
export const NIGHTLY_PATTERN = '30 18 * * *';

/**
 * ISV scoring jobs. 'isv.scoreEvent' (written by ScoreEventsService in the changing use case's
 * transaction, relayed after commit) only asks for a recompute of that ISV; 'isv.recompute' does
 * the work. Recomputes are deduplicated per ISV with BullMQ's `keepLastIfActive`: events that
 * arrive while a recompute waits collapse into it, and an event that arrives while one is running
 * leaves exactly one follow-up that starts after it. Every event's request is therefore answered
 * by a recompute that began after the event committed, so none is dropped.
 *
 * Why the handler does not skip events "already covered" by comparing ids with the last
 * snapshot's high-water mark: score_events ids are taken at insert, not at commit, so an event
 * with a lower id can commit after a recompute saw a higher one. The mark is kept for the history
 * and for the sweep (a safety net should Redis lose queued jobs), never to drop a request.
 */
@Injectable()
export class IsvScoringJobs implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly queues: QueueService,
    private readonly recompute: IsvRecomputeService,
  ) {}

  onModuleInit(): void {
    this.registry.define({
      name: 'isv.scoreEvent',
      queue: ISV_SCORING_QUEUE,
      attempts: 10,
      backoffMs: 500,
      handler: async ({ organisationId }) => {
        await this.scheduleRecompute(organisationId);
      },
    });
    this.registry.define({
      name: 'isv.recompute',
      queue: ISV_SCORING_QUEUE,
      attempts: RECOMPUTE_ATTEMPTS,
      backoffMs: RECOMPUTE_BACKOFF_MS,
      handler: async ({ organisationId, deadline }) => {
        await this.recompute.recomputeOne(organisationId, deadline ? 'scheduled' : 'event');
      },
    });
    this.registry.define({
      name: 'isv.recomputeAll',
      queue: ISV_FULL_QUEUE,
      attempts: 3,
      backoffMs: 10_000,
      repeat: { pattern: NIGHTLY_PATTERN },
      handler: async () => {
        await this.recompute.recomputeAll('full');
      },
    });
  }

  /** Asks for a recompute of one ISV; at most one waiting and one running per ISV. */
  async scheduleRecompute(organisationId: string): Promise<void> {
    await this.queues.queue(ISV_SCORING_QUEUE).add(
      'isv.recompute',
      { organisationId },
      {
        deduplication: { id: `isv.recompute-${organisationId}`, keepLastIfActive: true },
        attempts: RECOMPUTE_ATTEMPTS,
        backoff: { type: 'exponential', delay: RECOMPUTE_BACKOFF_MS },
        removeOnComplete: { count: 1000, age: 24 * 3600 },
        removeOnFail: { count: 5000, age: 14 * 24 * 3600 },
      },
    );
  }
}

/** How often worker processes look for ISVs whose score missed an event, and how old such an event must be. */
export const SWEEP_EVERY_MS = 60_000;
export const SWEEP_GRACE_SECONDS = 30;

/**
 * The safety net for a Redis that lost its data (restarted without persistence, flushed): queued
 * recomputes and the nightly schedule live in Redis, the score events in Postgres. Every minute,
 * in worker processes, on a timer of the process (not a BullMQ schedule, which would be lost with
 * the rest): ISVs with a score event older than 30 s beyond the last one their score saw get a
 * recompute, and the nightly schedule is put back if it is gone. Safe in several processes at
 * once (recomputes are deduplicated; the schedule upsert is idempotent).
 */
@Injectable()
export class IsvScoringSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('isv-scoring');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    @Inject(PROCESS_ROLES) private readonly roles: ProcessRoles,
    private readonly repository: IsvScoringRepository,
    private readonly queues: QueueService,
    private readonly jobs: IsvScoringJobs,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.roles.worker) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sweepOnce().catch((error: Error) => this.logger.warn(`sweep failed: ${error.message}`)).finally(() => (this.running = null));
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One round; returns how many ISVs got a recompute. */
  async sweepOnce(graceSeconds = SWEEP_GRACE_SECONDS): Promise<number> {
    const ids = await this.repository.isvsBehindTheirEvents(graceSeconds);
    for (const id of ids) await this.jobs.scheduleRecompute(id);
    if (ids.length) this.logger.warn(`swept ${ids.length} ISV(s) whose score had not caught up with their events`);
    const queue = this.queues.queue(ISV_FULL_QUEUE);
    if (!(await queue.getJobScheduler('isv.recomputeAll'))) {
      await queue.upsertJobScheduler('isv.recomputeAll', { pattern: NIGHTLY_PATTERN, tz: 'UTC' }, { name: 'isv.recomputeAll', data: {} });
      this.logger.warn('the nightly recompute schedule was missing from Redis and has been put back');
    }
    return ids.length;
  }
}
