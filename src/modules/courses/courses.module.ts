import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { QuestionBanksModule } from '../question-banks/question-banks.module';
import { CourseContentLoader } from './content-loader';
import { CourseAuthoringController } from './course-authoring.controller';
import { CourseAuthoringService } from './course-authoring.service';
import { CoursesApiController } from './courses.api.controller';
import { CoursesController } from './courses.controller';
import { CoursesRepository } from './courses.repository';
import { CoursesService } from './courses.service';
import { KnowledgeChecksService } from './knowledge-checks.service';
import { StaffLearningController } from './staff-learning.controller';
import { StaffLearningService } from './staff-learning.service';

/**
 * Courses: course → modules → lessons (Markdown, sanitised), enrolment and assignment,
 * per-lesson progress and time, knowledge checks (practice from the question banks), completion,
 * the staff × courses table, staff authoring, and the shipped "TMIC New-Product Planner" course
 * (content/, loaded idempotently at start by CourseContentLoader).
 *
 * Rules (details in progress-rules.ts):
 * - Course completion = every non-archived lesson completed AND every module's knowledge check
 *   passed at ≥ 80 %; recorded once with its date, never withdrawn.
 * - Percent complete counts lessons only; knowledge checks are practice (unlimited tries, not
 *   proctored, never counted for certification).
 * - Time spent is measured on the server from reader heartbeats (gaps > 90 s are not counted;
 *   at most 3 × the lesson's estimated minutes), or start → completion capped at the estimate
 *   when no heartbeat came.
 *
 * For other modules: import CoursesModule and ask
 *   `CoursesService.hasCompletedRequiredCourse(userId)` →
 *   `{ eligible, reason: null | 'NO_REQUIRED_COURSE' | 'NOT_ENROLLED' | 'NOT_COMPLETED', courseId, completedAt }`
 * — the one eligibility rule of the certification exam (fails closed when no course is marked
 * required). Never read the course tables directly. Tests that need an eligible candidate can
 * load the shipped course (`CourseContentLoader.importAll()`) or create a one-lesson course
 * with CourseAuthoringService, mark it required, publish it, and complete the lesson.
 *
 * Must never: delete a lesson, module or anyone's progress (only archive), show an archived
 * lesson in the reader, show a question's key before an answer is submitted, or let an ISV
 * manager see or assign people outside their organisation.
 */
@Module({
  imports: [AuditModule, OrganisationsModule, QuestionBanksModule],
  providers: [
    CoursesRepository,
    CoursesService,
    KnowledgeChecksService,
    CourseAuthoringService,
    StaffLearningService,
    CourseContentLoader,
  ],
  controllers: [CoursesController, CourseAuthoringController, StaffLearningController, CoursesApiController],
  exports: [CoursesService, CourseContentLoader, CourseAuthoringService],
})
export class CoursesModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add(
      { label: 'nav.myLearning', href: '/learning', roles: ['candidate', 'isv_manager'], order: 12 },
      {
        label: 'nav.courses',
        href: '/courses',
        roles: ['candidate', 'isv_manager', 'proctor', 'platform_staff'],
        order: 14,
      },
      {
        label: 'nav.staffLearning',
        href: '/staff-learning',
        roles: ['isv_manager', 'platform_staff'],
        order: 16,
      },
      { label: 'nav.courseAdmin', href: '/admin/courses', roles: ['platform_staff'], order: 25 },
    );
  }
}
