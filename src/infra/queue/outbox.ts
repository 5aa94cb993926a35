import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { PROCESS_ROLES, ProcessRoles } from './process-roles';
import { QueueService } from './queue.service';
import { JobName, JobPayloads } from './jobs';

/**
 * The transactional outbox. A use case writes `outbox.add(manager, …)` inside its transaction;
 * after commit the relay (in worker processes) moves rows to BullMQ. A Redis outage loses
 * nothing: rows wait in Postgres and flow when Redis returns.
 */
/**
 * BullMQ refuses custom job ids with a ':' (its key separator) or that are integers; such a row
 * could never leave the outbox. Refuse it where it is written, inside the use case's transaction.
 */
function assertJobId(jobId: string | undefined): void {
  if (jobId === undefined) return;
  if (jobId.includes(':') || /^\d+$/.test(jobId)) throw new Error(`job id "${jobId}" cannot be used by BullMQ (no ':' and not an integer)`);
}

@Injectable()
export class Outbox {
  async add<N extends JobName>(
    manager: EntityManager,
    name: N,
    payload: JobPayloads[N],
    options: { jobId?: string; runAt?: Date } = {},
  ): Promise<void> {
    assertJobId(options.jobId);
    // One statement: the row and the wake-up for the relay (delivered at commit, dropped on rollback).
    await manager.query(
      `WITH added AS (INSERT INTO outbox (job_name, job_id, payload, delay_until) VALUES ($1, $2, $3, $4) RETURNING id)
       SELECT pg_notify('outbox', '') FROM added`,
      [name, options.jobId ?? null, JSON.stringify(payload), options.runAt ?? null],
    );
  }

  /** Several jobs of one name in one statement (a batch of submissions, say). */
  async addMany<N extends JobName>(manager: EntityManager, name: N, jobs: { payload: JobPayloads[N]; jobId?: string }[]): Promise<void> {
    if (!jobs.length) return;
    for (const job of jobs) assertJobId(job.jobId);
    await manager.query(
      `WITH added AS (
         INSERT INTO outbox (job_name, job_id, payload)
         SELECT $1, x.job_id, x.payload FROM jsonb_to_recordset($2::jsonb) AS x(job_id text, payload jsonb)
         RETURNING id)
       SELECT pg_notify('outbox', '') FROM added LIMIT 1`,
      [name, JSON.stringify(jobs.map((j) => ({ job_id: j.jobId ?? null, payload: j.payload })))],
    );
  }
}

interface OutboxRow {
  id: string;
  job_name: JobName;
  job_id: string | null;
  payload: JobPayloads[JobName];
  delay_until: Date | null;
}

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('outbox');
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: QueueService,
    @Inject(PROCESS_ROLES) private readonly roles: ProcessRoles,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.roles.worker) return;
    this.running = this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Relays one batch; returns how many rows moved. Exposed for tests and benchmarks. */
  async relayBatch(limit = 500): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, job_name, job_id, payload, delay_until FROM outbox
          WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length === 0) return 0;
      const moved: string[] = [];
      for (const row of rows) {
        if (!this.queues.handles(row.job_name)) {
          // A job this build has no handler for (a programming error, or a row written by a newer
          // build): keep it, say why, and let the rest flow rather than blocking the outbox.
          await manager.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, `no handler defined for job "${row.job_name}"`]);
          continue;
        }
        const delayMs = row.delay_until ? new Date(row.delay_until).getTime() - Date.now() : 0;
        try {
          await this.queues.enqueue(row.job_name, row.payload, { jobId: row.job_id ?? undefined, delayMs });
          moved.push(row.id);
        } catch (error) {
          await manager.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
            row.id,
            error instanceof Error ? error.message.slice(0, 500) : String(error),
          ]);
          // Redis is unreachable: keep this row and the rest for the next round, in order. If
          // Redis answers, BullMQ refused this one job: keep it with its error, let the rest flow.
          if (!(await this.queues.reachable())) break;
        }
      }
      if (moved.length) await manager.query(`UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])`, [moved]);
      return moved.length;
    });
  }

  private async loop(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      let moved = 0;
      try {
        moved = await this.relayBatch();
        backoff = 100;
      } catch (error) {
        backoff = Math.min(backoff * 2, 5000);
        this.logger.warn(`relay paused: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (moved === 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, backoff > 100 ? backoff : 250);
        });
      }
    }
  }
}
