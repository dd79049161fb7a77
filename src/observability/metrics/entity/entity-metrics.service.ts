import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CATALOG_CHANGED, type CatalogChangedEvent } from '../../../common/events/catalog-events';
import { AppConfig } from '../../../config/app-config';
import { EntityMetricsRepository } from './entity-metrics.repository';
import {
  emptyRow,
  type EntityMetricsRow,
  type ExecutionMetrics,
  type MeteredKind,
  METERED_KINDS,
  mergeRows,
  toExecutionMetrics,
} from './entity-metrics.model';

/** One execution of a tool, resource read, prompt render, or call through a virtual server. */
export interface Execution {
  kind: MeteredKind;
  id: string;
  durationMs: number;
  success: boolean;
  error?: string;
  at?: Date;
}

export interface MetricsSummary {
  tools: ExecutionMetrics;
  resources: ExecutionMetrics;
  prompts: ExecutionMetrics;
  servers: ExecutionMetrics;
  topTools: Array<{ id: string; metrics: ExecutionMetrics }>;
}

const PLURAL: Record<MeteredKind, 'tools' | 'resources' | 'prompts' | 'servers'> = { tool: 'tools', resource: 'resources', prompt: 'prompts', server: 'servers' };
const keyOf = (kind: MeteredKind, id: string) => `${kind}:${id}`;

/**
 * Per-entity execution metrics like the reference gateway's (count, failures, failure rate, min/max/avg latency,
 * last execution). Executions are summed in memory and added to the database every METRICS_FLUSH_INTERVAL
 * seconds (and at shutdown, after the probes' grace period), so a tool call costs no write; reads first write what this replica holds.
 */
@Injectable()
export class EntityMetricsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('EntityMetrics');
  private pending = new Map<string, EntityMetricsRow>();
  private flushing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: EntityMetricsRepository,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.config.metrics.flushIntervalMs);
    this.timer.unref();
  }

  /** The last write, while the database is still open (it closes in the shutdown phase that follows). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  record(e: Execution): void {
    const at = e.at ?? new Date();
    const us = Math.max(0, Math.round(e.durationMs * 1000));
    const delta: EntityMetricsRow = {
      ...emptyRow(e.kind, e.id),
      executions: 1,
      failures: e.success ? 0 : 1,
      totalUs: us,
      minUs: us,
      maxUs: us,
      lastExecutionAt: at,
      lastFailureAt: e.success ? null : at,
      lastError: e.success ? null : (e.error ?? 'failed').slice(0, 500),
    };
    const key = keyOf(e.kind, e.id);
    const current = this.pending.get(key);
    this.pending.set(key, current ? mergeRows(current, delta) : delta);
  }

  /**
   * Writes the buffered executions. Flushes run one after another; a failed write puts its executions back
   * (merged with newer ones), so a database outage delays metrics but loses none.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      if (!this.pending.size) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.repo.add([...batch.values()]);
      } catch (err) {
        for (const [key, row] of batch) {
          const newer = this.pending.get(key);
          this.pending.set(key, newer ? mergeRows(row, newer) : row);
        }
        this.logger.warn(`writing execution metrics failed (kept for the next attempt): ${(err as Error).message}`);
        throw err;
      }
    });
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Metrics of the given entities (zeros for those never executed). */
  async forEntities(kind: MeteredKind, ids: string[]): Promise<Map<string, ExecutionMetrics>> {
    await this.flush().catch(() => undefined);
    const stored = new Map((await this.repo.find(kind, ids)).map((r) => [r.entityId, r]));
    return new Map(
      ids.map((id) => {
        const pending = this.pending.get(keyOf(kind, id));
        const row = stored.get(id) ?? emptyRow(kind, id);
        return [id, toExecutionMetrics(pending ? mergeRows(row, pending) : row)];
      }),
    );
  }

  /** The reference gateway's `GET /metrics` aggregate, plus the most used tools. */
  async summary(topN = 5): Promise<MetricsSummary> {
    await this.flush().catch(() => undefined);
    const totals = await Promise.all(METERED_KINDS.map(async (kind) => [PLURAL[kind], toExecutionMetrics(await this.withPending(kind, await this.repo.totals(kind)))] as const));
    const top = await this.repo.top('tool', topN);
    return {
      ...(Object.fromEntries(totals) as Omit<MetricsSummary, 'topTools'>),
      topTools: top.map((r) => ({ id: r.entityId, metrics: toExecutionMetrics(r) })),
    };
  }

  /** Forgets recorded executions: of one entity, one kind, or everything. */
  async reset(kind?: MeteredKind, id?: string): Promise<number> {
    await this.flush().catch(() => undefined);
    for (const key of [...this.pending.keys()]) {
      if (!kind || (key.startsWith(`${kind}:`) && (!id || key === keyOf(kind, id)))) this.pending.delete(key);
    }
    return this.repo.reset(kind, id);
  }

  /** A deleted entity takes its metrics with it. */
  @OnEvent(CATALOG_CHANGED)
  async onCatalogChanged(event: CatalogChangedEvent): Promise<void> {
    if (event.action !== 'delete' || !(METERED_KINDS as readonly string[]).includes(event.kind)) return;
    await this.reset(event.kind as MeteredKind, event.id).catch((err: Error) => this.logger.warn(`dropping metrics of ${event.kind} ${event.id}: ${err.message}`));
  }

  /** A kind's stored totals plus what this replica has not written yet (only when the flush before failed). */
  private withPending(kind: MeteredKind, totals: EntityMetricsRow): EntityMetricsRow {
    let row = totals;
    for (const [key, pending] of this.pending) if (key.startsWith(`${kind}:`)) row = mergeRows(row, pending);
    return row;
  }
}
