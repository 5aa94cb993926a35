import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DataScope, Principal, Role, scopeOf } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { Locale } from '../../infra/i18n/i18n';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../organisations/organisations.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { AccountsError } from './accounts.errors';
import { User, UserChanges, UserFilter } from './accounts.types';
import { hashPassword, passwordProblem } from './password';
import { UsersRepository, withoutHash } from './users.repository';

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  password?: string;
  organisationId?: string | null;
  locale?: Locale;
}

/** People: who exists, their role and organisation. Staff manage everyone; managers see their own. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly organisations: OrganisationsService,
    private readonly audit: AuditService,
  ) {}

  async list(principal: Principal, filter: UserFilter, page: PageRequest): Promise<Page<User>> {
    return this.listInScope(scopeOf(principal), filter, page);
  }

  async listInScope(scope: DataScope, filter: UserFilter, page: PageRequest): Promise<Page<User>> {
    const { items, total } = await this.users.list(scope, filter, page);
    return toPage(items, total, page);
  }

  /** One person, if the principal's scope covers them (otherwise "not found", never a hint). */
  async getVisible(principal: Principal, id: string): Promise<User> {
    const user = await this.users.findById(id);
    const scope = scopeOf(principal);
    const visible =
      user &&
      (scope.kind === 'all' ||
        (scope.kind === 'organisation' && user.organisationId === scope.organisationId) ||
        (scope.kind === 'self' && user.id === scope.userId));
    if (!visible) throw new AccountsError('USER_NOT_FOUND');
    return withoutHash(user);
  }

  async findById(id: string): Promise<User | null> {
    const user = await this.users.findById(id);
    return user ? withoutHash(user) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const user = await this.users.findByEmail(email);
    return user ? withoutHash(user) : null;
  }

  countByRole(role: Role): Promise<number> {
    return this.users.countByRole(role);
  }

  private async checkOrganisation(role: Role, organisationId: string | null | undefined): Promise<void> {
    if (organisationId) {
      const organisation = await this.organisations.find(organisationId);
      if (!organisation || !organisation.active) {
        throw new AccountsError('ORGANISATION_NOT_FOUND', {}, { organisationId: ['accounts.errors.ORGANISATION_NOT_FOUND'] });
      }
      if (role === 'isv_manager' && organisation.type !== 'isv') {
        throw new AccountsError('ORGANISATION_REQUIRED', {}, { organisationId: ['accounts.errors.managerNeedsIsv'] });
      }
    } else if (role === 'isv_manager') {
      throw new AccountsError('ORGANISATION_REQUIRED', {}, { organisationId: ['accounts.errors.managerNeedsIsv'] });
    }
  }

  /** Creates a person. Without a password, a random one is set (they are given it, or reset it). */
  async create(input: CreateUserInput, actor: Actor, manager?: EntityManager): Promise<{ user: User; generatedPassword: string | null }> {
    const email = input.email.trim();
    const generatedPassword = input.password ? null : randomBytes(12).toString('base64url');
    const password = input.password ?? generatedPassword!;
    const problem = passwordProblem(password, email);
    if (problem) throw new AccountsError('WEAK_PASSWORD', {}, { password: [problem] });
    await this.checkOrganisation(input.role, input.organisationId);
    const hash = await hashPassword(password);
    const work = async (m: EntityManager) => {
      if (await this.users.emailTaken(email, null, m)) throw new AccountsError('EMAIL_TAKEN', { email }, { email: ['accounts.errors.EMAIL_TAKEN'] });
      const id = await this.users.insert(
        { email, name: input.name.trim(), role: input.role, passwordHash: hash, organisationId: input.organisationId ?? null, locale: input.locale },
        m,
      );
      await this.audit.record(
        { action: 'user.created', actorId: actor.id, actorLabel: actor.label, targetType: 'user', targetId: id, targetLabel: email, organisationId: input.organisationId ?? null, ip: actor.ip, requestId: actor.requestId, detail: { role: input.role } },
        m,
      );
      return withoutHash((await this.users.findById(id, m))!);
    };
    const user = manager ? await work(manager) : await this.dataSource.transaction(work);
    return { user, generatedPassword };
  }

  /** Staff edit a person: name, email, role, organisation, accommodations, active. */
  async update(id: string, changes: UserChanges, actor: Actor): Promise<User> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.users.findById(id, manager);
      if (!current) throw new AccountsError('USER_NOT_FOUND');
      if (actor.id === id && ((changes.role && changes.role !== current.role) || changes.active === false)) {
        // Staff cannot demote or lock out themselves: the last admin would be gone.
        throw new AccountsError('CANNOT_CHANGE_SELF');
      }
      const role = changes.role ?? current.role;
      const organisationId = changes.organisationId !== undefined ? changes.organisationId : current.organisationId;
      if (changes.role !== undefined || changes.organisationId !== undefined) await this.checkOrganisation(role, organisationId);
      if (changes.email && (await this.users.emailTaken(changes.email, id, manager))) {
        throw new AccountsError('EMAIL_TAKEN', { email: changes.email }, { email: ['accounts.errors.EMAIL_TAKEN'] });
      }
      await this.users.update(id, changes, manager);
      const base = { actorId: actor.id, actorLabel: actor.label, targetType: 'user', targetId: id, targetLabel: current.email, organisationId, ip: actor.ip, requestId: actor.requestId };
      let endSessions = false;
      if (changes.role !== undefined && changes.role !== current.role) {
        await this.audit.record({ ...base, action: 'user.role_changed', detail: { from: current.role, to: changes.role } }, manager);
        endSessions = true;
      }
      if (changes.organisationId !== undefined && changes.organisationId !== current.organisationId) {
        await this.audit.record({ ...base, action: 'user.organisation_changed', detail: { from: current.organisationId, to: changes.organisationId } }, manager);
        endSessions = true;
      }
      if (changes.active === false && current.active) {
        await this.audit.record({ ...base, action: 'user.deactivated' }, manager);
        endSessions = true;
      }
      if (changes.active === true && !current.active) await this.audit.record({ ...base, action: 'user.reactivated' }, manager);
      const other = { name: changes.name, email: changes.email, timeMultiplier: changes.timeMultiplier };
      const changedOther = Object.entries(other).filter(([k, v]) => v !== undefined && v !== (current as unknown as Record<string, unknown>)[k]);
      if (changedOther.length) await this.audit.record({ ...base, action: 'user.updated', detail: Object.fromEntries(changedOther) }, manager);
      // What a session may do is decided when it starts; after these changes the person signs in again.
      if (endSessions) await this.users.endSessions(id, null, manager);
      return withoutHash((await this.users.findById(id, manager))!);
    });
  }
}
