import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../../infra/queue/jobs';
import { QueueService } from '../../../infra/queue/queue.service';
import { IsvRecomputeService } from '../isv-recompute.service';

declare module '../../../infra/queue/jobs' {
  interface JobPayloads {
    /** Recompute one ISV's score now (deduplicated per ISV; see scheduleRecompute). */
    'isv.recompute': { organisationId: string };
  }
}

export const ISV_SCORING_QUEUE = 'isv-scoring';
const RECOMPUTE_ATTEMPTS = 8;
const RECOMPUTE_BACKOFF_MS = 500;

/**
 * ISV scoring jobs. 'isv.scoreEvent' (written by ScoreEventsService in the changing use case's
 * transaction, relayed after commit) only asks for a recompute of that ISV; 'isv.recompute'
 * does the work. Recomputes are deduplicated per ISV with BullMQ's `keepLastIfActive`: many
 * events while a recompute waits collapse into it, and an event that arrives while one is
 * running leaves exactly one follow-up that starts after it — so a recompute always begins
 * after every event that asked for it had committed, and no event is dropped.
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
      handler: async ({ organisationId }) => {
        await this.recompute.recomputeOne(organisationId);
      },
    });
  }

  /** Asks for a recompute of one ISV; at most one waiting and one running per ISV. */
  async scheduleRecompute(organisationId: string): Promise<void> {
    await this.queues.queue(ISV_SCORING_QUEUE).add(
      'isv.recompute',
      { organisationId },
      {
        deduplication: { id: `isv.recompute:${organisationId}`, keepLastIfActive: true },
        attempts: RECOMPUTE_ATTEMPTS,
        backoff: { type: 'exponential', delay: RECOMPUTE_BACKOFF_MS },
        removeOnComplete: { count: 1000, age: 24 * 3600 },
        removeOnFail: { count: 5000, age: 14 * 24 * 3600 },
      },
    );
  }
}
