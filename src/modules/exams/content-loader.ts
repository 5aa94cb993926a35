import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { PROCESS_ROLES, ProcessRoles } from '../../infra/queue/process-roles';
import { BankContentLoader } from '../question-banks/content-loader';
import { ExamsService } from './exams.service';

/** Loads the shipped exams at web start (after the banks, so blueprints can be checked). */
@Injectable()
export class ExamContentLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger('exams');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLES) private readonly roles: ProcessRoles,
    private readonly exams: ExamsService,
    private readonly banks: BankContentLoader,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.roles.web || !this.config.importBanksAtStart) return;
    await this.banks.loaded();
    for (const r of await this.exams.loadShippedExams()) {
      if (r.short) this.logger.warn(`exam ${r.key} left as draft: ${r.short}`);
      else this.logger.log(`exam ${r.key}: ${r.status}`);
    }
  }
}
