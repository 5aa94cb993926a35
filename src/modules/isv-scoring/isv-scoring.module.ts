import { Module } from '@nestjs/common';
import { IsvRecomputeService } from './isv-recompute.service';
import { IsvScoringJobs } from './jobs/isv-scoring.jobs';

/**
 * Owns ISV tier scoring: versioned rules, the recompute (score events → snapshots), tier states
 * with demotion grace, the dashboard, staff views and the score API. It reads certificates,
 * project deliveries, contributions and products through its own lean read model and never
 * writes them.
 */
@Module({
  providers: [IsvRecomputeService, IsvScoringJobs],
})
export class IsvScoringModule {}
