import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../infra/queue/jobs';
import { CertificateLifecycleService } from './certificate-lifecycle.service';

declare module '../../infra/queue/jobs' {
  interface JobPayloads {
    /** Daily: active certificates past their expiry become 'expired'. */
    'certificate.expireDue': Record<string, never>;
    /** Daily: the 60-, 30- and 7-day expiry reminders, once each. */
    'certificate.remindExpiring': Record<string, never>;
  }
}

export const CERTIFICATES_QUEUE = 'certificates';

/**
 * Certificate jobs. The exams module announces decisions ('attempt.passed',
 * 'attempt.invalidated', through its outbox); the handlers here are thin and safe to run twice
 * — issuance is exactly-once per attempt, revocation and expiry are guarded by the state table.
 * The daily jobs run at 00:10 and 00:20 UTC (after midnight, so "expires today" has happened).
 */
@Injectable()
export class CertificateJobs implements OnModuleInit {
  private readonly logger = new Logger('certificate-jobs');

  constructor(
    private readonly registry: JobRegistry,
    private readonly lifecycle: CertificateLifecycleService,
  ) {}

  onModuleInit(): void {
    this.registry.define({
      name: 'attempt.passed',
      queue: CERTIFICATES_QUEUE,
      attempts: 10,
      backoffMs: 1000,
      handler: async ({ attemptId }) => {
        const result = await this.lifecycle.issueForAttempt(attemptId);
        if (result.outcome === 'skipped' && result.reason !== 'not_certification') this.logger.warn(`attempt ${attemptId}: no certificate (${result.reason})`);
      },
    });
    this.registry.define({
      name: 'attempt.invalidated',
      queue: CERTIFICATES_QUEUE,
      attempts: 10,
      backoffMs: 1000,
      handler: async ({ attemptId }) => {
        await this.lifecycle.revokeForInvalidatedAttempt(attemptId);
      },
    });
    this.registry.define({
      name: 'certificate.expireDue',
      queue: CERTIFICATES_QUEUE,
      attempts: 5,
      backoffMs: 60_000,
      repeat: { pattern: '10 0 * * *' },
      handler: async () => {
        await this.lifecycle.expireDue();
      },
    });
    this.registry.define({
      name: 'certificate.remindExpiring',
      queue: CERTIFICATES_QUEUE,
      attempts: 5,
      backoffMs: 60_000,
      repeat: { pattern: '20 0 * * *' },
      handler: async () => {
        await this.lifecycle.remindExpiring();
      },
    });
  }
}
