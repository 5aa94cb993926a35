import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../../infra/queue/jobs';
import { ProjectGrantsService } from '../project-grants.service';

declare module '../../../infra/queue/jobs' {
  interface JobPayloads {
    /** Daily: withdraw the project grants of people whose certificate lapsed or was revoked. */
    'project.withdrawLapsedGrants': Record<string, never>;
  }
}

export const PROJECTS_QUEUE = 'projects';
/** Daily at 00:30 China time (16:30 UTC), just after the day on which certificates expired ends. */
export const WITHDRAWAL_PATTERN = '30 16 * * *';

/**
 * Project jobs. The withdrawal is the record-keeping step only: access already ends at the request
 * that follows a lapse or revocation (the gate checks the certificate every time); the job makes
 * the grant say so, tells the person and their ISV's managers, and audits why. It is safe to run
 * twice — a second run finds nothing active to withdraw.
 */
@Injectable()
export class ProjectsJobs implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly grants: ProjectGrantsService,
  ) {}

  onModuleInit(): void {
    this.registry.define({
      name: 'project.withdrawLapsedGrants',
      queue: PROJECTS_QUEUE,
      attempts: 3,
      backoffMs: 60_000,
      repeat: { pattern: WITHDRAWAL_PATTERN },
      handler: async () => {
        await this.grants.withdrawLapsedGrants();
      },
    });
  }
}
