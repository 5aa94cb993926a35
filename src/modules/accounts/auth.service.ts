import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { Principal } from '../../infra/http/access';
import { FieldErrors } from '../../infra/http/app-error';
import { Locale } from '../../infra/i18n/i18n';
import { AuditService } from '../audit/audit.service';
import { AccountsError } from './accounts.errors';
import { User, UserWithHash } from './accounts.types';
import { RequestMeta } from './api-tokens.service';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password';
import { UsersRepository, withoutHash } from './users.repository';

export function principalOf(user: User | UserWithHash, via: Principal['via']): Principal {
  return { id: user.id, email: user.email, name: user.name, role: user.role, organisationId: user.organisationId, locale: user.locale, via };
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip ?? null, requestId: String(request.id) };
}

/**
 * Signing in and out, throttling, password changes. Failed sign-ins are audit events, and the
 * throttle counts those events, so the evidence and the rule can never disagree.
 */
@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
  ) {}

  /** Checks an email and password; throws 429 when throttled, 401 when wrong. */
  async verifyCredentials(email: string, password: string, meta: RequestMeta): Promise<User> {
    const normalisedEmail = email.trim().toLowerCase();
    const { accountFailures, ipFailures, windowMinutes } = this.config.loginThrottle;
    const since = new Date(Date.now() - windowMinutes * 60_000);
    const [forAccount, fromIp] = await Promise.all([
      this.audit.countLoginFailuresForAccount(normalisedEmail, since),
      meta.ip ? this.audit.countLoginFailuresFromIp(meta.ip, since) : Promise.resolve(0),
    ]);
    if (forAccount >= accountFailures || fromIp >= ipFailures) {
      await this.audit.record({ action: 'auth.login_throttled', targetType: 'user', targetLabel: normalisedEmail, ...meta, detail: { forAccount, fromIp } });
      throw new AccountsError('LOGIN_THROTTLED', { minutes: windowMinutes });
    }
    const user = await this.users.findByEmail(normalisedEmail);
    const ok = await verifyPassword(user?.passwordHash || (await decoyHash()), password);
    if (!user || !ok) {
      await this.audit.record({
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: user?.id ?? null,
        targetLabel: normalisedEmail,
        organisationId: user?.organisationId ?? null,
        ...meta,
        detail: { reason: user ? 'wrong_password' : 'unknown_email' },
      });
      throw new AccountsError('INVALID_CREDENTIALS');
    }
    if (!user.active) {
      await this.audit.record({ action: 'auth.login_failed', targetType: 'user', targetId: user.id, targetLabel: normalisedEmail, ...meta, detail: { reason: 'deactivated' } });
      throw new AccountsError('ACCOUNT_DEACTIVATED');
    }
    return withoutHash(user);
  }

  /** Starts a fresh session (new id: no fixation) for a verified person. */
  async startSession(request: FastifyRequest, user: User): Promise<Principal> {
    const chosenLanguage = request.session.get('lang');
    await request.session.regenerate();
    let locale: Locale = user.locale;
    if (chosenLanguage && chosenLanguage !== user.locale) {
      // A language picked on the sign-in page becomes the person's choice.
      await this.users.update(user.id, { locale: chosenLanguage });
      locale = chosenLanguage;
    }
    const principal = principalOf({ ...user, locale }, 'session');
    request.session.set('auth', { userId: user.id, principal: { ...principal, via: undefined } as never });
    await request.session.save();
    await this.audit.record({
      action: 'auth.login',
      actorId: user.id,
      actorLabel: user.email,
      targetType: 'user',
      targetId: user.id,
      targetLabel: user.email.toLowerCase(),
      organisationId: user.organisationId,
      ...requestMeta(request),
    });
    request.principal = principal;
    request.locale = locale;
    return principal;
  }

  async endSession(request: FastifyRequest): Promise<void> {
    const principal = request.principal;
    if (principal?.via === 'session') {
      await this.audit.record({ action: 'auth.logout', actorId: principal.id, actorLabel: principal.email, targetType: 'user', targetId: principal.id, targetLabel: principal.email, ...requestMeta(request) });
    }
    if (typeof request.session?.destroy === 'function') await request.session.destroy();
  }

  async changePassword(principal: Principal, current: string, next: string, confirm: string | undefined, request: FastifyRequest): Promise<void> {
    const user = await this.users.findById(principal.id);
    if (!user) throw new AccountsError('USER_NOT_FOUND');
    const fields: FieldErrors = {};
    if (!(await verifyPassword(user.passwordHash, current))) fields.currentPassword = ['accounts.errors.WRONG_PASSWORD'];
    const problem = passwordProblem(next, user.email);
    if (problem) fields.newPassword = [problem];
    if (confirm !== undefined && confirm !== next) fields.confirmPassword = ['accounts.errors.passwordMismatch'];
    if (Object.keys(fields).length) throw new AccountsError('WRONG_PASSWORD', {}, fields);
    const hash = await hashPassword(next);
    await this.dataSource.transaction(async (manager) => {
      await this.users.setPasswordHash(user.id, hash, manager);
      // Other sessions of this person end: a changed password locks out whoever else had it.
      await this.users.endSessions(user.id, request.session?.sessionId ?? null, manager);
      await this.audit.record(
        { action: 'auth.password_changed', actorId: user.id, actorLabel: user.email, targetType: 'user', targetId: user.id, targetLabel: user.email, ...requestMeta(request) },
        manager,
      );
    });
  }

  async setLocale(request: FastifyRequest, locale: Locale): Promise<void> {
    const principal = request.principal;
    if (principal) {
      await this.users.update(principal.id, { locale });
      if (principal.via === 'session') {
        const auth = request.session.get('auth');
        if (auth) request.session.set('auth', { ...auth, principal: { ...auth.principal, locale } });
      }
      request.principal = { ...principal, locale };
    } else {
      request.session.set('lang', locale);
    }
    request.locale = locale;
  }
}
