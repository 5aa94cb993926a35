import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CertificatesModule } from '../certificates/certificates.module';
import { ScoreEventsModule } from '../score-events/score-events.module';
import { IsvRecomputeService } from './isv-recompute.service';
import { IsvScoresService } from './isv-scores.service';
import { IsvScoringRepository } from './isv-scoring.repository';
import { IsvScoringJobs } from './jobs/isv-scoring.jobs';
import { ScoreInputsRepository } from './score-inputs.repository';
import { RecomputeRequestsService, ScoringRulesService } from './scoring-rules.service';
import { TierNotifier } from './tier-notifier';

/**
 * Owns ISV tier scoring: versioned rules, the recompute (score events → snapshots), tier states
 * with demotion grace, the dashboard, staff views and the score API. It reads certificates,
 * project deliveries, contributions and products through its own read model
 * (score-inputs.repository.ts) and never writes them.
 */
@Module({
  imports: [AuditModule, CertificatesModule, ScoreEventsModule],
  providers: [IsvScoringRepository, ScoreInputsRepository, IsvRecomputeService, IsvScoresService, ScoringRulesService, RecomputeRequestsService, TierNotifier, IsvScoringJobs],
  exports: [IsvScoresService],
})
export class IsvScoringModule {}
