import { Injectable, Logger } from '@nestjs/common';

/** Recomputes ISV scores (one ISV, or all of them set-based) and stores snapshots. */
@Injectable()
export class IsvRecomputeService {
  private readonly logger = new Logger('isv-scoring');

  async recomputeOne(organisationId: string): Promise<void> {
    // Filled in with the scoring read model next; the handler exists first so the outbox flows.
    this.logger.debug(`recompute requested for ${organisationId}`);
    await Promise.resolve();
  }
}
