import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';
import { JobRegistry } from './jobs';
import { PROCESS_ROLES, ProcessRoles } from './process-roles';
import { QueueService, redisConnection } from './queue.service';

/**
 * Runs the handlers of every registered job in processes with the worker role. Handlers are
 * thin and safe to run twice (they load current state and return early when the work is done).
 */
const RESCHEDULE_MS = 5 * 60_000;

@Injectable()
export class WorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('worker');
  private readonly workers: Worker[] = [];
  private readonly connections = new Set<Redis>();
  private rescheduler: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLES) private readonly roles: ProcessRoles,
    private readonly registry: JobRegistry,
    private readonly queues: QueueService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.roles.worker) return;
    const concurrency = Number(process.env.WORKER_CONCURRENCY || 8);
    for (const queueName of this.registry.queues()) {
      const worker = new Worker(
        queueName,
        async (job) => {
          const definition = this.registry.get(job.name);
          if (!definition) throw new Error(`no handler for job "${job.name}"`);
          await (definition.handler as (p: unknown, m: { jobId: string | undefined; attemptsMade: number }) => Promise<void>)(job.data, {
            jobId: job.id,
            attemptsMade: job.attemptsMade,
          });
        },
        { connection: redisConnection(this.config, true, this.connections), prefix: this.config.queuePrefix, concurrency },
      );
      worker.on('failed', (job, error) =>
        this.logger.warn({ job: job?.name, jobId: job?.id, attempts: job?.attemptsMade }, `job failed: ${error.message}`),
      );
      worker.on('error', (error) => this.logger.warn(`worker ${queueName}: ${error.message}`));
      this.workers.push(worker);
    }
    await this.schedule();
    // Redis may come back empty (restarted without persistence, flushed): schedules are
    // re-declared every few minutes — upserting an unchanged scheduler is a no-op.
    this.rescheduler = setInterval(() => void this.schedule(), RESCHEDULE_MS);
    this.rescheduler.unref();
  }

  private async schedule(): Promise<void> {
    for (const definition of this.registry.all()) {
      if (!definition.repeat) continue;
      await this.queues
        .queue(definition.queue)
        .upsertJobScheduler(definition.name, { pattern: definition.repeat.pattern, tz: 'UTC' }, { name: definition.name, data: {} })
        .catch((error: Error) => this.logger.warn(`could not schedule ${definition.name}: ${error.message}`));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.rescheduler) clearInterval(this.rescheduler);
    await Promise.all(this.workers.map((w) => w.close().catch(() => undefined)));
    for (const client of this.connections) client.disconnect();
    this.connections.clear();
  }
}
