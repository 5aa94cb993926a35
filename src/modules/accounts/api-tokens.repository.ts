import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '../../infra/database/returning';
import { ApiToken } from './accounts.types';
import { UserWithHash } from './accounts.types';
import { UsersRepository } from './users.repository';

interface TokenRow {
  id: string;
  name: string;
  token_prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  tokenPrefix: r.token_prefix,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

@Injectable()
export class ApiTokensRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
  ) {}

  async insert(userId: string, name: string, hash: string, prefix: string, manager: EntityManager): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO api_tokens (user_id, name, token_hash, token_prefix) VALUES ($1, $2, $3, $4) RETURNING id`,
      [userId, name, hash, prefix],
    );
    return rows[0].id;
  }

  async listForUser(userId: string): Promise<ApiToken[]> {
    const rows: TokenRow[] = await this.dataSource.query(
      `SELECT id, name, token_prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC LIMIT 200`,
      [userId],
    );
    return rows.map(toToken);
  }

  async findForUser(userId: string, tokenId: string, manager: EntityManager): Promise<ApiToken | null> {
    if (!/^[0-9a-f-]{36}$/i.test(tokenId)) return null;
    const rows: TokenRow[] = await manager.query(
      `SELECT id, name, token_prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 AND id = $2`,
      [userId, tokenId],
    );
    return rows[0] ? toToken(rows[0]) : null;
  }

  async revoke(tokenId: string, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [tokenId]);
  }

  /** The active owner of a live token; also notes when it was last used (at most once a minute). */
  async findUserByTokenHash(hash: string): Promise<UserWithHash | null> {
    const rows = returningRows<{ id: string; user_id: string }>(await this.dataSource.query(
      `UPDATE api_tokens SET last_used_at = now()
         WHERE token_hash = $1 AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
       RETURNING id, user_id`,
      [hash],
    ));
    let userId = rows[0]?.user_id;
    if (!userId) {
      const live: { user_id: string }[] = await this.dataSource.query(
        `SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
        [hash],
      );
      userId = live[0]?.user_id;
    }
    if (!userId) return null;
    const user = await this.users.findById(userId);
    return user && user.active ? user : null;
  }
}
