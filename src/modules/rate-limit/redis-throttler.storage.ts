import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

// Fixed window: the first hit starts the window (PEXPIRE), later hits count in it.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/**
 * Throttler counters in Redis, so every replica counts against the same limit. While Redis is unreachable the
 * limit fails open (requests pass, a warning is logged at most every 10 s): an outage of the counter store must
 * not take the API down with it.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, name: string): Promise<ThrottlerStorageRecord> {
    let hits: number;
    let pttl: number;
    try {
      [hits, pttl] = (await this.redis.eval(INCREMENT, 1, `${this.prefix}rl:${name}:${key}`, ttl)) as [number, number];
    } catch (err) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`Redis unavailable, rate limit '${name}' not enforced: ${(err as Error).message}`);
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
    const timeToExpire = Math.max(1, Math.ceil((pttl > 0 ? pttl : ttl) / 1000));
    const blocked = hits > limit;
    return { totalHits: hits, timeToExpire, isBlocked: blocked, timeToBlockExpire: blocked ? timeToExpire : 0 };
  }
}
