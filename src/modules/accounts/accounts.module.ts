import { Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AccessGuard } from './access/access.guard';
import { AccessPolicyCheck } from './access/access-policy.check';
import { LeanAuthenticator } from './access/lean-authenticator';
import { LocalStrategy } from './access/local.strategy';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { AuthApiController } from './auth.api.controller';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { FirstRun } from './first-run';
import { HomeController } from './home.controller';
import { UsersApiController } from './users.api.controller';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/**
 * Owns people and how they prove who they are: passwords, sessions, API tokens, the global
 * access guard. Exports UsersService for modules that need to look people up.
 */
@Module({
  imports: [PassportModule, DiscoveryModule, AuditModule, OrganisationsModule],
  providers: [
    UsersRepository,
    UsersService,
    ApiTokensRepository,
    ApiTokensService,
    AuthService,
    LocalStrategy,
    AccessPolicyCheck,
    FirstRun,
    AccessGuard,
    LeanAuthenticator,
    { provide: APP_GUARD, useExisting: AccessGuard },
  ],
  controllers: [HomeController, AuthController, AuthApiController, UsersController, UsersApiController],
  exports: [UsersService, AccessGuard, FirstRun],
})
export class AccountsModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add(
      { label: 'nav.home', href: '/', roles: ['candidate', 'isv_manager', 'proctor', 'platform_staff'], order: 0 },
      { label: 'nav.people', href: '/people', roles: ['platform_staff'], order: 70 },
      { label: 'nav.myStaff', href: '/people', roles: ['isv_manager'], order: 10 },
      { label: 'nav.account', href: '/account', roles: ['candidate', 'isv_manager', 'proctor', 'platform_staff'], order: 1000 },
    );
  }
}
