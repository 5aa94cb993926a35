import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Outbox } from '../../infra/queue/outbox';
import { ScoreEventsRepository } from './score-events.repository';
import { ScoreEventInput } from './score-events.types';

declare module '../../infra/queue/jobs' {
  interface JobPayloads {
    /** An ISV's points may have changed; its handler lives in the isv-scoring module. */
    'isv.scoreEvent': { scoreEventId: string; organisationId: string };
  }
}

/**
 * The score-event ledger. Modules whose changes move an ISV's points (certificates, projects,
 * contributions, rules) call `record` with their use case's transaction manager, so the event
 * commits or rolls back with the change, and reaches BullMQ through the outbox after commit.
 * This module only records; isv-scoring owns what an event means.
 */
@Injectable()
export class ScoreEventsService {
  constructor(
    private readonly outbox: Outbox,
    private readonly repository: ScoreEventsRepository,
  ) {}

  async record(manager: EntityManager, event: ScoreEventInput): Promise<string> {
    const scoreEventId = await this.repository.insert(manager, event);
    await this.outbox.add(manager, 'isv.scoreEvent', { scoreEventId, organisationId: event.organisationId });
    return scoreEventId;
  }

  /** The ISV a person belongs to now; null for brand staff or people without one (their events are not scored). */
  isvOf(manager: EntityManager, userId: string): Promise<string | null> {
    return this.repository.isvOfUser(manager, userId);
  }
}
