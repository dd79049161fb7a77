import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { LeaderElection } from './leader-election.service';

export interface IntervalJobOptions {
  /**
   * Run on one replica at a time: the holder of the lease named after the job, taken for this many ms at each tick
   * and renewed while the work runs (see LeaderElection). Without it, every replica runs the job.
   */
  leaseMs?: number;
  /** Checked at each tick before anything else: when false, the tick does nothing (no lease taken either). */
  when?: () => boolean;
}

type Work = (signal: AbortSignal) => Promise<unknown>;

/**
 * The interval jobs of one owner (a module's `*.jobs.ts`), each tick one service call: timers registered in the
 * SchedulerRegistry and unref'd, a tick still running when the next is due skipped, failures logged, optionally only
 * on the holder of a lease. `stop()` (from the owner's onApplicationShutdown) clears the timers, aborts the signal
 * the running ticks got, waits for them to finish and releases the leases, so a job never outlives the application.
 */
export class IntervalJobs {
  private readonly jobs = new Map<string, { work: Work; options: IntervalJobOptions }>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly scheduler: SchedulerRegistry,
    private readonly leader: LeaderElection,
    private readonly logger: Logger,
  ) {}

  /** Runs `work` every `intervalMs` (first after one interval). */
  every(name: string, intervalMs: number, work: Work, options: IntervalJobOptions = {}): void {
    this.jobs.set(name, { work, options });
    const timer = setInterval(() => void this.tick(name), intervalMs);
    timer.unref();
    this.scheduler.addInterval(name, timer);
  }

  /** One tick of job `name`, as its timer runs it; resolves once it is over. Never rejects. */
  tick(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job || this.running.has(name) || this.stopping.signal.aborted) return Promise.resolve();
    const { work, options } = job;
    const run = Promise.resolve()
      .then(() => {
        if (options.when && !options.when()) return undefined;
        if (!options.leaseMs) return work(this.stopping.signal);
        return this.leader.runIfLeader(name, options.leaseMs, async (lease) => void (await work(AbortSignal.any([lease.signal, this.stopping.signal]))));
      })
      .then(
        () => undefined,
        (err: Error) => this.logger.error(`${name}: ${err?.stack ?? err}`),
      )
      .finally(() => this.running.delete(name));
    this.running.set(name, run);
    return run;
  }

  /** Stops every job: no more ticks, running ones are asked to stop (their signal) and awaited, leases released. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const name of this.jobs.keys()) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    await Promise.allSettled(this.running.values());
    const leased = [...this.jobs].filter(([, job]) => job.options.leaseMs).map(([name]) => name);
    await Promise.allSettled(leased.map((name) => this.leader.release(name)));
  }
}
