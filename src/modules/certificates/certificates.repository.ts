import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CertificateStatus } from './certificates.types';

interface SummaryDbRow {
  id: string;
  serial: string;
  holder_id: string;
  status: CertificateStatus;
  issued_at: Date;
  expires_at: Date;
  past_expiry: boolean;
}

/** The only code in the certificates module that writes SQL. */
@Injectable()
export class CertificatesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** The holder's active certificate whose expiry is still ahead by the database clock. */
  async findValidCertificate(userId: string, manager?: EntityManager): Promise<SummaryDbRow | null> {
    const rows: SummaryDbRow[] = await this.db(manager).query(
      `SELECT id, serial, holder_id, status, issued_at, expires_at, false AS past_expiry
         FROM certificates
        WHERE holder_id = $1 AND status = 'active' AND expires_at > now()
        ORDER BY expires_at DESC LIMIT 1`,
      [userId],
    );
    return rows[0] ?? null;
  }

  /** Each holder's latest certificate that has not been superseded by a renewal. */
  async findCurrentCertificates(userIds: string[], manager?: EntityManager): Promise<SummaryDbRow[]> {
    if (userIds.length === 0) return [];
    return this.db(manager).query(
      `SELECT DISTINCT ON (holder_id) id, serial, holder_id, status, issued_at, expires_at, (expires_at <= now()) AS past_expiry
         FROM certificates
        WHERE holder_id = ANY($1::uuid[]) AND status <> 'superseded'
        ORDER BY holder_id, issued_at DESC, created_at DESC`,
      [userIds],
    );
  }
}
