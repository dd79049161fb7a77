import { HealthIndicatorService, type TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DatabaseReachabilityIndicator } from './database-reachability.health';

/** The terminus TypeORM indicator replaced by one whose ping runs `ping` (the real attempt and timeout logic). */
function setup(ping: () => Promise<unknown>) {
  const health = new HealthIndicatorService();
  const db = { pingCheck: (key: string) => health.check(key).attempt(async () => void (await ping())) } as unknown as TypeOrmHealthIndicator;
  return new DatabaseReachabilityIndicator(health, db);
}

describe('DatabaseReachabilityIndicator', () => {
  it('reports a database that answers as up and reachable, with its latency', async () => {
    const result = await setup(async () => 1).check(1000);
    expect(result).toEqual({ database: { status: 'up', reachable: true, latencyMs: expect.any(Number) } });
  });

  it('reports a database that fails as degraded (never down), with the reason', async () => {
    const result = await setup(async () => Promise.reject(new Error('connection refused'))).check(1000);
    expect(result).toEqual({ database: { status: 'degraded', reachable: false, latencyMs: expect.any(Number), message: 'connection refused' } });
  });

  it('gives up on a database that does not answer after the timeout', async () => {
    const started = Date.now();
    const result = await setup(() => new Promise(() => undefined)).check(50);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toEqual({ database: { status: 'degraded', reachable: false, latencyMs: expect.any(Number), message: 'timeout of 50ms exceeded' } });
  });
});
