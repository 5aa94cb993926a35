import { Module, OnModuleInit } from '@nestjs/common';
import { NavRegistry } from '../../infra/http/nav';
import { AuditModule } from '../audit/audit.module';
import { CertificatesModule } from '../certificates/certificates.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ScoreEventsModule } from '../score-events/score-events.module';
import { IsvRecomputeService } from './isv-recompute.service';
import { IsvScoresService } from './isv-scores.service';
import { IsvScoringApiController } from './isv-scoring.api.controller';
import { IsvScoringController } from './isv-scoring.controller';
import { IsvScoringRepository } from './isv-scoring.repository';
import { IsvScoringJobs, IsvScoringSweeper } from './jobs/isv-scoring.jobs';
import { QueuesService } from './queues.service';
import { ScoreInputsRepository } from './score-inputs.repository';
import { RecomputeRequestsService, ScoringRulesService } from './scoring-rules.service';
import { TierNotifier } from './tier-notifier';

/**
 * Owns ISV tier scoring: versioned rules, the recompute (score events → snapshots), tier states
 * with demotion grace and warnings, the dashboard, the staff ranking, rule editor and queues
 * page, and the score API.
 *
 * It reads certificates, project deliveries, contributions and products through its own read
 * model (score-inputs.repository.ts) and must never write them; it learns about their changes
 * only from score events (ScoreEventsService → outbox → 'isv.scoreEvent').
 */
@Module({
  imports: [AuditModule, CertificatesModule, NotificationsModule, ScoreEventsModule],
  providers: [
    IsvScoringRepository,
    ScoreInputsRepository,
    IsvRecomputeService,
    IsvScoresService,
    ScoringRulesService,
    RecomputeRequestsService,
    QueuesService,
    TierNotifier,
    IsvScoringJobs,
    IsvScoringSweeper,
  ],
  controllers: [IsvScoringController, IsvScoringApiController],
  exports: [IsvScoresService],
})
export class IsvScoringModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    this.nav.add(
      { label: 'isvScoring.nav.score', href: '/isv/score', roles: ['isv_manager'], order: 60 },
      { label: 'isvScoring.nav.ranking', href: '/admin/isv-scores', roles: ['platform_staff'], order: 60 },
    );
  }
}
