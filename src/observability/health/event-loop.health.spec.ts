import { HealthIndicatorService } from '@nestjs/terminus';
import { loadConfig } from '../../config/app-config';
import { EventLoopHealthIndicator } from './event-loop.health';

describe('EventLoopHealthIndicator', () => {
  let indicator: EventLoopHealthIndicator;
  beforeEach(() => {
    indicator = new EventLoopHealthIndicator(new HealthIndicatorService(), loadConfig({ EVENT_LOOP_MAX_DELAY: '1000' }));
    indicator.onApplicationBootstrap();
  });
  afterEach(() => indicator.onApplicationShutdown());

  // A 1 s limit and a 1.3 s block: a busy machine (other test workers) must not make the first check fail.
  it('is up while the loop runs, down with the stall after it was blocked, then up again', async () => {
    expect(await indicator.check()).toEqual({ eventLoop: { status: 'up', maxDelayMs: expect.any(Number), limitMs: 1000, uptimeSeconds: expect.any(Number), responseTime: expect.any(Number) } });
    const until = Date.now() + 1300;
    while (Date.now() < until); // block the loop
    const blocked = await indicator.check();
    expect(blocked.eventLoop).toMatchObject({ status: 'down', message: expect.stringMatching(/^event loop blocked for \d+ ms \(limit 1000 ms\)$/) });
    expect((await indicator.check()).eventLoop.status).toBe('up');
  });

  it('is down when the check itself takes longer than its timeout', async () => {
    expect((await indicator.check().withTimeout(1)).eventLoop).toMatchObject({ status: 'down', message: 'timeout of 1ms exceeded' });
  });
});
