import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { OrganisationsApiController } from './organisations.api.controller';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsRepository } from './organisations.repository';
import { OrganisationsService } from './organisations.service';

/** Owns organisations (ISVs, brands). Never knows about people: accounts asks it instead. */
@Module({
  imports: [AuditModule],
  providers: [OrganisationsRepository, OrganisationsService],
  controllers: [OrganisationsController, OrganisationsApiController],
  exports: [OrganisationsService],
})
export class OrganisationsModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add({ label: 'nav.organisations', href: '/admin/organisations', roles: ['platform_staff'], order: 80 });
  }
}
