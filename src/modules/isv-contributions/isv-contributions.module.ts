import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ScoreEventsModule } from '../score-events/score-events.module';
import { IsvContributionsApiController } from './isv-contributions.api.controller';
import { IsvContributionsController } from './isv-contributions.controller';
import { IsvContributionsRepository } from './isv-contributions.repository';
import { IsvContributionsService } from './isv-contributions.service';

/**
 * The ISV-submitted inputs of tier scoring: ecosystem contributions (training, case studies,
 * events, mentoring) and co-built products, each with evidence (links and uploaded files kept in
 * the database), reviewed by platform staff.
 *
 * For other modules: isv-scoring reads approved rows of isv_contributions / isv_products
 * (organisation_id, kind, occurred_at, approved_at) and links each point to
 * `IsvContributionsService.recordUrl(sourceType, sourceId)` (`/isv/contributions/:id`,
 * `/isv/products/:id`), a page the ISV's manager and staff can read. An approval writes the score
 * event `contribution.approved` / `product.approved` (source = the record) in its transaction.
 *
 * Must never: let a manager see or act on another ISV's records, change a record after it was
 * reviewed (a rejected one is resubmitted as a new record), or accept `occurredAt` more than 12
 * months back or in the future.
 */
@Module({
  imports: [AuditModule, OrganisationsModule, ScoreEventsModule, NotificationsModule],
  providers: [IsvContributionsRepository, IsvContributionsService],
  controllers: [IsvContributionsController, IsvContributionsApiController],
  exports: [IsvContributionsService],
})
export class IsvContributionsModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add(
      { label: 'isvContributions.nav.contributions', href: '/isv/contributions', roles: ['isv_manager'], order: 52 },
      { label: 'isvContributions.nav.products', href: '/isv/products', roles: ['isv_manager'], order: 53 },
      { label: 'isvContributions.nav.queue', href: '/admin/isv-submissions', roles: ['platform_staff'], order: 56 },
    );
  }
}
