import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';
import { JobName, JobPayloads, JobRegistry } from './jobs';

/**
 * Builds Redis connections for BullMQ; every queue and worker gets its own, as BullMQ advises.
 * The caller keeps them in `owned` and disconnects them at shutdown: BullMQ leaves connections
 * it was handed to their owner.
 */
export function redisConnection(config: AppConfig, forWorker: boolean, owned?: Set<Redis>): Redis {
  const client = new Redis(config.redisUrl, {
    // Workers block on Redis and must wait forever; producers fail fast so a Redis outage is
    // noticed (the outbox keeps the event) instead of hanging a request.
    maxRetriesPerRequest: forWorker ? null : 1,
    enableOfflineQueue: forWorker,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  client.on('error', () => undefined);
  owned?.add(client);
  return client;
}

@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly logger = new Logger('queue');
  private readonly queues = new Map<string, Queue>();
  private readonly connections = new Set<Redis>();
  private pinger: Redis | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    readonly registry: JobRegistry,
  ) {}

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: redisConnection(this.config, false, this.connections), prefix: this.config.queuePrefix });
      queue.on('error', (error) => this.logger.warn(`queue ${name}: ${error.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Puts a job on its queue now. Use the outbox instead when the job must follow a database
   * change: this call does not wait for any transaction.
   */
  /** Whether Redis answers now (used to tell an outage from a job BullMQ refuses). */
  async reachable(): Promise<boolean> {
    if (!this.pinger) {
      // Its own connection that may queue the PING while it connects (a producer connection
      // refuses commands until it is up); the race below bounds the wait.
      this.pinger = new Redis(this.config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, retryStrategy: (times) => Math.min(times * 200, 2000) });
      this.pinger.on('error', () => undefined);
      this.connections.add(this.pinger);
    }
    try {
      return (await Promise.race([this.pinger.ping(), new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 1000))])) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Whether this build defines a handler for the job name. */
  handles(name: string): boolean {
    return this.registry.get(name) !== undefined;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: { jobId?: string; delayMs?: number } = {}): Promise<void> {
    const definition = this.registry.get(name);
    if (!definition) throw new Error(`no handler defined for job "${name}"`);
    const jobOptions: JobsOptions = {
      jobId: options.jobId,
      delay: options.delayMs && options.delayMs > 0 ? options.delayMs : undefined,
      attempts: definition.attempts,
      backoff: { type: 'exponential', delay: definition.backoffMs },
      removeOnComplete: { count: 1000, age: 24 * 3600 },
      removeOnFail: { count: 5000, age: 14 * 24 * 3600 },
    };
    await this.queue(definition.queue).add(name, payload, jobOptions);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    for (const client of this.connections) client.disconnect();
    this.connections.clear();
    this.pinger = null;
  }
}
