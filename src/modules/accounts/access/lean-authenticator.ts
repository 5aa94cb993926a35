import { Injectable, OnModuleInit } from '@nestjs/common';
import { Principal } from '../../../infra/http/access';
import { LeanRoutes } from '../../../infra/http/lean-routes';
import { ApiTokensService } from '../api-tokens.service';
import { principalOf } from '../auth.service';
import { UsersRepository } from '../users.repository';

/**
 * Who is calling a lean route (infra/http/lean-routes.ts): the same two proofs the AccessGuard
 * accepts — a personal API token, or the session the sign-in stored — read without building a
 * session object.
 */
@Injectable()
export class LeanAuthenticator implements OnModuleInit {
  constructor(
    private readonly routes: LeanRoutes,
    private readonly tokens: ApiTokensService,
    private readonly users: UsersRepository,
  ) {}

  onModuleInit(): void {
    this.routes.setAuthenticator({
      fromToken: async (token) => {
        const user = await this.tokens.resolve(token);
        return user ? principalOf(user, 'token') : null;
      },
      fromSession: async (sessionId) => {
        const stored = await this.users.sessionPrincipal(sessionId);
        return stored && typeof stored.id === 'string' ? ({ ...(stored as unknown as Principal), via: 'session' }) : null;
      },
    });
  }
}
