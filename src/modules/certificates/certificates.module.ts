import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { CredentialsModule } from '../credentials/credentials.module';
import { ExamsModule } from '../exams/exams.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ScoreEventsModule } from '../score-events/score-events.module';
import { CertificateDocumentsService } from './certificate-documents.service';
import { CertificateExamRule } from './certificate-exam-rule';
import { CertificateLifecycleService } from './certificate-lifecycle.service';
import { CertificatesApiController, VerificationApiController } from './certificates.api.controller';
import { CertificatesAdminController, CertificatesController, StaffCertificationController, VerificationController } from './certificates.controller';
import { CertificateJobs } from './certificates.jobs';
import { CertificatesRepository } from './certificates.repository';
import { CertificatesService } from './certificates.service';

/**
 * Owns certificates: issuance on a pass (the exams module announces 'attempt.passed' and
 * 'attempt.invalidated' through its outbox; this module handles them), renewal, expiry,
 * revocation, reminders, public verification, PDFs and QR codes, and the status list the Open
 * Badges credentials point to (signing is the credentials module's). It never writes exam or
 * attempt rows (only the demo seed's stand-in attempts, demo.ts); exams never import it (the
 * renewal-exam rule is registered into exam eligibility).
 */
@Module({
  imports: [AuditModule, ScoreEventsModule, NotificationsModule, CredentialsModule, ExamsModule, OrganisationsModule],
  providers: [CertificatesRepository, CertificatesService, CertificateLifecycleService, CertificateDocumentsService, CertificateJobs, CertificateExamRule],
  controllers: [CertificatesApiController, VerificationApiController, CertificatesController, VerificationController, CertificatesAdminController, StaffCertificationController],
  exports: [CertificatesService],
})
export class CertificatesModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add(
      { label: 'certificates.nav.mine', href: '/certificates', roles: ['candidate', 'isv_manager'], order: 45 },
      { label: 'certificates.nav.staff', href: '/staff-certification', roles: ['isv_manager', 'platform_staff'], order: 47 },
      { label: 'certificates.nav.admin', href: '/admin/certificates', roles: ['platform_staff'], order: 46 },
    );
  }
}
