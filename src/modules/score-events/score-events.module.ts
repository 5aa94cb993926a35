import { Module } from '@nestjs/common';
import { ScoreEventsRepository } from './score-events.repository';
import { ScoreEventsService } from './score-events.service';

/** Owns the score-event ledger (table `score_events`) that certificates and projects write and isv-scoring reads. */
@Module({
  providers: [ScoreEventsRepository, ScoreEventsService],
  exports: [ScoreEventsService],
})
export class ScoreEventsModule {}
