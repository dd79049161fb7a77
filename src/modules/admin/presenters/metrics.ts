import type { EntityMetricsService } from '../../../observability/metrics/entity/entity-metrics.service';
import type { ExecutionMetrics, MeteredKind } from '../../../observability/metrics/entity/entity-metrics.model';

/** Seconds (as the metrics API reports them) as a short duration. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  return seconds < 1 ? `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms` : `${seconds.toFixed(2)} s`;
}

export const percent = (rate: number): string => `${(rate * 100).toFixed(rate === 0 || rate === 1 ? 0 : 1)} %`;

/** Execution metrics' failure rate and response times as the pages show them. */
export function metricsFigures(m: ExecutionMetrics) {
  return { failureRate: percent(m.failureRate), min: duration(m.minResponseTime), avg: duration(m.avgResponseTime), max: duration(m.maxResponseTime) };
}

/** The view-model of the `entity-metrics` card of a detail page. */
export function entityMetricsView(kind: MeteredKind, id: string, label: string, m: ExecutionMetrics, message?: string) {
  return { kind, id, label, m, message, ...metricsFigures(m) };
}

/** Loads one entity's metrics for its detail page. */
export async function loadEntityMetrics(service: EntityMetricsService, kind: MeteredKind, id: string, label: string, message?: string) {
  const metrics = await service.forEntities(kind, [id]);
  return entityMetricsView(kind, id, label, metrics.get(id)!, message);
}
