import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PageRequest, toPage, Page } from '../../infra/http/pagination';
import { AuditRepository } from './audit.repository';
import { AuditEvent, AuditEventInput, AuditFilter } from './audit.types';

/**
 * The append-only audit log. Pass the use case's transaction manager so the record commits (or
 * rolls back) with the change it describes. The table itself refuses UPDATE and DELETE.
 */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  record(event: AuditEventInput, manager?: EntityManager): Promise<void> {
    return this.repository.insert(event, manager);
  }

  countLoginFailuresForAccount(email: string, since: Date): Promise<number> {
    return this.repository.countLoginFailuresForAccount(email, since);
  }

  countLoginFailuresFromIp(ip: string, since: Date): Promise<number> {
    return this.repository.countLoginFailuresFromIp(ip, since);
  }

  async list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>> {
    const { items, total } = await this.repository.list(filter, page);
    return toPage(items, total, page);
  }
}
