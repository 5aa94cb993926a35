import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Principal } from '../../infra/http/access';
import { ConsoleRow } from './proctoring.types';
import { ProctorConsoleService, viewOf } from './proctor-console.service';

/** How often an open console re-reads its sitting, and how often an idle stream says it is alive. */
export const CONSOLE_POLL_MS = 1500;
export const CONSOLE_HEARTBEAT_MS = 15_000;
/** A proctor unassigned mid-sitting loses the stream within this time. */
const ACCESS_RECHECK_MS = 30_000;

/** What makes a row "changed" (the remaining time is derived on the client from deadline and server time). */
const fingerprint = (r: ConsoleRow) =>
  JSON.stringify([r.state, r.deadlineAt, r.pausedAt, r.addedSeconds, r.notBefore, r.admittedAt, r.submittedAt, r.flagged, r.flagReasons, r.lastSeenAt, r.answered, r.total, r.signals, r.identityCheck?.checkedAt ?? null]);

/**
 * The live console over server-sent events. Each open console polls Postgres every
 * CONSOLE_POLL_MS for its sitting's rows and pushes only the rows that changed (`attempt`
 * events), after one full `snapshot`. Comments keep proxies from closing an idle stream. The
 * stream ends when the client goes away or the app shuts down (open streams would otherwise
 * hold the HTTP server open).
 *
 * Polling, not LISTEN/NOTIFY: it needs no connection per console and no triggers on the exams
 * tables, and at 1.5 s the console is as live as a proctor's eye.
 */
@Injectable()
export class ConsoleStreams implements OnModuleDestroy {
  private readonly logger = new Logger('proctor-console');
  private readonly open = new Set<() => void>();

  constructor(private readonly console: ProctorConsoleService) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Checks access (errors are ordinary HTTP errors), then takes the response over. */
  async serve(principal: Principal, sittingId: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const first = await this.console.snapshot(principal, sittingId);
    reply.hijack();
    const raw = reply.raw;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (typeof value === 'string') headers[name] = value;
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.socket?.setNoDelay(true);
    const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    raw.write(`retry: 3000\n\n`);
    send('snapshot', first);

    const seen = new Map(first.attempts.map((r) => [r.id, fingerprint(r)]));
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let lastWrite = Date.now();
    let lastAccessCheck = Date.now();
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      this.open.delete(stop);
      if (!raw.writableEnded) raw.end();
    };
    this.open.add(stop);
    raw.on('close', stop);
    raw.on('error', stop);

    const tick = async () => {
      try {
        const now = Date.now();
        if (now - lastAccessCheck > ACCESS_RECHECK_MS) {
          lastAccessCheck = now;
          if (!(await this.console.mayProctor(principal, sittingId))) {
            send('closed', { reason: 'NOT_YOUR_SITTING' });
            stop();
            return;
          }
        }
        const rows = await this.console.rows(sittingId);
        if (stopped) return;
        const serverTime = new Date().toISOString();
        for (const row of rows) {
          const print = fingerprint(row);
          if (seen.get(row.id) === print) continue;
          seen.set(row.id, print);
          send('attempt', { serverTime, attempt: viewOf(row) });
          lastWrite = Date.now();
        }
        if (Date.now() - lastWrite >= CONSOLE_HEARTBEAT_MS) {
          raw.write(`: heartbeat ${serverTime}\n\n`);
          lastWrite = Date.now();
        }
      } catch (error) {
        // A failed poll (database restarting) is retried on the next tick; the stream stays.
        this.logger.warn({ err: error, sittingId, requestId: request.id }, 'console poll failed');
      }
      if (!stopped) timer = setTimeout(() => void tick(), CONSOLE_POLL_MS);
    };
    timer = setTimeout(() => void tick(), CONSOLE_POLL_MS);
  }

  onModuleDestroy(): void {
    for (const stop of [...this.open]) stop();
  }
}
