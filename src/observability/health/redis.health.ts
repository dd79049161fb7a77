import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisService } from '../../common/redis/redis.service';

/** Redis answers PING (checked only when REDIS_URL is set). */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly redis: RedisService,
  ) {}

  get configured(): boolean {
    return this.redis.client !== null;
  }

  pingCheck(key = 'redis') {
    return this.health
      .check(key)
      .attempt(async () => {
        const client = this.redis.client;
        if (!client) return;
        if (client.status !== 'ready') throw new Error(`not connected (${client.status})`);
        await client.ping();
      });
  }
}
