import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { AuditService } from '../audit/audit.service';
import { AccountsError } from './accounts.errors';
import { ApiToken, UserWithHash } from './accounts.types';
import { ApiTokensRepository } from './api-tokens.repository';

export const TOKEN_PREFIX = 'pa_';
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface RequestMeta {
  ip: string | null;
  requestId: string | null;
}

/** Personal API tokens: shown once at creation, stored as a SHA-256 hash, revocable. */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: ApiTokensRepository,
    private readonly audit: AuditService,
  ) {}

  async issue(principal: Principal, name: string, meta: RequestMeta): Promise<{ token: string; apiToken: ApiToken }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const prefix = token.slice(0, 10);
    return this.dataSource.transaction(async (manager) => {
      const id = await this.tokens.insert(principal.id, name, hashToken(token), prefix, manager);
      await this.audit.record(
        { action: 'token.issued', actorId: principal.id, actorLabel: principal.email, targetType: 'api_token', targetId: id, targetLabel: `${name} (${prefix}…)`, ...meta },
        manager,
      );
      const apiToken = await this.tokens.findForUser(principal.id, id, manager);
      return { token, apiToken: apiToken! };
    });
  }

  list(principal: Principal): Promise<ApiToken[]> {
    return this.tokens.listForUser(principal.id);
  }

  async revoke(principal: Principal, tokenId: string, meta: RequestMeta): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await this.tokens.findForUser(principal.id, tokenId, manager);
      if (!token) throw new AccountsError('TOKEN_NOT_FOUND');
      if (token.revokedAt) return;
      await this.tokens.revoke(tokenId, manager);
      await this.audit.record(
        { action: 'token.revoked', actorId: principal.id, actorLabel: principal.email, targetType: 'api_token', targetId: tokenId, targetLabel: `${token.name} (${token.tokenPrefix}…)`, ...meta },
        manager,
      );
    });
  }

  async resolve(token: string): Promise<UserWithHash | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    return this.tokens.findUserByTokenHash(hashToken(token));
  }
}
