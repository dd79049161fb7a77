import { loadConfig } from '../../config/app-config';
import { AuthFailureLimiter, AuthLockoutError } from './auth-failure-limiter.service';
import { MemoryThrottlerStorage } from './counter-peek';

describe('AuthFailureLimiter', () => {
  let storage: MemoryThrottlerStorage;
  const limiter = (limit: number) => new AuthFailureLimiter(storage, loadConfig({ AUTH_FAILURES_PER_MINUTE: String(limit) }));

  beforeEach(() => {
    storage = new MemoryThrottlerStorage();
  });
  afterEach(() => storage.onApplicationShutdown());

  it('lets N failures through as failures, then refuses every attempt from that address', async () => {
    const l = limiter(3);
    for (let i = 0; i < 3; i++) {
      await l.assertNotLocked('10.0.0.1');
      await l.recordFailure('10.0.0.1');
    }
    const over = await l.assertNotLocked('10.0.0.1').then(() => null, (e: unknown) => e);
    expect(over).toBeInstanceOf(AuthLockoutError);
    expect((over as AuthLockoutError).retryAfter).toBeGreaterThan(0);
    expect((over as AuthLockoutError).retryAfter).toBeLessThanOrEqual(60);
    expect((over as AuthLockoutError).message).toMatch(/^Too many failed authentication attempts from this address \(limit 3 per minute\): retry in \d+ s$/);
    // Locked: checked before any credential is looked at, and checking does not count.
    for (let i = 0; i < 5; i++) await expect(l.assertNotLocked('10.0.0.1')).rejects.toBeInstanceOf(AuthLockoutError);
    expect((await storage.peek('auth:10.0.0.1', 'auth-failures')).totalHits).toBe(3);
    // A failure that raced past the check is refused as well.
    await expect(l.recordFailure('10.0.0.1')).rejects.toBeInstanceOf(AuthLockoutError);
    // Another address has its own budget.
    await expect(l.assertNotLocked('10.0.0.2')).resolves.toBeUndefined();
  });

  it('unlocks when the window is over', async () => {
    const l = limiter(1);
    await l.recordFailure('10.0.0.3');
    await expect(l.assertNotLocked('10.0.0.3')).rejects.toBeInstanceOf(AuthLockoutError);
    storage.storage.get('auth:10.0.0.3')!.expiresAt = Date.now() - 1; // as if a minute had passed
    await expect(l.assertNotLocked('10.0.0.3')).resolves.toBeUndefined();
  });

  it('is off with AUTH_FAILURES_PER_MINUTE=0', async () => {
    const l = limiter(0);
    for (let i = 0; i < 50; i++) await l.recordFailure('10.0.0.4');
    await expect(l.assertNotLocked('10.0.0.4')).resolves.toBeUndefined();
    expect(storage.storage.size).toBe(0);
  });
});
