import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { JobRegistry } from '../../infra/queue/jobs';
import { QueueService } from '../../infra/queue/queue.service';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../organisations/organisations.service';
import { IsvScoringError } from './isv-scoring.errors';

export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface QueueSummary {
  name: string;
  jobNames: string[];
  counts: Record<JobState, number> | null;
  error: string | null;
}

export interface OutboxSummary {
  pending: number;
  failing: number;
  oldestPendingAt: Date | null;
  lastError: string | null;
}

export interface FailedJob {
  id: string;
  name: string;
  data: string;
  failedReason: string;
  attemptsMade: number;
  createdAt: Date;
  finishedAt: Date | null;
}

/**
 * The queues page, on BullMQ's own Queue API: counts per state of every queue the app defines,
 * failed jobs with their error, and retry. The outbox backlog is read from Postgres, so the page
 * still says how many events are waiting while Redis is down.
 */
@Injectable()
export class QueuesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: QueueService,
    private readonly registry: JobRegistry,
    private readonly audit: AuditService,
  ) {}

  names(): string[] {
    return this.registry.queues().sort();
  }

  async overview(): Promise<{ queues: QueueSummary[]; outbox: OutboxSummary }> {
    const queues = await Promise.all(
      this.names().map(async (name): Promise<QueueSummary> => {
        const jobNames = this.registry.all().filter((d) => d.queue === name).map((d) => d.name).sort();
        try {
          const counts = await this.queues.queue(name).getJobCounts(...JOB_STATES);
          return { name, jobNames, counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<JobState, number>, error: null };
        } catch (error) {
          return { name, jobNames, counts: null, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const [row]: { pending: string; failing: string; oldest: Date | null; last_error: string | null }[] = await this.dataSource.query(
      `SELECT count(*) AS pending, count(*) FILTER (WHERE last_error IS NOT NULL) AS failing, min(created_at) AS oldest,
              (SELECT last_error FROM outbox WHERE relayed_at IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_error
         FROM outbox WHERE relayed_at IS NULL`,
    );
    return { queues, outbox: { pending: Number(row.pending), failing: Number(row.failing), oldestPendingAt: row.oldest ? new Date(row.oldest) : null, lastError: row.last_error } };
  }

  async failed(queueName: string, page: PageRequest): Promise<Page<FailedJob>> {
    const queue = this.queueOf(queueName);
    try {
      const start = (page.page - 1) * page.perPage;
      const [jobs, total] = await Promise.all([queue.getFailed(start, start + page.perPage - 1), queue.getFailedCount()]);
      return toPage(jobs.filter((j): j is Job => Boolean(j)).map(failedJob), total, page);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async retry(queueName: string, jobId: string, actor: Actor): Promise<void> {
    const queue = this.queueOf(queueName);
    let job: Job | undefined;
    try {
      job = await queue.getJob(jobId);
    } catch (error) {
      throw unavailable(error);
    }
    if (!job) throw new IsvScoringError('JOB_NOT_FOUND', { id: jobId });
    if ((await job.getState()) !== 'failed') throw new IsvScoringError('JOB_NOT_FAILED', { id: jobId });
    await job.retry('failed');
    await this.audit.record({
      action: 'scoring.job_retried',
      actorId: actor.id,
      actorLabel: actor.label,
      targetType: 'job',
      targetId: jobId.slice(0, 64),
      targetLabel: `${queueName}/${job.name}`,
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
    });
  }

  private queueOf(name: string) {
    if (!this.names().includes(name)) throw new IsvScoringError('QUEUE_NOT_FOUND', { name });
    return this.queues.queue(name);
  }
}

function failedJob(job: Job): FailedJob {
  const data = JSON.stringify(job.data ?? {});
  return {
    id: String(job.id),
    name: job.name,
    data: data.length > 300 ? `${data.slice(0, 300)}…` : data,
    failedReason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    createdAt: new Date(job.timestamp),
    finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

function unavailable(error: unknown): IsvScoringError {
  return new IsvScoringError('QUEUES_UNAVAILABLE', { reason: error instanceof Error ? error.message.slice(0, 200) : String(error) });
}
