import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { PROCESS_ROLES, ProcessRoles } from '../../infra/queue/process-roles';
import { SYSTEM_ACTOR } from '../organisations/organisations.service';
import { UsersService } from './users.service';

/**
 * On an empty database the first web process creates a platform_staff account: from
 * ADMIN_EMAIL / ADMIN_PASSWORD, or admin@example.com with a random password printed once to the
 * terminal (not to the structured log, which must never hold a password).
 */
@Injectable()
export class FirstRun implements OnApplicationBootstrap {
  private readonly logger = new Logger('first-run');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLES) private readonly roles: ProcessRoles,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.roles.web || this.config.env === 'test') return;
    await this.ensureAdmin();
  }

  async ensureAdmin(): Promise<{ email: string; password: string | null } | null> {
    if ((await this.users.countByRole('platform_staff')) > 0) return null;
    const email = this.config.adminEmail ?? 'admin@example.com';
    const password = this.config.adminPassword ?? randomBytes(12).toString('base64url');
    const existing = await this.users.findByEmail(email);
    if (existing) return null;
    try {
      await this.users.create({ email, name: 'Platform admin', role: 'platform_staff', password }, SYSTEM_ACTOR);
    } catch (error) {
      // Another process created it first.
      this.logger.warn(`admin account not created: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
    if (this.config.adminPassword) {
      this.logger.log(`created platform_staff account ${email} (password from ADMIN_PASSWORD)`);
      return { email, password: null };
    }
    process.stdout.write(
      `\n  First run: created platform_staff account\n    email:    ${email}\n    password: ${password}\n  This password is shown once. Sign in and change it under Account.\n\n`,
    );
    return { email, password };
  }
}
