import { Injectable } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { Tracing } from '../tracing/tracing.service';
import { EntityMetricsService } from './entity/entity-metrics.service';
import type { MeteredKind } from './entity/entity-metrics.model';
import { GatewayMetrics } from './gateway-metrics.service';
import { RecentActivity } from './recent-activity.service';

/** What is being executed: a tool, resource or prompt of the catalog. */
export interface ExecutionTarget {
  kind: Exclude<MeteredKind, 'server'>;
  id: string;
  /** Name (tools, prompts) or URI (resources). */
  name: string;
  /** Who executes it: the peer gateway's name for federated entities, `local` for the gateway's own. */
  server: string;
  /** The peer gateway's id, for federated entities (so a rename of the peer frees its old name's series). */
  gatewayId?: string;
  /** The virtual server the request came through, if any: its metrics count the execution too. */
  serverId?: string;
}

const SPAN_NAME: Record<ExecutionTarget['kind'], string> = { tool: 'tools/call', resource: 'resources/read', prompt: 'prompts/get' };

/**
 * Measures one execution and reports it everywhere it is observed: the Prometheus instruments (tools), the
 * per-entity aggregates (the entity and the virtual server it came through), the recent-activity buffers of the
 * admin dashboard and, when enabled, a trace span.
 */
@Injectable()
export class ExecutionRecorder {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly entities: EntityMetricsService,
    private readonly tracing: Tracing,
    private readonly activity: RecentActivity,
  ) {}

  /**
   * Runs `work` and records it. It fails when it throws, or when `failure(result)` names a problem (e.g. an
   * `isError` tool result); either way the outcome is passed through unchanged.
   */
  track<T>(target: ExecutionTarget, work: () => Promise<T>, failure: (result: T) => string | undefined = () => undefined): Promise<T> {
    const attributes = { 'mcp.entity.kind': target.kind, 'mcp.entity.id': target.id, 'mcp.entity.name': target.name, 'mcp.server': target.server, ...(target.serverId ? { 'mcp.virtual_server.id': target.serverId } : {}) };
    return this.tracing.inSpan(`${SPAN_NAME[target.kind]} ${target.name}`, attributes, async (span?: Span) => {
      const start = performance.now();
      try {
        const result = await work();
        const problem = failure(result);
        if (problem) Tracing.fail(span, problem);
        this.record(target, performance.now() - start, problem);
        return result;
      } catch (err) {
        this.record(target, performance.now() - start, (err as Error).message || 'failed');
        throw err;
      }
    });
  }

  private record(target: ExecutionTarget, durationMs: number, error: string | undefined): void {
    const success = error === undefined;
    if (target.kind === 'tool') this.metrics.toolCall(target.name, target.server, success ? 'success' : 'error', durationMs / 1000, target.id, target.gatewayId);
    const at = new Date();
    this.activity.record(target, durationMs, error, at);
    this.entities.record({ kind: target.kind, id: target.id, durationMs, success, error, at });
    if (target.serverId) this.entities.record({ kind: 'server', id: target.serverId, durationMs, success, error, at });
  }
}
