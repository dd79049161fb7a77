import type { Gauge } from 'prom-client';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';

/**
 * Every gateway metric, in one place (the README's metrics table documents the same names). Labels are bounded:
 * tool, server, gateway and route values come from the catalog or the route table (never from raw client input)
 * and are capped at METRICS_MAX_LABEL_VALUES distinct values each, after which `other` is reported.
 */
export const METRIC = {
  toolCalls: 'tool_calls_total',
  toolCallDuration: 'tool_call_duration_seconds',
  gatewayUp: 'gateway_up',
  httpRequests: 'http_requests_total',
  httpRequestDuration: 'http_request_duration_seconds',
  sessionsActive: 'mcp_sessions_active',
  cacheHits: 'cache_hits_total',
  cacheMisses: 'cache_misses_total',
  rateLimitRejections: 'rate_limit_rejections_total',
} as const;

/** What one application contributes to the gauges computed at scrape time. */
export interface GaugeSource {
  /** Peer name -> 1 (enabled and reachable) or 0, at most METRICS_MAX_LABEL_VALUES names (the rest as `other`). */
  peers(): Promise<Array<[string, number]>>;
  /** Transport -> open sessions. */
  sessions(): Record<string, number>;
}

/**
 * The applications alive in this process (one in production; tests may run several). prom-client's registry is
 * process-wide, so collectors ask every live application rather than the one that happened to create the metric.
 */
export const gaugeSources = new Set<GaugeSource>();

async function collectPeers(this: Gauge): Promise<void> {
  this.reset();
  for (const source of gaugeSources) {
    for (const [gateway, up] of await source.peers().catch(() => [] as Array<[string, number]>)) this.set({ gateway }, up);
  }
}

function collectSessions(this: Gauge): void {
  this.reset();
  for (const source of gaugeSources) for (const [transport, n] of Object.entries(source.sessions())) this.inc({ transport }, n);
}

/** Latency buckets from 5 ms to 60 s: tool calls range from cached lookups to slow upstream jobs. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export const METRIC_PROVIDERS = [
  makeCounterProvider({
    name: METRIC.toolCalls,
    help: 'Tool calls by tool, the server that executed it (peer gateway name, or "local") and status (success or error)',
    labelNames: ['tool', 'server', 'status'],
  }),
  makeHistogramProvider({
    name: METRIC.toolCallDuration,
    help: 'Tool call latency in seconds, by tool and executing server',
    labelNames: ['tool', 'server'],
    buckets: LATENCY_BUCKETS,
  }),
  makeGaugeProvider({ name: METRIC.gatewayUp, help: '1 when a registered peer gateway is enabled and reachable, else 0', labelNames: ['gateway'], collect: collectPeers }),
  makeCounterProvider({ name: METRIC.httpRequests, help: 'HTTP requests by method, route pattern and status code', labelNames: ['method', 'route', 'status'] }),
  makeHistogramProvider({
    name: METRIC.httpRequestDuration,
    help: 'HTTP request duration in seconds (until the response ends; long for event streams), by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
  }),
  makeGaugeProvider({ name: METRIC.sessionsActive, help: 'Open MCP sessions on this replica, by transport', labelNames: ['transport'], collect: collectSessions }),
  makeCounterProvider({ name: METRIC.cacheHits, help: 'Cache lookups answered from the cache, by cache', labelNames: ['cache'] }),
  makeCounterProvider({ name: METRIC.cacheMisses, help: 'Cache lookups that had to compute the value, by cache', labelNames: ['cache'] }),
  makeCounterProvider({ name: METRIC.rateLimitRejections, help: 'Requests refused by a rate limit (requests: the API limit; tool_calls: MAX_TOOL_CALLS_PER_MINUTE)', labelNames: ['limit'] }),
];
