import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ScoreEventInput } from './score-events.types';

@Injectable()
export class ScoreEventsRepository {
  async insert(manager: EntityManager, event: ScoreEventInput): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO score_events (organisation_id, kind, source_type, source_id, user_id, occurred_at, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        event.organisationId,
        event.kind,
        event.sourceType,
        event.sourceId,
        event.userId ?? null,
        event.occurredAt ?? new Date(),
        JSON.stringify(event.detail ?? {}),
      ],
    );
    return String(rows[0].id);
  }

  async isvOfUser(manager: EntityManager, userId: string): Promise<string | null> {
    const rows: { id: string }[] = await manager.query(
      `SELECT o.id FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1 AND o.type = 'isv'`,
      [userId],
    );
    return rows[0]?.id ?? null;
  }
}
