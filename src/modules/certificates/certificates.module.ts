import { Module } from '@nestjs/common';
import { CertificatesRepository } from './certificates.repository';
import { CertificatesService } from './certificates.service';

/**
 * Owns certificates: issuance on a pass, renewal, expiry, revocation, reminders, public
 * verification, PDFs and QR codes. Exams announce decisions through the outbox; this module
 * never writes exam or attempt rows.
 */
@Module({
  providers: [CertificatesRepository, CertificatesService],
  exports: [CertificatesService],
})
export class CertificatesModule {}
