import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../../config/app-config';

const TICK_MS = 10;

/**
 * Liveness of the process itself: the longest event-loop stall since the previous probe must stay under
 * EVENT_LOOP_MAX_DELAY. A ticker measures how late each of its ticks runs. (perf_hooks' monitorEventLoopDelay
 * cannot be used per probe: resetting it drops the sample of a stall that follows the reset.) A loop blocked for
 * good never answers the probe at all, which the probe's own timeout catches.
 */
@Injectable()
export class EventLoopHealthIndicator implements OnApplicationBootstrap, OnApplicationShutdown {
  private ticker?: NodeJS.Timeout;
  private lastTick = 0;
  private maxLagMs = 0;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.lastTick = performance.now();
    this.ticker = setInterval(() => {
      const now = performance.now();
      this.maxLagMs = Math.max(this.maxLagMs, now - this.lastTick - TICK_MS);
      this.lastTick = now;
    }, TICK_MS);
    this.ticker.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.ticker);
  }

  /** An attempt (chain `.withTimeout()`): down when the loop stalled longer than the limit since the last probe. */
  check(key = 'eventLoop') {
    return this.health.check(key).attempt(async () => {
      // A stall is measured by the first tick after it: give that tick the chance to run.
      await sleep(TICK_MS * 2);
      const maxDelayMs = Math.round(this.maxLagMs);
      this.maxLagMs = 0;
      const limit = this.config.health.maxEventLoopDelayMs;
      if (maxDelayMs > limit) throw new Error(`event loop blocked for ${maxDelayMs} ms (limit ${limit} ms)`);
      return { maxDelayMs, limitMs: limit, uptimeSeconds: Math.round(process.uptime()) };
    });
  }
}
