import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { RedisService } from '../../common/redis/redis.service';
import { AppConfig } from '../../config/app-config';
import { AuthFailureLimiter } from './auth-failure-limiter.service';
import { MemoryThrottlerStorage } from './counter-peek';
import { GatewayThrottlerGuard } from './gateway-throttler.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { ToolCallLimiter } from './tool-call-limiter.service';

/**
 * Rate limits: RATE_LIMIT_PER_MINUTE for the HTTP API (the throttler guard, bound globally after authentication),
 * MAX_TOOL_CALLS_PER_MINUTE for tool calls on every transport, and AUTH_FAILURES_PER_MINUTE for failed
 * authentication per client address. Counters in Redis when REDIS_URL is set, in memory otherwise.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisService],
      useFactory: (config: AppConfig, redis: RedisService) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimit.requestsPerMinute }],
        skipIf: () => !config.rateLimit.enabled,
        storage: redis.client ? new RedisThrottlerStorage(redis.client, redis.prefix) : new MemoryThrottlerStorage(),
      }),
    }),
  ],
  providers: [ToolCallLimiter, AuthFailureLimiter, GatewayThrottlerGuard],
  exports: [ToolCallLimiter, AuthFailureLimiter, GatewayThrottlerGuard, ThrottlerModule],
})
export class RateLimitModule {}
