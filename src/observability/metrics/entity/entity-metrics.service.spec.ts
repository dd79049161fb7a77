import { loadConfig } from '../../../config/app-config';
import type { EntityMetricsRepository } from './entity-metrics.repository';
import type { EntityMetricsRow } from './entity-metrics.model';
import { EntityMetricsService } from './entity-metrics.service';

function setup() {
  const written: EntityMetricsRow[][] = [];
  let failNext = 0;
  const repo: jest.Mocked<EntityMetricsRepository> = {
    add: jest.fn(async (rows: EntityMetricsRow[]) => {
      if (failNext-- > 0) throw new Error('database unavailable');
      written.push(rows);
    }),
    find: jest.fn(async () => []),
    totals: jest.fn(),
    top: jest.fn(),
    reset: jest.fn(async () => 0),
  } as unknown as jest.Mocked<EntityMetricsRepository>;
  const service = new EntityMetricsService(repo, loadConfig({}));
  return { service, repo, written, fail: (n: number) => (failNext = n) };
}

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
});
