import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { ExamsModule } from '../exams/exams.module';
import { QuestionBanksModule } from '../question-banks/question-banks.module';
import { ConsoleStreams } from './console-stream';
import { EssaysController } from './essays.controller';
import { EssaysService } from './essays.service';
import { ProctorApiController } from './proctor.api.controller';
import { ProctorConsoleService } from './proctor-console.service';
import { ProctorController } from './proctor.controller';
import { ProctoringRepository } from './proctoring.repository';
import { ReviewApiController } from './review.api.controller';
import { ReviewController } from './review.controller';
import { ReviewService } from './review.service';
import { SittingsAdminController } from './sittings-admin.controller';
import { SittingsApiController } from './sittings.api.controller';
import { SittingsController } from './sittings.controller';
import { SittingsService } from './sittings.service';

/**
 * Owns sittings (schedule, access code, capacity, proctors), registrations, the live proctor
 * console, the review queue with appeals, and essay scoring by a person.
 *
 * Must never change an attempt's state except through the exams module's AttemptsService (its
 * one transition table), nor let a proctor see or act on a sitting they are not assigned to.
 */
@Module({
  imports: [AuditModule, ExamsModule, QuestionBanksModule],
  providers: [ProctoringRepository, SittingsService, ProctorConsoleService, ConsoleStreams, ReviewService, EssaysService],
  controllers: [SittingsController, SittingsAdminController, ProctorController, ReviewController, EssaysController, SittingsApiController, ProctorApiController, ReviewApiController],
  exports: [SittingsService],
})
export class ProctoringModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add(
      { label: 'nav.sittings', href: '/sittings', roles: ['candidate', 'isv_manager'], order: 42 },
      { label: 'proctoring.nav.proctor', href: '/proctor', roles: ['proctor', 'platform_staff'], order: 43 },
      { label: 'proctoring.nav.review', href: '/review', roles: ['proctor', 'platform_staff'], order: 44 },
      { label: 'nav.sittings', href: '/admin/sittings', roles: ['platform_staff'], order: 45 },
      { label: 'proctoring.nav.essays', href: '/admin/essays', roles: ['platform_staff'], order: 46 },
    );
  }
}
