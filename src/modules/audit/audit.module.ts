import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditApiController } from './audit.api.controller';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** Owns the append-only audit log: writing events for every module, and the staff page to read it. */
@Module({
  providers: [AuditRepository, AuditService],
  controllers: [AuditController, AuditApiController],
  exports: [AuditService],
})
export class AuditModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add({ label: 'nav.audit', href: '/admin/audit', roles: ['platform_staff'], order: 90 });
  }
}
