import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { CATALOG_CHANGED, type CatalogChangedEvent } from '../../../common/events/catalog-events';
import { isRelayed } from '../../../common/events/cluster-events';
import { matchTemplate } from '../../resources/resource-content';
import { MCP_SESSION_CLOSED, RESOURCE_UPDATED, type ResourceUpdatedEvent } from '../../../common/events/mcp-events';
import { AppConfig } from '../../../config/app-config';
import { GatewayMetrics } from '../../../observability/metrics/gateway-metrics.service';
import type { TransportKind } from '../mcp-scope';
import type { McpSession } from './mcp-session';
import { SessionRouter } from './session-router.service';

type ListKind = 'tools' | 'resources' | 'prompts';

const NOTIFY_DEBOUNCE_MS = 50;

/**
 * The MCP sessions open on this replica. Closes idle ones, and pushes catalog changes to them:
 * `notifications/{tools,resources,prompts}/list_changed` (debounced, so a bulk sync sends one) and
 * `notifications/resources/updated` to sessions subscribed to the changed URI.
 */
@Injectable()
export class McpSessionManager implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('McpSessions');
  private readonly sessions = new Map<string, McpSession>();
  private readonly pending = new Map<string, Set<ListKind>>();
  private flushTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly emitter: EventEmitter2,
    private readonly router: SessionRouter,
    private readonly metrics: GatewayMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics.provideSessions(() => this.countByKind());
    const every = Math.min(60_000, Math.max(1000, Math.floor(this.config.mcp.sessionTtlMs / 4)));
    this.sweepTimer = setInterval(() => void this.closeIdle(), every);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    clearTimeout(this.flushTimer);
    await Promise.allSettled([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
  }

  /**
   * Holds a new session here and records it in the shared directory (HTTP kinds: routable from any replica).
   * Await it before the client learns the session id, so no other replica can be asked about it too early.
   */
  async add(session: McpSession): Promise<void> {
    this.sessions.set(session.id, session);
    if (session.state.kind === 'streamable-http' || session.state.kind === 'sse') await this.router.register(session.id, session.state.kind, session.state.scope.serverId);
  }

  /** The session, marked active; undefined when unknown, closed or expired. */
  get(id: string): McpSession | undefined {
    const session = this.sessions.get(id);
    if (session) session.lastActivity = Date.now();
    return session;
  }

  remove(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.pending.delete(id);
    if (session.state.kind === 'streamable-http' || session.state.kind === 'sse') void this.router.unregister(id);
    this.emitter.emit(MCP_SESSION_CLOSED, id);
  }

  /** Open sessions per transport (`/rpc` has none: each request is answered by a throw-away server). */
  countByKind(): Record<Exclude<TransportKind, 'rpc'>, number> {
    const counts: Record<Exclude<TransportKind, 'rpc'>, number> = { 'streamable-http': 0, sse: 0, websocket: 0 };
    for (const s of this.sessions.values()) if (s.state.kind !== 'rpc') counts[s.state.kind] += 1;
    return counts;
  }

  async closeIdle(now = Date.now()): Promise<number> {
    const idle = [...this.sessions.values()].filter((s) => now - s.lastActivity > this.config.mcp.sessionTtlMs);
    for (const s of idle) {
      this.remove(s.id);
      await s.close().catch((err: Error) => this.logger.warn(`closing idle session ${s.id}: ${err.message}`));
    }
    if (idle.length) this.logger.log(`closed ${idle.length} idle MCP session(s)`);
    return idle.length;
  }

  @OnEvent(CATALOG_CHANGED)
  onCatalogChanged(event: CatalogChangedEvent): void {
    const kinds: ListKind[] =
      event.kind === 'tool' ? ['tools'] : event.kind === 'resource' ? ['resources'] : event.kind === 'prompt' ? ['prompts'] : ['tools', 'resources', 'prompts'];
    for (const session of this.sessions.values()) {
      if (event.kind === 'server' && session.state.scope.serverId && session.state.scope.serverId !== event.id) continue;
      let set = this.pending.get(session.id);
      if (!set) this.pending.set(session.id, (set = new Set()));
      for (const k of kinds) set.add(k);
    }
    if (event.kind === 'resource' && isRelayed(event) && event.coarse) {
      // Another replica changed some resource and only the kind is known (no Redis): every subscriber re-reads.
      this.notifyAllSubscribers();
    } else if (event.kind === 'resource' && (event.action === 'update' || event.action === 'delete')) {
      this.notifyResourceUpdated(event.key, event.uriTemplate);
    }
    this.flushTimer ??= setTimeout(() => this.flush(), NOTIFY_DEBOUNCE_MS);
  }

  @OnEvent(RESOURCE_UPDATED)
  onResourceUpdated(event: ResourceUpdatedEvent): void {
    this.notifyResourceUpdated(event.uri);
  }

  /**
   * Sends `notifications/resources/updated` to every session subscribed to `uri`, and, for a template resource, to
   * every session subscribed to a URI its template matches (naming that URI).
   */
  notifyResourceUpdated(uri: string, uriTemplate?: string): void {
    for (const session of this.sessions.values()) {
      for (const subscribed of session.state.subscriptions) {
        if (subscribed !== uri && !(uriTemplate && matchTemplate(uriTemplate, subscribed))) continue;
        session.server.sendResourceUpdated({ uri: subscribed }).catch((err: Error) => this.logger.debug(`resources/updated to ${session.id}: ${err.message}`));
      }
    }
  }

  /** `notifications/resources/updated` for every subscription of every session. */
  private notifyAllSubscribers(): void {
    for (const session of this.sessions.values()) {
      for (const uri of session.state.subscriptions) {
        session.server.sendResourceUpdated({ uri }).catch((err: Error) => this.logger.debug(`resources/updated to ${session.id}: ${err.message}`));
      }
    }
  }

  private flush(): void {
    this.flushTimer = undefined;
    const pending = [...this.pending.entries()];
    this.pending.clear();
    for (const [id, kinds] of pending) {
      const session = this.sessions.get(id);
      if (!session) continue;
      const send = (p: Promise<void>) => p.catch((err: Error) => this.logger.debug(`list_changed to ${id}: ${err.message}`));
      if (kinds.has('tools')) void send(session.server.sendToolListChanged());
      if (kinds.has('resources')) void send(session.server.sendResourceListChanged());
      if (kinds.has('prompts')) void send(session.server.sendPromptListChanged());
    }
  }
}
