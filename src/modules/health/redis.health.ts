import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';

/**
 * Redis readiness: a PING on a dedicated connection that fails fast and reconnects by itself,
 * so readiness turns green again as soon as Redis is back, without a restart.
 */
@Injectable()
export class RedisHealthIndicator implements OnApplicationShutdown {
  private readonly client: Redis;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.client = new Redis(config.redisUrl, {
      lazyConnect: true,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: (times) => Math.min(times * 250, 2000),
    });
    this.client.on('error', () => undefined);
  }

  async check(key = 'redis') {
    const indicator = this.indicators.check(key);
    try {
      if (this.client.status === 'wait' || this.client.status === 'end') await this.client.connect().catch(() => undefined);
      const answer = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out after 1 s')), 1000)),
      ]);
      return answer === 'PONG' ? indicator.up() : indicator.down({ message: `unexpected answer ${String(answer)}` });
    } catch (error) {
      return indicator.down({ message: `Redis unreachable: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
