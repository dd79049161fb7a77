import type { ThrottlerStorage } from '@nestjs/throttler';
import type { CounterState, PeekableThrottlerStorage } from './counter-peek';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

// Fixed window: the first hit starts the window (PEXPIRE), later hits count in it.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

const PEEK = `
local hits = redis.call('GET', KEYS[1])
if not hits then return { 0, 0 } end
return { tonumber(hits), redis.call('PTTL', KEYS[1]) }`;

/**
 * Throttler counters in Redis, so every replica counts against the same limit. While Redis is unreachable the
 * limit fails open (requests pass, a warning is logged at most every 10 s): an outage of the counter store must
 * not take the API down with it.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, PeekableThrottlerStorage {
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
      [hits, pttl] = (await this.redis.eval(INCREMENT, 1, this.key(name, key), ttl)) as [number, number];
    } catch (err) {
      this.warn(name, err as Error);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
    const timeToExpire = Math.max(1, Math.ceil((pttl > 0 ? pttl : ttl) / 1000));
    const blocked = hits > limit;
    return { totalHits: hits, timeToExpire, isBlocked: blocked, timeToBlockExpire: blocked ? timeToExpire : 0 };
  }

  /** The counter without counting a hit; fails open (no hits) while Redis is unreachable, like `increment`. */
  async peek(key: string, name: string): Promise<CounterState> {
    try {
      const [hits, pttl] = (await this.redis.eval(PEEK, 1, this.key(name, key))) as [number, number];
      return { totalHits: hits, timeToExpire: hits > 0 ? Math.max(1, Math.ceil(pttl / 1000)) : 0 };
    } catch (err) {
      this.warn(name, err as Error);
      return { totalHits: 0, timeToExpire: 0 };
    }
  }

  private key(name: string, key: string): string {
    return `${this.prefix}rl:${name}:${key}`;
  }

  private warn(name: string, err: Error): void {
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(`Redis unavailable, rate limit '${name}' not enforced: ${err.message}`);
    }
  }
}
