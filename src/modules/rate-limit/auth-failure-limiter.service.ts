import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import type { PeekableThrottlerStorage } from './counter-peek';

const WINDOW_MS = 60_000;
const NAME = 'auth-failures';

/** Too many failed authentication attempts from one address: 429, with the seconds to wait in `retryAfter`. */
export class AuthLockoutError extends DomainError {
  constructor(
    readonly retryAfter: number,
    limit: number,
  ) {
    super(ErrorCode.RateLimited, `Too many failed authentication attempts from this address (limit ${limit} per minute): retry in ${retryAfter} s`, { retryAfter, limit });
  }
}

/**
 * AUTH_FAILURES_PER_MINUTE per client IP address (as TRUST_PROXY reveals it): wrong passwords are counted in the
 * throttler storage (memory, or Redis shared by every replica when REDIS_URL is set). After N failures in a minute,
 * every password from that address, right or wrong, is refused until the window ends; refusing right ones too is
 * what stops a password being guessed at full speed. Tokens never come here (see Authenticator). Like the other
 * limits, it fails open while Redis is unreachable.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    // RateLimitModule always installs a peekable storage (MemoryThrottlerStorage or RedisThrottlerStorage).
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage & PeekableThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  private get limit(): number {
    return this.config.rateLimit.authFailuresPerMinute;
  }

  /** Throws AuthLockoutError while `client` has used up its failures in the current window. */
  async assertNotLocked(client: string): Promise<void> {
    if (!this.limit) return;
    const state = await this.storage.peek(this.key(client), NAME);
    if (state.totalHits >= this.limit) throw new AuthLockoutError(Math.max(1, state.timeToExpire), this.limit);
  }

  /** Counts a failed attempt; throws AuthLockoutError when it goes over the limit (concurrent attempts). */
  async recordFailure(client: string): Promise<void> {
    if (!this.limit) return;
    const record = await this.storage.increment(this.key(client), WINDOW_MS, this.limit, 0, NAME);
    if (record.totalHits > this.limit) throw new AuthLockoutError(Math.max(1, record.timeToExpire), this.limit);
  }

  private key(client: string): string {
    return `auth:${client}`;
  }
}
