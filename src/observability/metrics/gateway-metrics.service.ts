import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { AppConfig } from '../../config/app-config';
import { type GaugeSource, gaugeSources, METRIC } from './metric-definitions';

export type ToolCallStatus = 'success' | 'error';
export type RateLimitKind = 'requests' | 'tool_calls';

const OTHER = 'other';

/**
 * The gateway's Prometheus instruments behind typed methods. Callers pass catalog names; this class keeps each
 * label's distinct values under METRICS_MAX_LABEL_VALUES (later values become `other`), so no client or catalog
 * can grow the series count without bound.
 */
@Injectable()
export class GatewayMetrics implements GaugeSource, OnModuleInit, OnApplicationShutdown {
  private readonly seen = new Map<string, Set<string>>();
  private peerSource: () => Promise<Array<[string, number]>> = async () => [];
  private sessionSource: () => Record<string, number> = () => ({});

  constructor(
    @InjectMetric(METRIC.toolCalls) private readonly toolCalls: Counter<'tool' | 'server' | 'status'>,
    @InjectMetric(METRIC.toolCallDuration) private readonly toolCallDuration: Histogram<'tool' | 'server'>,
    @InjectMetric(METRIC.httpRequests) private readonly httpRequests: Counter<'method' | 'route' | 'status'>,
    @InjectMetric(METRIC.httpRequestDuration) private readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>,
    @InjectMetric(METRIC.cacheHits) private readonly cacheHits: Counter<'cache'>,
    @InjectMetric(METRIC.cacheMisses) private readonly cacheMisses: Counter<'cache'>,
    @InjectMetric(METRIC.rateLimitRejections) private readonly rateLimitRejections: Counter<'limit'>,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    gaugeSources.add(this);
  }

  onApplicationShutdown(): void {
    gaugeSources.delete(this);
  }

  toolCall(tool: string, server: string, status: ToolCallStatus, seconds: number): void {
    const labels = { tool: this.label('tool', tool), server: this.label('server', server) };
    this.toolCalls.inc({ ...labels, status });
    this.toolCallDuration.observe(labels, seconds);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route: this.label('route', route), status: String(status) };
    this.httpRequests.inc(labels);
    this.httpRequestDuration.observe(labels, seconds);
  }

  /** One lookup in the cache named `cache` (catalog, resource, peer...). */
  cacheLookup(cache: string, hit: boolean): void {
    (hit ? this.cacheHits : this.cacheMisses).inc({ cache: this.label('cache', cache) });
  }

  rateLimited(limit: RateLimitKind): void {
    this.rateLimitRejections.inc({ limit });
  }

  /** The federation module tells how to list peers and their state for `gateway_up`. */
  providePeers(source: () => Promise<Array<[string, number]>>): void {
    this.peerSource = source;
  }

  /** The transports module tells how to count open sessions for `mcp_sessions_active`. */
  provideSessions(source: () => Record<string, number>): void {
    this.sessionSource = source;
  }

  peers(): Promise<Array<[string, number]>> {
    return this.peerSource();
  }

  sessions(): Record<string, number> {
    return this.sessionSource();
  }

  label(name: string, value: string): string {
    let values = this.seen.get(name);
    if (!values) this.seen.set(name, (values = new Set()));
    if (values.has(value)) return value;
    if (values.size >= this.config.metrics.maxLabelValues) return OTHER;
    values.add(value);
    return value;
  }
}
