import type { DataSource } from 'typeorm';

type Callback<T = void> = (error?: Error | null, value?: T) => void;
interface StoredSession {
  cookie?: { expires?: string | Date | null; maxAge?: number | null; originalMaxAge?: number | null };
  auth?: { userId?: string };
  [key: string]: unknown;
}

/**
 * Server-side sessions in Postgres, so any web server behind a load balancer can serve any
 * request. The user id is a column: deactivating a person or changing their role ends their
 * sessions with one DELETE.
 */
export class PostgresSessionStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly defaultMaxAgeMs: number,
  ) {}

  get(sid: string, callback: Callback<StoredSession | null>): void {
    this.dataSource
      .query('SELECT data FROM http_sessions WHERE sid = $1 AND expires_at > now()', [sid])
      .then((rows: { data: StoredSession }[]) => callback(null, rows[0]?.data ?? null))
      .catch((error: Error) => callback(error));
  }

  set(sid: string, session: StoredSession, callback: Callback): void {
    const data = JSON.parse(JSON.stringify(session)) as StoredSession;
    const expires = data.cookie?.expires ? new Date(data.cookie.expires) : new Date(Date.now() + this.defaultMaxAgeMs);
    this.dataSource
      .query(
        `INSERT INTO http_sessions (sid, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sid) DO UPDATE SET user_id = EXCLUDED.user_id, data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
        [sid, data.auth?.userId ?? null, JSON.stringify(data), expires],
      )
      .then(() => callback(null))
      .catch((error: Error) => callback(error));
  }

  destroy(sid: string, callback: Callback): void {
    this.dataSource
      .query('DELETE FROM http_sessions WHERE sid = $1', [sid])
      .then(() => callback(null))
      .catch((error: Error) => callback(error));
  }
}
