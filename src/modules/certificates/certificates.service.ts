import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { effectiveStatus } from './domain/certificate-state';
import { CertificatesRepository } from './certificates.repository';
import { CurrentCertificate, ValidCertificate } from './certificates.types';

/**
 * Read side other modules rely on (projects, ISV scoring): is this person certified right now?
 * Validity is checked against the clock, so a lapsed certificate is invalid before any job runs.
 */
@Injectable()
export class CertificatesService {
  constructor(private readonly repository: CertificatesRepository) {}

  async validCertificateFor(userId: string, manager?: EntityManager): Promise<ValidCertificate | null> {
    const row = await this.repository.findValidCertificate(userId, manager);
    if (!row) return null;
    return { id: row.id, serial: row.serial, status: 'active', issuedAt: row.issued_at, expiresAt: row.expires_at };
  }

  async certificatesOf(userIds: string[], manager?: EntityManager): Promise<Map<string, CurrentCertificate>> {
    const rows = await this.repository.findCurrentCertificates([...new Set(userIds)], manager);
    const result = new Map<string, CurrentCertificate>();
    for (const row of rows) {
      result.set(row.holder_id, {
        id: row.id,
        serial: row.serial,
        status: row.status,
        effectiveStatus: effectiveStatus(row.status, row.past_expiry),
        issuedAt: row.issued_at,
        expiresAt: row.expires_at,
      });
    }
    return result;
  }
}
