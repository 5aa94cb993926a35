import { Module, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { NavRegistry } from '../../infra/http/nav';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { CertificatesModule } from '../certificates/certificates.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ScoreEventsModule } from '../score-events/score-events.module';
import { ProjectsJobs } from './jobs/projects.jobs';
import { ProjectAccessService } from './project-access.service';
import { ProjectDeliveriesService } from './project-deliveries.service';
import { ProjectGate, ProjectGateCheck } from './project-gate';
import { ProjectGrantsService } from './project-grants.service';
import { ProjectsApiController } from './projects.api.controller';
import { ProjectsController } from './projects.controller';
import { ProjectsRepository } from './projects.repository';
import { ProjectsService } from './projects.service';

/**
 * TMIC projects: staff create projects for brands and grant people a role on them (lead, planner,
 * viewer) — only people who hold a valid New-Product Planner certificate. Every project page and
 * API call admits its caller through the ProjectGate at request time (grant active AND
 * certificate valid by the clock, no cache); a daily job withdraws the grants of people whose
 * certificate lapsed or was revoked, and staff reinstate them. Project deliveries (recorded by
 * staff, confirmed by the brand) are the "new-product projects" input of ISV scoring.
 *
 * For other modules: isv-scoring reads confirmed rows of project_deliveries (id, project_id,
 * organisation_id, outcome, delivered_at, brand_confirmed_at); a confirmation writes the score
 * event `project.delivered` (source `project_delivery`). The certificates module is only read.
 *
 * Must never: let anyone but staff administer a project, admit a non-staff person without
 * checking their certificate on that very request, or restore a withdrawn grant without a staff
 * action.
 */
@Module({
  imports: [DiscoveryModule, AccountsModule, AuditModule, OrganisationsModule, CertificatesModule, NotificationsModule, ScoreEventsModule],
  providers: [ProjectsRepository, ProjectAccessService, ProjectsService, ProjectGrantsService, ProjectDeliveriesService, ProjectGate, ProjectGateCheck, ProjectsJobs],
  controllers: [ProjectsController, ProjectsApiController],
  exports: [ProjectAccessService],
})
export class ProjectsModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add(
      { label: 'projects.nav.projects', href: '/projects', roles: ['platform_staff'], order: 48 },
      { label: 'projects.nav.mine', href: '/projects', roles: ['candidate', 'isv_manager'], order: 48 },
    );
  }
}
