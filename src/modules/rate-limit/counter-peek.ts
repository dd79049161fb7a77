import { ThrottlerStorageService } from '@nestjs/throttler';

/** A counter as it stands, read without counting a hit. */
export interface CounterState {
  totalHits: number;
  /** Seconds until the counter's window ends (0 when there is no live counter). */
  timeToExpire: number;
}

/** A throttler storage that can also read a counter without incrementing it (to refuse a locked-out client). */
export interface PeekableThrottlerStorage {
  peek(key: string, throttlerName: string): Promise<CounterState>;
}

/** @nestjs/throttler's in-memory storage (used when REDIS_URL is not set), plus `peek`. */
export class MemoryThrottlerStorage extends ThrottlerStorageService implements PeekableThrottlerStorage {
  async peek(key: string, throttlerName: string): Promise<CounterState> {
    const record = this.storage.get(key);
    const now = Date.now();
    if (!record || record.expiresAt <= now) return { totalHits: 0, timeToExpire: 0 };
    return { totalHits: record.totalHits.get(throttlerName) ?? 0, timeToExpire: Math.ceil((record.expiresAt - now) / 1000) };
  }
}
