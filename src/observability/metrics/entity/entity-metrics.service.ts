import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CATALOG_CHANGED, type CatalogChangedEvent } from '../../../common/events/catalog-events';
import { AppConfig } from '../../../config/app-config';
import { type ClusterMessage, ClusterRelay } from '../../../common/redis/cluster-relay.service';
import { BatchedFlush } from '../batched-flush';
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

/** The relay channel of metrics resets (`<CACHE_PREFIX>metrics-resets`). */
const RESET_CHANNEL = 'metrics-resets';
/** How long a replica remembers what it wrote, to tell whether a write may have landed after another's reset. */
const REMEMBER_WRITES_MS = 10_000;
/** Tolerance for clock differences between replicas and for the time a reset message takes to arrive. */
const SKEW_MS = 1000;

/** A reset made on one replica, as told to the others: of one entity, one kind, or everything. */
export interface MetricsResetMessage extends ClusterMessage {
  kind?: MeteredKind;
  id?: string;
  /** When the reset started and ended (epoch ms, the resetting replica's clock). */
  from: number;
  at: number;
}

/** Unwritten executions of one entity, and when the oldest of them happened (epoch ms). */
interface Pending {
  row: EntityMetricsRow;
  since: number;
}

/** A successful write: when it ended, and the entities and oldest executions it carried. */
interface Written {
  at: number;
  rows: Array<[key: string, since: number]>;
}

/**
 * Per-entity execution metrics like the reference gateway's (count, failures, failure rate, min/max/avg latency,
 * last execution). Executions are summed in memory and added to the database every METRICS_FLUSH_INTERVAL
 * seconds (and at shutdown, after the probes' grace period), so a tool call costs no write; reads first write what
 * this replica holds.
 *
 * A reset is told to the other replicas (Redis pub/sub): each drops what it has not written yet of executions older
 * than the reset, and resets again once its own write in progress (or one that may have landed after the reset)
 * is done, so no replica brings back executions from before a reset.
 */
@Injectable()
export class EntityMetricsService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EntityMetrics');
  private pending = new Map<string, Pending>();
  private readonly batches = new BatchedFlush(() => this.write());
  private written: Written[] = [];

  constructor(
    private readonly repo: EntityMetricsRepository,
    private readonly config: AppConfig,
    private readonly relay: ClusterRelay,
  ) {}

  onModuleInit(): void {
    this.batches.start(this.config.metrics.flushIntervalMs);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.relay.listen<MetricsResetMessage>(RESET_CHANNEL, (message) => void this.onRelayedReset(message));
  }

  /** The last write, while the database is still open (it closes in the shutdown phase that follows). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.batches.stop().catch(() => undefined);
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
    this.pending.set(key, current ? { row: mergeRows(current.row, delta), since: Math.min(current.since, at.getTime()) } : { row: delta, since: at.getTime() });
  }

  /**
   * Writes the buffered executions. Flushes run one after another; a failed write puts its executions back
   * (merged with newer ones), so a database outage delays metrics but loses none.
   */
  flush(): Promise<void> {
    return this.batches.flush();
  }

  /** Metrics of the given entities (zeros for those never executed). */
  async forEntities(kind: MeteredKind, ids: string[]): Promise<Map<string, ExecutionMetrics>> {
    await this.flush().catch(() => undefined);
    const stored = new Map((await this.repo.find(kind, ids)).map((r) => [r.entityId, r]));
    return new Map(
      ids.map((id) => {
        const pending = this.pending.get(keyOf(kind, id));
        const row = stored.get(id) ?? emptyRow(kind, id);
        return [id, toExecutionMetrics(pending ? mergeRows(row, pending.row) : row)];
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

  /** Forgets recorded executions, on every replica: of one entity, one kind, or everything. */
  async reset(kind?: MeteredKind, id?: string): Promise<number> {
    const from = Date.now();
    const removed = await this.resetHere(kind, id);
    await this.relay.publish<MetricsResetMessage>(RESET_CHANNEL, { ...(kind ? { kind } : {}), ...(id ? { id } : {}), from, at: Date.now() });
    return removed;
  }

  /**
   * A deleted entity takes its metrics with it. (Every replica hears of the deletion and resets on its own.)
   */
  @OnEvent(CATALOG_CHANGED)
  async onCatalogChanged(event: CatalogChangedEvent): Promise<void> {
    if (event.action !== 'delete' || !(METERED_KINDS as readonly string[]).includes(event.kind)) return;
    await this.resetHere(event.kind as MeteredKind, event.id).catch((err: Error) => this.logger.warn(`dropping metrics of ${event.kind} ${event.id}: ${err.message}`));
  }

  /**
   * Another replica reset metrics: after any write in progress here, drop unwritten executions older than the
   * reset, and reset again if this replica wrote some that may have landed after the other's reset.
   */
  onRelayedReset(message: MetricsResetMessage): Promise<void> {
    const { kind, id, from, at } = message;
    if ((kind !== undefined && !(METERED_KINDS as readonly string[]).includes(kind)) || typeof from !== 'number' || typeof at !== 'number') return Promise.resolve();
    const stale = (key: string, since: number) => since <= at && matches(key, kind, id);
    const run = this.batches.queue(async () => {
      for (const [key, p] of this.pending) if (stale(key, p.since)) this.pending.delete(key);
      const late = this.written.some((w) => w.at >= from - SKEW_MS && w.rows.some(([key, since]) => stale(key, since)));
      if (late) await this.repo.reset(kind, id);
    });
    void run.catch((err: Error) => this.logger.warn(`applying a metrics reset of another replica: ${err.message}`));
    return run;
  }

  /** Forgets recorded executions on this replica and in the database. */
  private async resetHere(kind?: MeteredKind, id?: string): Promise<number> {
    await this.flush().catch(() => undefined);
    for (const key of [...this.pending.keys()]) if (matches(key, kind, id)) this.pending.delete(key);
    return this.repo.reset(kind, id);
  }

  /** One batch: the buffered executions, added to the stored ones; a failure puts them back (merged with newer ones). */
  private async write(): Promise<void> {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.repo.add([...batch.values()].map((p) => p.row));
      this.remember(batch);
    } catch (err) {
      for (const [key, p] of batch) {
        const newer = this.pending.get(key);
        this.pending.set(key, newer ? { row: mergeRows(p.row, newer.row), since: Math.min(p.since, newer.since) } : p);
      }
      this.logger.warn(`writing execution metrics failed (kept for the next attempt): ${(err as Error).message}`);
      throw err;
    }
  }

  private remember(batch: Map<string, Pending>): void {
    const now = Date.now();
    this.written = this.written.filter((w) => w.at > now - REMEMBER_WRITES_MS);
    this.written.push({ at: now, rows: [...batch].map(([key, p]) => [key, p.since]) });
  }

  /** A kind's stored totals plus what this replica has not written yet (only when the flush before failed). */
  private withPending(kind: MeteredKind, totals: EntityMetricsRow): EntityMetricsRow {
    let row = totals;
    for (const [key, pending] of this.pending) if (key.startsWith(`${kind}:`)) row = mergeRows(row, pending.row);
    return row;
  }
}

/** Whether the pending key `kind:id` falls under a reset of `kind` (all kinds when absent) and `id` (all when absent). */
function matches(key: string, kind?: MeteredKind, id?: string): boolean {
  return !kind || (id ? key === keyOf(kind, id) : key.startsWith(`${kind}:`));
}
