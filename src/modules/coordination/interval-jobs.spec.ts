import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MemoryLeases } from '../../../test/support/leases';
import { IntervalJobs } from './interval-jobs';
import { LeaderElection } from './leader-election.service';

/** A job's work that stays running until `finish()`, recording the signal it got. */
function pending() {
  const job = { runs: 0, signal: undefined as AbortSignal | undefined, finish: () => undefined as void };
  const work = jest.fn((signal: AbortSignal) => {
    job.runs++;
    job.signal = signal;
    return new Promise<void>((resolve) => (job.finish = resolve));
  });
  return { job, work };
}

describe('IntervalJobs', () => {
  let logger: Logger;
  beforeEach(() => {
    jest.useFakeTimers();
    logger = new Logger('test');
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  const setup = (leases = new MemoryLeases()) => {
    const scheduler = new SchedulerRegistry();
    const leader = new LeaderElection(leases);
    return { jobs: new IntervalJobs(scheduler, leader, logger), scheduler, leader, leases };
  };

  it('runs every interval, registered in the scheduler; skips a tick while the previous one runs; logs failures and goes on', async () => {
    const { jobs, scheduler } = setup();
    const { job, work } = pending();
    jobs.every('slow', 100, work);
    expect(scheduler.doesExist('interval', 'slow')).toBe(true);
    await jest.advanceTimersByTimeAsync(350);
    expect(job.runs).toBe(1); // still running: the ticks at 200 and 300 ms were skipped
    job.finish();
    await jest.advanceTimersByTimeAsync(100);
    expect(job.runs).toBe(2);
    job.finish();

    let calls = 0;
    jobs.every('failing', 100, async () => {
      calls++;
      throw new Error('database down');
    });
    await jest.advanceTimersByTimeAsync(300);
    expect(calls).toBe(3);
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/^failing: Error: database down/));
    const stopping = jobs.stop();
    job.finish(); // the slow job's current run
    await stopping;
  });

  it('with a lease, runs the job on one replica only, and on the other once the first stops', async () => {
    const leases = new MemoryLeases();
    const a = setup(leases);
    const b = setup(leases);
    const ran: string[] = [];
    a.jobs.every('job', 100, async () => void ran.push('a'), { leaseMs: 300 });
    b.jobs.every('job', 100, async () => void ran.push('b'), { leaseMs: 300 });
    await jest.advanceTimersByTimeAsync(500);
    expect(new Set(ran).size).toBe(1);
    expect(ran.length).toBe(5);
    const first = ran[0];
    await (first === 'a' ? a : b).jobs.stop(); // releases the lease
    ran.length = 0;
    await jest.advanceTimersByTimeAsync(200);
    expect(ran).toEqual([first === 'a' ? 'b' : 'a', first === 'a' ? 'b' : 'a']);
    await (first === 'a' ? b : a).jobs.stop();
  });

  it('skips ticks, without taking the lease, while `when` says no', async () => {
    const { jobs, leases } = setup();
    let enabled = false;
    const work = jest.fn(async () => undefined);
    jobs.every('purge', 100, work, { leaseMs: 300, when: () => enabled });
    await jest.advanceTimersByTimeAsync(300);
    expect(work).not.toHaveBeenCalled();
    expect(leases.acquisitions).toBe(0);
    enabled = true;
    await jest.advanceTimersByTimeAsync(100);
    expect(work).toHaveBeenCalledTimes(1);
    await jobs.stop();
  });

  it('on stop: no more ticks, the running one is asked to stop and awaited, the lease released', async () => {
    const { jobs, scheduler, leases, leader } = setup();
    const { job, work } = pending();
    jobs.every('long', 100, work, { leaseMs: 300 });
    await jest.advanceTimersByTimeAsync(100);
    expect(job.runs).toBe(1);
    expect(leases.leases.get('long')?.holder).toBe(leader.replicaId);

    let stopped = false;
    const stopping = jobs.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(job.signal!.aborted).toBe(true);
    expect(scheduler.doesExist('interval', 'long')).toBe(false);
    expect(stopped).toBe(false); // waits for the running tick
    job.finish();
    await stopping;
    expect(leases.leases.has('long')).toBe(false);
    await jest.advanceTimersByTimeAsync(500);
    expect(job.runs).toBe(1);
  });
});
