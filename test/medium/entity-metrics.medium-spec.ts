import type { INestApplication } from '@nestjs/common';
import { EntityMetricsRepository } from '../../src/observability/metrics/entity/entity-metrics.repository';
import { emptyRow, type EntityMetricsRow } from '../../src/observability/metrics/entity/entity-metrics.model';
import { testDialect, type TestDatabase } from '../support/databases';
import { createTestApp } from '../support/gateway';

const at = (iso: string) => new Date(iso);

function delta(id: string, ms: number[], failures: Array<[string, string]> = [], last = '2026-01-01T00:00:00.000Z'): EntityMetricsRow {
  const us = ms.map((m) => m * 1000);
  const lastFailure = failures.at(-1);
  return {
    ...emptyRow('tool', id),
    executions: ms.length,
    failures: failures.length,
    totalUs: us.reduce((a, b) => a + b, 0),
    minUs: Math.min(...us),
    maxUs: Math.max(...us),
    lastExecutionAt: at(last),
    lastFailureAt: lastFailure ? at(lastFailure[0]) : null,
    lastError: lastFailure?.[1] ?? null,
  };
}

describe(`entity metrics repository on ${testDialect()}`, () => {
  let app: INestApplication;
  let db: TestDatabase;
  let repo: EntityMetricsRepository;

  beforeAll(async () => {
    ({ app, db } = await createTestApp({ METRICS_FLUSH_INTERVAL: '3600' }));
    await app.init();
    repo = app.get(EntityMetricsRepository);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('adds deltas to stored aggregates: sums, extremes and latest times, exactly', async () => {
    await repo.add([delta('t1', [5, 7], [], '2026-01-01T00:00:01.000Z')]);
    await repo.add([delta('t1', [3, 9, 4], [['2026-01-01T00:00:02.000Z', 'boom']], '2026-01-01T00:00:02.500Z')]);
    // An older batch (another replica's, written late) must not move the latest times back.
    await repo.add([delta('t1', [6], [['2026-01-01T00:00:00.500Z', 'older']], '2026-01-01T00:00:00.600Z')]);
    const [row] = await repo.find('tool', ['t1']);
    expect(row).toEqual({
      entityType: 'tool',
      entityId: 't1',
      executions: 6,
      failures: 2,
      totalUs: 34_000,
      minUs: 3000,
      maxUs: 9000,
      lastExecutionAt: at('2026-01-01T00:00:02.500Z'),
      lastFailureAt: at('2026-01-01T00:00:02.000Z'),
      lastError: 'boom',
    });
  });

  it('loses no execution when replicas write the same entities concurrently', async () => {
    const writes = Array.from({ length: 20 }, (_, i) => repo.add([delta('hot', [i + 1]), delta(`cold-${i % 2}`, [1])]));
    await Promise.all(writes);
    const [hot] = await repo.find('tool', ['hot']);
    expect(hot).toMatchObject({ executions: 20, totalUs: 210_000, minUs: 1000, maxUs: 20_000 });
    const cold = await repo.find('tool', ['cold-0', 'cold-1']);
    expect(cold.map((r) => r.executions).sort()).toEqual([10, 10]);
  });

  it('totals a kind, lists the most executed, and resets one entity, one kind or everything', async () => {
    const totals = await repo.totals('tool');
    expect(totals).toMatchObject({ executions: 6 + 20 + 20, failures: 2, minUs: 1000, maxUs: 20_000 });
    expect(totals.lastExecutionAt).toEqual(at('2026-01-01T00:00:02.500Z'));
    expect((await repo.top('tool', 2)).map((r) => r.entityId)).toEqual(['hot', 'cold-0']);
    expect(await repo.totals('prompt')).toMatchObject({ executions: 0, minUs: null, lastExecutionAt: null });

    await repo.add([{ ...delta('p1', [2]), entityType: 'prompt' }]);
    expect(await repo.reset('tool', 'hot')).toBe(1);
    expect(await repo.find('tool', ['hot'])).toEqual([]);
    expect(await repo.reset('tool')).toBe(3);
    expect((await repo.totals('prompt')).executions).toBe(1);
    expect(await repo.reset()).toBe(1);
  });
});
