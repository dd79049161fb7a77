import { Logger } from '@nestjs/common';
import { LeaderElection } from './leader-election.service';
import { MemoryLeases } from '../../../test/support/leases';

describe('LeaderElection', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('runs the work on one replica only while it holds the lease', async () => {
    const leases = new MemoryLeases();
    const [a, b] = [new LeaderElection(leases), new LeaderElection(leases)];
    expect(a.replicaId).not.toBe(b.replicaId);
    const ran: string[] = [];
    expect(await a.runIfLeader('job', 1000, async () => void ran.push('a'))).toBe(true);
    expect(await b.runIfLeader('job', 1000, async () => void ran.push('b'))).toBe(false);
    await a.release('job');
    expect(await b.runIfLeader('job', 1000, async () => void ran.push('b'))).toBe(true);
    expect(ran).toEqual(['a', 'b']);
  });

  it('renews the lease while a job runs longer than its TTL, so no other replica can take it', async () => {
    jest.useFakeTimers();
    const leases = new MemoryLeases();
    const [a, b] = [new LeaderElection(leases), new LeaderElection(leases)];
    let finish!: () => void;
    let signal!: AbortSignal;
    const running = a.runIfLeader('job', 300, (lease) => {
      signal = lease.signal;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    // 1.25 s of work under a 300 ms lease: the other replica never gets it.
    for (let i = 0; i < 5; i++) {
      await jest.advanceTimersByTimeAsync(250);
      expect(await b.runIfLeader('job', 300, async () => undefined)).toBe(false);
    }
    expect(signal.aborted).toBe(false);
    finish();
    expect(await running).toBe(true);
    // Once the job is over the lease is no longer renewed: it lapses after its TTL.
    await jest.advanceTimersByTimeAsync(301);
    expect(await b.runIfLeader('job', 300, async () => undefined)).toBe(true);
  });

  it('aborts the job’s signal when a renewal finds the lease taken, and stops renewing', async () => {
    jest.useFakeTimers();
    const leases = new MemoryLeases();
    const a = new LeaderElection(leases);
    let finish!: () => void;
    let held!: { signal: AbortSignal; renew(): Promise<boolean> };
    const running = a.runIfLeader('job', 300, (lease) => {
      held = lease;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    await jest.advanceTimersByTimeAsync(0);
    leases.leases.set('job', { holder: 'someone else', expiresAt: Date.now() + 60_000 });
    await jest.advanceTimersByTimeAsync(100);
    expect(held.signal.aborted).toBe(true);
    expect(await held.renew()).toBe(false);
    const attempts = leases.acquisitions;
    await jest.advanceTimersByTimeAsync(500);
    expect(leases.acquisitions).toBe(attempts);
    finish();
    await running;
    expect(leases.leases.get('job')?.holder).toBe('someone else');
  });

  it('does not run when the lease store fails', async () => {
    const leases = new MemoryLeases();
    jest.spyOn(leases, 'tryAcquire').mockRejectedValue(new Error('database down'));
    const work = jest.fn(async () => undefined);
    expect(await new LeaderElection(leases).runIfLeader('job', 1000, work)).toBe(false);
    expect(work).not.toHaveBeenCalled();
  });
});
