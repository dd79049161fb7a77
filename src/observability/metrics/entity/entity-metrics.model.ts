/** The entities whose executions are measured. Servers count every call made through the virtual server. */
export const METERED_KINDS = ['tool', 'resource', 'prompt', 'server'] as const;
export type MeteredKind = (typeof METERED_KINDS)[number];

/** The running aggregate of one entity's executions, as stored. Durations in microseconds. */
export interface EntityMetricsRow {
  entityType: MeteredKind;
  entityId: string;
  executions: number;
  failures: number;
  totalUs: number;
  minUs: number | null;
  maxUs: number | null;
  lastExecutionAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
}

/** Executions of one entity not yet written: added to the stored row on flush. */
export type EntityMetricsDelta = EntityMetricsRow;

/** The reference gateway's metrics view (response times in seconds). */
export interface ExecutionMetrics {
  totalExecutions: number;
  successfulExecutions: number;
  failedExecutions: number;
  failureRate: number;
  minResponseTime: number | null;
  maxResponseTime: number | null;
  avgResponseTime: number | null;
  lastExecutionTime: string | null;
  lastFailureTime: string | null;
  lastError: string | null;
}

export function emptyRow(entityType: MeteredKind, entityId: string): EntityMetricsRow {
  return { entityType, entityId, executions: 0, failures: 0, totalUs: 0, minUs: null, maxUs: null, lastExecutionAt: null, lastFailureAt: null, lastError: null };
}

const later = (a: Date | null, b: Date | null) => (!a ? b : !b ? a : a > b ? a : b);
const lower = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const higher = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** The aggregate of two aggregates (stored + pending, or several entities). */
export function mergeRows(a: EntityMetricsRow, b: EntityMetricsRow): EntityMetricsRow {
  const lastFailureAt = later(a.lastFailureAt, b.lastFailureAt);
  return {
    entityType: a.entityType,
    entityId: a.entityId,
    executions: a.executions + b.executions,
    failures: a.failures + b.failures,
    totalUs: a.totalUs + b.totalUs,
    minUs: lower(a.minUs, b.minUs),
    maxUs: higher(a.maxUs, b.maxUs),
    lastExecutionAt: later(a.lastExecutionAt, b.lastExecutionAt),
    lastFailureAt,
    lastError: lastFailureAt && lastFailureAt === b.lastFailureAt ? b.lastError : a.lastError,
  };
}

const seconds = (us: number | null) => (us === null ? null : Math.round(us) / 1e6);

export function toExecutionMetrics(row: EntityMetricsRow): ExecutionMetrics {
  const successful = row.executions - row.failures;
  return {
    totalExecutions: row.executions,
    successfulExecutions: successful,
    failedExecutions: row.failures,
    failureRate: row.executions ? Number((row.failures / row.executions).toFixed(4)) : 0,
    minResponseTime: seconds(row.minUs),
    maxResponseTime: seconds(row.maxUs),
    avgResponseTime: row.executions ? seconds(Math.round(row.totalUs / row.executions)) : null,
    lastExecutionTime: row.lastExecutionAt?.toISOString() ?? null,
    lastFailureTime: row.lastFailureAt?.toISOString() ?? null,
    lastError: row.lastError,
  };
}
