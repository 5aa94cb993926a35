import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { BankImportService } from './bank-import.service';
import { BankContentLoader } from './content-loader';
import { QuestionBanksApiController } from './question-banks.api.controller';
import { QuestionBanksController } from './question-banks.controller';
import { QuestionBanksRepository } from './question-banks.repository';
import { QuestionBanksService } from './question-banks.service';

/**
 * Owns banks, questions and their immutable versions, the interchange formats and grading.
 * Never lets a key, a fraction or an explanation reach a candidate before review: candidate
 * views go through candidate-view.ts only.
 */
@Module({
  imports: [AuditModule],
  providers: [QuestionBanksRepository, QuestionBanksService, BankImportService, BankContentLoader],
  controllers: [QuestionBanksController, QuestionBanksApiController],
  exports: [QuestionBanksService, BankImportService, BankContentLoader],
})
export class QuestionBanksModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add({ label: 'nav.banks', href: '/admin/banks', roles: ['platform_staff'], order: 30 });
  }
}
