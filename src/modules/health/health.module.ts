import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';

/** Liveness and readiness for load balancers and operators. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false })],
  providers: [RedisHealthIndicator],
  controllers: [HealthController],
})
export class HealthModule {}
