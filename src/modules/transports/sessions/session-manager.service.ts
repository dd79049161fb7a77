import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { CATALOG_CHANGED, type CatalogChangedEvent } from '../../../common/events/catalog-events';
import { isRelayed } from '../../../common/events/cluster-events';
import { matchTemplate } from '../../resources/resource-content';
import { MCP_SESSION_CLOSED, RESOURCE_UPDATED, type ResourceUpdatedEvent } from '../../../common/events/mcp-events';
import { AppConfig } from '../../../config/app-config';
import { GatewayMetrics } from '../../../observability/metrics/gateway-metrics.service';
import type { McpScope, TransportKind } from '../mcp-scope';
import type { McpSession } from './mcp-session';
import { SessionRouter } from './session-router.service';

type ListKind = 'tools' | 'resources' | 'prompts';

const NOTIFY_DEBOUNCE_MS = 50;

/** Seconds a client refused for MAX_MCP_SESSIONS or MAX_MCP_SESSIONS_PER_CLIENT is asked to wait (`Retry-After`). */
export const SESSIONS_FULL_RETRY_AFTER = 5;

/** Why a session cannot be opened: the HTTP status, a message naming the limit, and the seconds to wait. */
export interface SessionRefusal {
  status: 429 | 503;
  message: string;
  retryAfter: number;
}

/**
 * Room for one more session, or why there is none. Hand `release` to `add()`, which turns the slot into the session;
 * call it yourself if the session fails to open before that (calling it again does nothing).
 */
export type SessionSlot = { release: () => void; refusal?: undefined } | { refusal: SessionRefusal; release?: undefined };

/** Session kinds recorded in the shared directory, so that any replica can route their HTTP requests. */
const routable = (kind: TransportKind) => kind === 'streamable-http' || kind === 'sse';

/** What a request expects of the session it names; any mismatch is answered as an unknown session (404). */
export interface SessionExpectation {
  kind: TransportKind;
  scope: McpScope;
  /** The requesting principal: a session serves only the principal that opened it. */
  subject?: string;
}

/** A response or socket: it emits `close` once. */
interface Closable {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The MCP sessions open on this replica. Closes idle ones, caps their number (MAX_MCP_SESSIONS, and
 * MAX_MCP_SESSIONS_PER_CLIENT for each client), and pushes
 * catalog changes to them: `notifications/{tools,resources,prompts}/list_changed` (debounced, so a bulk sync sends
 * one) and `notifications/resources/updated` to sessions subscribed to the changed URI.
 */
@Injectable()
export class McpSessionManager implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('McpSessions');
  private readonly sessions = new Map<string, McpSession>();
  private readonly pending = new Map<string, Set<ListKind>>();
  private flushTimer?: NodeJS.Timeout;
  /** Sessions being opened (initialize in flight), counted against the cap. */
  private reserved = 0;
  /** Sessions open or being opened per client (`clientKey`), for MAX_MCP_SESSIONS_PER_CLIENT. */
  private readonly perClient = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly emitter: EventEmitter2,
    private readonly router: SessionRouter,
    private readonly metrics: GatewayMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics.provideSessions(() => this.countByKind());
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.flushTimer);
    await Promise.allSettled([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
  }

  /**
   * Reserves room for one more session of `client` (its `clientKey`) under MAX_MCP_SESSIONS_PER_CLIENT (429) and
   * MAX_MCP_SESSIONS (503): the slot, whose `release` is handed to `add()` (or called if the session fails to open
   * first); or the refusal to answer.
   */
  reserve(client: string): SessionSlot {
    const { maxSessions, maxSessionsPerClient } = this.config.mcp;
    if ((this.perClient.get(client) ?? 0) >= maxSessionsPerClient) {
      return {
        refusal: {
          status: 429,
          message: `Too many MCP sessions for this client (MAX_MCP_SESSIONS_PER_CLIENT=${maxSessionsPerClient}); close sessions you no longer use or retry later`,
          retryAfter: SESSIONS_FULL_RETRY_AFTER,
        },
      };
    }
    if (this.sessions.size + this.reserved >= maxSessions) {
      return {
        refusal: {
          status: 503,
          message: `Too many MCP sessions on this replica (MAX_MCP_SESSIONS=${maxSessions}); close idle sessions or retry later`,
          retryAfter: SESSIONS_FULL_RETRY_AFTER,
        },
      };
    }
    this.reserved += 1;
    this.count(client, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.reserved -= 1;
        this.count(client, -1);
      },
    };
  }

  private count(client: string | undefined, delta: number): void {
    if (client === undefined) return;
    const n = (this.perClient.get(client) ?? 0) + delta;
    if (n > 0) this.perClient.set(client, n);
    else this.perClient.delete(client);
  }

  /**
   * Holds a new session here and records it in the shared directory (HTTP kinds: routable from any replica).
   * Await it before the client learns the session id, so no other replica can be asked about it too early.
   * `release`, the slot reserved for it (`reserve()`), is released as soon as the session holds its place, before
   * anything is awaited: the session is never counted twice.
   */
  async add(session: McpSession, release?: () => void): Promise<void> {
    session.openStreams ??= 0;
    if (!this.sessions.has(session.id)) this.count(session.client, 1);
    this.sessions.set(session.id, session);
    release?.();
    if (routable(session.state.kind)) await this.router.register(session.id, session.state.kind, session.state.scope.serverId);
  }

  /**
   * The session `id` if it is held here and matches what the request expects (transport, endpoint, principal), marked
   * active; otherwise undefined, which the transports answer with 404 as for an unknown session, so that a session id
   * learnt by someone else gives them nothing.
   */
  find(id: string, expected: SessionExpectation): McpSession | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const { state } = session;
    if (state.kind !== expected.kind || state.scope.serverId !== expected.scope.serverId || state.actor !== expected.subject) return undefined;
    session.lastActivity = Date.now();
    return session;
  }

  /** Whether this replica holds session `id` (whoever it belongs to). */
  has(id: string): boolean {
    return this.sessions.has(id);
  }

  /** Marks a session active (e.g. a WebSocket pong). */
  touch(id: string): void {
    const session = this.sessions.get(id);
    if (session) session.lastActivity = Date.now();
  }

  /** Counts `stream` (a response or stream of the session) as activity until it closes: an open stream keeps a session alive. */
  track(session: McpSession, stream: Closable): void {
    session.openStreams = (session.openStreams ?? 0) + 1;
    session.lastActivity = Date.now();
    stream.once('close', () => {
      session.openStreams = Math.max(0, (session.openStreams ?? 1) - 1);
      session.lastActivity = Date.now();
    });
  }

  remove(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.count(session.client, -1);
    this.pending.delete(id);
    if (routable(session.state.kind)) void this.router.unregister(id);
    this.emitter.emit(MCP_SESSION_CLOSED, id);
  }

  /** Open sessions per transport (`/rpc` has none: each request is answered by a throw-away server). */
  countByKind(): Record<Exclude<TransportKind, 'rpc'>, number> {
    const counts: Record<Exclude<TransportKind, 'rpc'>, number> = { 'streamable-http': 0, sse: 0, websocket: 0 };
    for (const s of this.sessions.values()) if (s.state.kind !== 'rpc') counts[s.state.kind] += 1;
    return counts;
  }

  /** Closes the sessions quiet for longer than MCP_SESSION_TTL that have no open stream. */
  async closeIdle(now = Date.now()): Promise<number> {
    const idle = [...this.sessions.values()].filter((s) => !s.openStreams && now - s.lastActivity > this.config.mcp.sessionTtlMs);
    for (const s of idle) {
      this.remove(s.id);
      await s.close().catch((err: Error) => this.logger.warn(`closing idle session ${s.id}: ${err.message}`));
    }
    if (idle.length) this.logger.log(`closed ${idle.length} idle MCP session(s)`);
    return idle.length;
  }

  /** Scheduled upkeep on every replica: close idle sessions, then confirm the live ones in the shared directory. */
  async sweep(now = Date.now()): Promise<void> {
    await this.closeIdle(now);
    const live = [...this.sessions.values()].filter((s) => routable(s.state.kind)).map((s) => s.id);
    await this.router.confirm(live);
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
