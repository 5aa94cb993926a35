import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { projectPath } from '../../infra/paths';
import { PROCESS_ROLES, ProcessRoles } from '../../infra/queue/process-roles';
import { SYSTEM_ACTOR } from '../organisations/organisations.service';
import { BankImportService, formatIssue } from './bank-import.service';

/**
 * Imports question-banks/ when a web process starts (idempotent: unchanged questions create
 * nothing). A broken bank file is reported and skipped; the app still starts.
 */
@Injectable()
export class BankContentLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger('question-banks');
  private finish!: () => void;
  /** Resolves once the start-up import has run (or was skipped): exams wait for it. */
  readonly done = new Promise<void>((resolve) => (this.finish = resolve));

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLES) private readonly roles: ProcessRoles,
    private readonly importer: BankImportService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.importAll();
    } finally {
      this.finish();
    }
  }

  private async importAll(): Promise<void> {
    if (!this.roles.web || !this.config.importBanksAtStart) return;
    const summaries = await this.importer.importPaths([projectPath('question-banks')], { actor: { ...SYSTEM_ACTOR, label: 'start-up import' } });
    const added = summaries.reduce((n, s) => n + s.new + s.changed, 0);
    for (const s of summaries) for (const e of s.errors) this.logger.error(formatIssue(s.file, e));
    this.logger.log(`question banks: ${summaries.length} file(s), ${added} new or changed question(s)`);
  }
}
