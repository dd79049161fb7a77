import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { CATALOG_CHANGED, type CatalogChangedEvent } from '../../common/events/catalog-events';
import { isRelayed } from '../../common/events/cluster-events';
import { AppConfig } from '../../config/app-config';
import { type GaugeSource, gaugeSources, METRIC } from './metric-definitions';

export type ToolCallStatus = 'success' | 'error';
export type RateLimitKind = 'requests' | 'tool_calls';

const OTHER = 'other';
const TOOL_STATUSES: readonly ToolCallStatus[] = ['success', 'error'];

/**
 * The gateway's Prometheus instruments behind typed methods. Callers pass catalog names; this class keeps each
 * label's distinct values under METRICS_MAX_LABEL_VALUES (later values become `other`), so no client or catalog
 * can grow the series count without bound. A deleted or renamed tool or peer gives its series and its label slot
 * back, on every replica that hears of it. `gateway_up` is rebuilt from the peer list at every scrape and capped
 * there, so it remembers no names.
 */
@Injectable()
export class GatewayMetrics implements GaugeSource, OnModuleInit, OnApplicationShutdown {
  private readonly seen = new Map<string, Set<string>>();
  /** Tool label value -> server label values it was reported with (the series of tool_calls_total/duration). */
  private readonly toolSeries = new Map<string, Set<string>>();
  /** Tool id -> the name its calls were reported under (to notice renames). */
  private readonly toolNames = new Map<string, string>();
  /** Peer gateway id -> the `server` label its calls were reported under (to notice renames). */
  private readonly serverNames = new Map<string, string>();
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

  /**
   * One tool call. `toolId` (the catalog id) lets a rename of the tool free its old name's series, and `gatewayId`
   * (the id of the peer that executed it, `server`) a rename of the peer.
   */
  toolCall(tool: string, server: string, status: ToolCallStatus, seconds: number, toolId?: string, gatewayId?: string): void {
    const labels = { tool: this.label('tool', tool), server: this.label('server', server) };
    this.toolCalls.inc({ ...labels, status });
    this.toolCallDuration.observe(labels, seconds);
    let servers = this.toolSeries.get(labels.tool);
    if (!servers) this.toolSeries.set(labels.tool, (servers = new Set()));
    servers.add(labels.server);
    if (toolId) this.toolNames.set(toolId, tool);
    if (gatewayId) this.serverNames.set(gatewayId, server);
  }

  /**
   * A tool deleted or renamed: its old name's series go and its slot is free. A peer deleted or renamed: the series
   * of the calls it executed under its old name go, and that `server` slot is free. (Changes relayed from other
   * replicas count; coarse ones, which name no entity, do not.)
   */
  @OnEvent(CATALOG_CHANGED)
  onCatalogChanged(event: CatalogChangedEvent): void {
    if (isRelayed(event) && event.coarse) return;
    if (event.kind === 'tool') this.forgetRenamed(this.toolNames, event, (name) => this.forgetTool(name));
    else if (event.kind === 'gateway') this.forgetRenamed(this.serverNames, event, (name) => this.forgetServer(name));
  }

  /** Forgets what an entity was reported under when it is deleted (by its last name) or renamed (its old name). */
  private forgetRenamed(reportedNames: Map<string, string>, event: CatalogChangedEvent, forget: (name: string) => void): void {
    const reported = reportedNames.get(event.id);
    if (event.action === 'delete') {
      reportedNames.delete(event.id);
      forget(reported ?? event.key);
    } else if (reported !== undefined && reported !== event.key) {
      reportedNames.delete(event.id);
      forget(reported);
    }
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

  /**
   * `gateway_up`'s values, taken afresh at every scrape: the first METRICS_MAX_LABEL_VALUES peers (in the order
   * the source lists them) under their names, the others together as `other`, which is 1 only when all of them are up.
   */
  async peers(): Promise<Array<[string, number]>> {
    const peers = await this.peerSource();
    const max = this.config.metrics.maxLabelValues;
    if (peers.length <= max) return peers;
    const rest = peers.slice(max);
    return [...peers.slice(0, max), [OTHER, Math.min(...rest.map(([, up]) => up))]];
  }

  sessions(): Record<string, number> {
    return this.sessionSource();
  }

  private forgetTool(tool: string): void {
    if (tool === OTHER || !this.seen.get('tool')?.delete(tool)) return;
    for (const server of this.toolSeries.get(tool) ?? []) this.removeToolSeries(tool, server);
    this.toolSeries.delete(tool);
  }

  private forgetServer(server: string): void {
    if (server === OTHER || !this.seen.get('server')?.delete(server)) return;
    for (const [tool, servers] of this.toolSeries) {
      if (!servers.delete(server)) continue;
      this.removeToolSeries(tool, server);
      if (!servers.size) this.toolSeries.delete(tool);
    }
  }

  private removeToolSeries(tool: string, server: string): void {
    for (const status of TOOL_STATUSES) this.toolCalls.remove({ tool, server, status });
    this.toolCallDuration.remove({ tool, server });
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
