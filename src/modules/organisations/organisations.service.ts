import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { OrganisationsError } from './organisations.errors';
import { OrganisationsRepository } from './organisations.repository';
import { Organisation, OrganisationType } from './organisations.types';

export interface Actor {
  id: string | null;
  label: string;
  ip?: string | null;
  requestId?: string | null;
}

export const actorOf = (principal: Principal, meta: { ip: string | null; requestId: string | null }): Actor => ({
  id: principal.id,
  label: principal.email,
  ...meta,
});
export const SYSTEM_ACTOR: Actor = { id: null, label: 'system' };

/** Organisations (ISVs and brands): created and managed by platform staff. */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: OrganisationsRepository,
    private readonly audit: AuditService,
  ) {}

  async get(id: string): Promise<Organisation> {
    const found = await this.repository.findById(id);
    if (!found) throw new OrganisationsError('ORGANISATION_NOT_FOUND');
    return found;
  }

  find(id: string): Promise<Organisation | null> {
    return this.repository.findById(id);
  }

  findByName(name: string): Promise<Organisation | null> {
    return this.repository.findByName(name);
  }

  async list(filter: { q?: string; type?: OrganisationType }, page: PageRequest): Promise<Page<Organisation>> {
    const { items, total } = await this.repository.list(filter, page);
    return toPage(items, total, page);
  }

  options() {
    return this.repository.listActiveOptions();
  }

  async create(input: { name: string; type: OrganisationType }, actor: Actor): Promise<Organisation> {
    const name = input.name.trim();
    return this.dataSource.transaction(async (manager) => {
      if (await this.repository.findByName(name, manager)) throw new OrganisationsError('ORGANISATION_NAME_TAKEN', { name });
      const id = await this.repository.insert(name, input.type, manager);
      await this.audit.record(
        { action: 'organisation.created', actorId: actor.id, actorLabel: actor.label, targetType: 'organisation', targetId: id, targetLabel: name, organisationId: id, ip: actor.ip, requestId: actor.requestId, detail: { type: input.type } },
        manager,
      );
      return (await this.repository.findById(id, manager))!;
    });
  }

  async update(id: string, changes: { name?: string; type?: OrganisationType; active?: boolean }, actor: Actor): Promise<Organisation> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.repository.findById(id, manager);
      if (!current) throw new OrganisationsError('ORGANISATION_NOT_FOUND');
      const name = changes.name?.trim();
      if (name && name.toLowerCase() !== current.name.toLowerCase()) {
        const other = await this.repository.findByName(name, manager);
        if (other && other.id !== id) throw new OrganisationsError('ORGANISATION_NAME_TAKEN', { name });
      }
      await this.repository.update(id, { ...changes, name }, manager);
      const deactivated = changes.active === false && current.active;
      await this.audit.record(
        {
          action: deactivated ? 'organisation.deactivated' : 'organisation.updated',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'organisation',
          targetId: id,
          targetLabel: name ?? current.name,
          organisationId: id,
          ip: actor.ip,
          requestId: actor.requestId,
          detail: { before: { name: current.name, type: current.type, active: current.active }, after: changes },
        },
        manager,
      );
      return (await this.repository.findById(id, manager))!;
    });
  }
}
