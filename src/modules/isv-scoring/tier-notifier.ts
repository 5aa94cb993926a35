import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Centipoints } from './domain/points';
import type { TierChange } from './domain/tier-state';

/** Tells an ISV's managers about tier changes, in the recompute's transaction. */
@Injectable()
export class TierNotifier {
  private readonly logger = new Logger('isv-scoring');

  async tierChanged(_manager: EntityManager, changes: { organisationId: string; changes: TierChange[]; total: Centipoints }[]): Promise<void> {
    // Wired to NotificationsService once the notifications module lands.
    for (const change of changes) this.logger.log(`tier change for ${change.organisationId}: ${change.changes.map((c) => c.kind).join(', ')}`);
    await Promise.resolve();
  }
}
