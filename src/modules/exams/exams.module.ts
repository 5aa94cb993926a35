import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { CoursesModule } from '../courses/courses.module';
import { QuestionBanksModule } from '../question-banks/question-banks.module';
import { AttemptResultsService } from './attempt-results.service';
import { AttemptsApiController } from './attempts.api.controller';
import { AttemptsService } from './attempts.service';
import { AutosaveRoute } from './autosave.route';
import { ExamContentLoader } from './content-loader';
import { ExamAuthoringRepository } from './exam-authoring.repository';
import { ExamAuthoringService } from './exam-authoring.service';
import { ExamPagesService } from './exam-pages.service';
import { ExamEligibility } from './exam-eligibility';
import { ExamsAdminController } from './exams-admin.controller';
import { ExamsController } from './exams.controller';
import { ExamJobs } from './exams.jobs';
import { ExamsRepository } from './exams.repository';
import { ExamsService } from './exams.service';

/**
 * Owns exams, sittings and attempts: blueprints, the server clock, zero-loss answers, grading,
 * integrity signals. Keys never leave the server: candidate views come from candidate-view.ts.
 */
@Module({
  imports: [AuditModule, QuestionBanksModule, CoursesModule],
  providers: [
    ExamsRepository,
    ExamsService,
    ExamEligibility,
    AttemptsService,
    AttemptResultsService,
    AutosaveRoute,
    ExamJobs,
    ExamContentLoader,
    // Candidate and staff pages (exams.controller.ts, exams-admin.controller.ts)
    ExamAuthoringRepository,
    ExamAuthoringService,
    ExamPagesService,
  ],
  controllers: [AttemptsApiController, ExamsController, ExamsAdminController],
  exports: [ExamsService, AttemptsService, ExamEligibility],
})
export class ExamsModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add({ label: 'nav.exams', href: '/exams', roles: ['candidate', 'isv_manager'], order: 40 });
    this.nav.add({ label: 'exams.nav.admin', href: '/admin/exams', roles: ['platform_staff'], order: 35 });
  }
}
