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
  private loading: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLES) private readonly roles: ProcessRoles,
    private readonly importer: BankImportService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.loaded();
  }

  /**
   * The start-up import, run once whoever asks first: exams and courses wait for it in their own
   * bootstrap hooks, and Nest runs modules' hooks one module at a time in an order the import
   * graph decides — waiting on a promise only this module's hook would settle could deadlock.
   */
  loaded(): Promise<void> {
    this.loading ??= this.importAll();
    return this.loading;
  }

  private async importAll(): Promise<void> {
    if (!this.roles.web || !this.config.importBanksAtStart) return;
    const summaries = await this.importer.importPaths([projectPath('question-banks')], { actor: { ...SYSTEM_ACTOR, label: 'start-up import' } });
    const added = summaries.reduce((n, s) => n + s.new + s.changed, 0);
    for (const s of summaries) for (const e of s.errors) this.logger.error(formatIssue(s.file, e));
    this.logger.log(`question banks: ${summaries.length} file(s), ${added} new or changed question(s)`);
  }
}
