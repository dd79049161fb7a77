import { loadConfig } from '../../../config/app-config';
import type { ClusterRelay } from '../../../common/redis/cluster-relay.service';
import type { EntityMetricsRepository } from './entity-metrics.repository';
import type { EntityMetricsRow } from './entity-metrics.model';
import { EntityMetricsService } from './entity-metrics.service';

function setup() {
  const written: EntityMetricsRow[][] = [];
  let failNext = 0;
  let gate: Promise<void> | undefined;
  const repo: jest.Mocked<EntityMetricsRepository> = {
    add: jest.fn(async (rows: EntityMetricsRow[]) => {
      await gate;
      if (failNext-- > 0) throw new Error('database unavailable');
      written.push(rows);
    }),
    find: jest.fn(async () => []),
    totals: jest.fn(),
    top: jest.fn(),
    reset: jest.fn(async () => 0),
  } as unknown as jest.Mocked<EntityMetricsRepository>;
  const relay = { listen: jest.fn(async () => undefined), publish: jest.fn(async () => undefined) };
  const service = new EntityMetricsService(repo, loadConfig({}), relay as unknown as ClusterRelay);
  /** Holds writes open until the returned function is called. */
  const hold = () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    return () => {
      gate = undefined;
      open();
    };
  };
  return { service, repo, relay, written, hold, fail: (n: number) => (failNext = n) };
}

const ids = (rows: EntityMetricsRow[][]) => rows.flat().map((r) => `${r.entityType}:${r.entityId}:${r.executions}`).sort();

describe('EntityMetricsService', () => {
  it('sums executions in memory and writes one delta per entity per flush', async () => {
    const { service, written } = setup();
    service.record({ kind: 'tool', id: 'a', durationMs: 4, success: true, at: new Date('2026-01-01T00:00:01Z') });
    service.record({ kind: 'tool', id: 'a', durationMs: 2, success: false, error: 'boom', at: new Date('2026-01-01T00:00:02Z') });
    service.record({ kind: 'server', id: 's', durationMs: 2, success: true });
    await service.flush();
    expect(written).toHaveLength(1);
    const a = written[0].find((r) => r.entityId === 'a')!;
    expect(a).toMatchObject({ executions: 2, failures: 1, totalUs: 6000, minUs: 2000, maxUs: 4000, lastError: 'boom' });
    expect(a.lastExecutionAt).toEqual(new Date('2026-01-01T00:00:02Z'));
    await service.flush();
    expect(written).toHaveLength(1);
  });

  it('keeps executions whose write failed and adds them to the next flush', async () => {
    const { service, written, fail } = setup();
    service.record({ kind: 'tool', id: 'a', durationMs: 1, success: true });
    fail(1);
    await expect(service.flush()).rejects.toThrow('database unavailable');
    service.record({ kind: 'tool', id: 'a', durationMs: 3, success: true });
    await service.flush();
    expect(written).toEqual([[expect.objectContaining({ entityId: 'a', executions: 2, totalUs: 4000, minUs: 1000, maxUs: 3000 })]]);
  });

  it('includes unwritten executions in reads when the database cannot take them', async () => {
    const { service, fail } = setup();
    service.record({ kind: 'prompt', id: 'p', durationMs: 10, success: true });
    fail(1);
    const metrics = await service.forEntities('prompt', ['p', 'q']);
    expect(metrics.get('p')).toMatchObject({ totalExecutions: 1, avgResponseTime: 0.01 });
    expect(metrics.get('q')).toMatchObject({ totalExecutions: 0, avgResponseTime: null });
  });

  it('tells the other replicas about a reset, with when it started and ended', async () => {
    const { service, relay, repo } = setup();
    service.record({ kind: 'tool', id: 'a', durationMs: 1, success: true });
    const before = Date.now();
    await service.reset('tool', 'a');
    expect(repo.reset).toHaveBeenCalledWith('tool', 'a');
    expect(relay.publish).toHaveBeenCalledWith('metrics-resets', { kind: 'tool', id: 'a', from: expect.any(Number), at: expect.any(Number) });
    const [, message] = relay.publish.mock.calls[0] as unknown as [string, { from: number; at: number }];
    expect(message.from).toBeGreaterThanOrEqual(before);
    expect(message.at).toBeGreaterThanOrEqual(message.from);
  });

  it("on another replica's reset, drops unwritten executions older than it (of the entities it covers only)", async () => {
    const { service, repo, written } = setup();
    const t = Date.parse('2026-01-01T00:00:10Z');
    service.record({ kind: 'tool', id: 'a', durationMs: 1, success: true, at: new Date(t - 5000) });
    service.record({ kind: 'tool', id: 'b', durationMs: 1, success: true, at: new Date(t - 5000) });
    service.record({ kind: 'prompt', id: 'a', durationMs: 1, success: true, at: new Date(t - 5000) });
    service.record({ kind: 'tool', id: 'c', durationMs: 1, success: true, at: new Date(t + 5000) });
    await service.onRelayedReset({ origin: 'other', kind: 'tool', from: t - 10, at: t });
    expect(repo.reset).not.toHaveBeenCalled();
    await service.flush();
    expect(ids(written)).toEqual(['prompt:a:1', 'tool:c:1']);

    service.record({ kind: 'prompt', id: 'a', durationMs: 1, success: true, at: new Date(t - 5000) });
    service.record({ kind: 'prompt', id: 'b', durationMs: 1, success: true, at: new Date(t - 5000) });
    await service.onRelayedReset({ origin: 'other', kind: 'prompt', id: 'a', from: t - 10, at: t });
    await service.onRelayedReset({ origin: 'other', kind: 'gizmo' as never, from: t - 10, at: t });
    await service.flush();
    expect(ids(written.slice(1))).toEqual(['prompt:b:1']);
  });

  it('resets again after its own write in progress carried executions older than the reset', async () => {
    const { service, repo, written, hold } = setup();
    service.record({ kind: 'tool', id: 'a', durationMs: 1, success: true });
    const release = hold();
    const flushing = service.flush();
    const now = Date.now();
    const applied = service.onRelayedReset({ origin: 'other', from: now - 5, at: now + 5 });
    release();
    await flushing;
    await applied;
    expect(ids(written)).toEqual(['tool:a:1']);
    expect(repo.reset).toHaveBeenCalledWith(undefined, undefined);
  });

  it('resets again after a recent write that may have landed after the reset, not after older writes', async () => {
    const { service, repo } = setup();
    service.record({ kind: 'tool', id: 'a', durationMs: 1, success: true });
    await service.flush();
    const now = Date.now();
    // The write ended long before this reset started: the reset removed it already.
    await service.onRelayedReset({ origin: 'other', kind: 'tool', from: now + 60_000, at: now + 60_010 });
    expect(repo.reset).not.toHaveBeenCalled();
    // The write ended around the time the reset started (message delay, clock skew): reset again.
    await service.onRelayedReset({ origin: 'other', kind: 'tool', from: now + 100, at: now + 110 });
    expect(repo.reset).toHaveBeenCalledWith('tool', undefined);
  });
});
