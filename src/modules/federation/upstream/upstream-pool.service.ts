import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { untilAborted } from '../../../common/async';
import { DomainError, ErrorCode, ValidationError } from '../../../common/errors/domain-error';
import { MCP_SESSION_CLOSED } from '../../../common/events/mcp-events';
import { blockedCause, OutboundHttp } from '../../../common/http/outbound-http';
import { PACKAGE } from '../../../common/package-info';
import { AppConfig } from '../../../config/app-config';
import type { SessionChannel } from '../../tools/execution/invocation-context';
import { classifyUpstreamError } from './upstream-errors';
import { type FetchLike, type PeerEndpoint, UpstreamSession } from './upstream-session';

/** Emitted when a peer reports that its catalog changed. */
export const PEER_LIST_CHANGED = 'federation.peer.list_changed';
/** Emitted when a peer reports that a resource changed (payload: `{ peerId, uri }`). */
export const PEER_RESOURCE_UPDATED = 'federation.peer.resource_updated';

interface Entry {
  promise: Promise<UpstreamSession>;
  session?: UpstreamSession;
}

/** The peer could not be reached or refused us; the message names the peer and the cause (HTTP 502). */
export class PeerUnreachableError extends DomainError {
  constructor(peer: Pick<PeerEndpoint, 'name' | 'url'>, cause: string) {
    super(ErrorCode.Upstream, `Cannot connect to peer '${peer.name}' at ${peer.url}: ${cause}`, { peer: peer.name, url: peer.url });
  }
}

/**
 * Reuses MCP sessions to peers instead of a handshake per call: one shared session per peer (stateless calls,
 * health checks) and one per peer and downstream session (so a client's sampling, elicitation, logging level and
 * subscriptions reach the right place). Sessions a peer forgot (it restarted) are replaced transparently.
 */
@Injectable()
export class UpstreamPool implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('UpstreamPool');
  private readonly entries = new Map<string, Entry>();
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly http: OutboundHttp,
    private readonly emitter: EventEmitter2,
  ) {}

  /**
   * fetch over the gateway's pooled, SSRF-checked undici agent (trusting the peer's CA bundle, if any), adding the
   * current request's X-Request-ID so a call can be followed through the peer's logs.
   */
  fetchFor(peer: Pick<PeerEndpoint, 'ca'>): FetchLike {
    return this.http.fetchVia(this.http.dispatcherFor({ ca: peer.ca }));
  }

  onModuleInit(): void {
    this.sweepTimer = setInterval(() => void this.closeIdle(), Math.min(60_000, this.config.federation.upstreamIdleMs));
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    await Promise.allSettled([...this.entries.keys()].map((k) => this.drop(k)));
  }

  /** Connects a session that the caller owns and closes (registration probes, connectivity tests). */
  async open(peer: PeerEndpoint, downstream?: SessionChannel): Promise<UpstreamSession> {
    const session = new UpstreamSession(
      peer,
      downstream,
      { name: this.config.server.appName, version: PACKAGE.version },
      {
        listChanged: (peerId, kind) => this.emitter.emit(PEER_LIST_CHANGED, { peerId, kind }),
        resourceUpdated: (peerId, uri) => this.emitter.emit(PEER_RESOURCE_UPDATED, { peerId, uri }),
      },
      this.fetchFor(peer),
      this.config.tools.timeoutMs,
    );
    try {
      await session.connect(this.config.federation.timeoutMs);
    } catch (err) {
      await session.close();
      const blocked = blockedCause(err);
      if (blocked) throw new ValidationError('url', `is not allowed: ${blocked.message}`);
      throw new PeerUnreachableError(peer, classifyUpstreamError(err, 'connecting').message);
    }
    return session;
  }

  /** The pooled session for this peer (and downstream session, if any), connecting it when needed. */
  acquire(peer: PeerEndpoint, downstream?: SessionChannel): Promise<UpstreamSession> {
    const key = this.key(peer.id, downstream?.id);
    const existing = this.entries.get(key);
    if (existing && !existing.session?.closed) return existing.promise;
    const entry: Entry = { promise: this.open(peer, downstream) };
    entry.promise.then(
      (s) => (entry.session = s),
      () => this.entries.get(key) === entry && this.entries.delete(key),
    );
    this.entries.set(key, entry);
    return entry.promise;
  }

  /**
   * Runs `work` on the pooled session. When the peer has forgotten the session (restart), a new session is opened
   * and the work retried once; a session that failed to reach the peer is dropped so the next call reconnects.
   * An aborted `signal` (deadline, client cancellation) stops waiting for the connection at once; the connection
   * attempt itself goes on (it is shared, and bounded by FEDERATION_TIMEOUT).
   */
  async use<T>(peer: PeerEndpoint, downstream: SessionChannel | undefined, work: (session: UpstreamSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const key = this.key(peer.id, downstream?.id);
    for (let attempt = 0; ; attempt++) {
      const session = await untilAborted(this.acquire(peer, downstream), signal);
      try {
        return await work(session);
      } catch (err) {
        if (signal?.aborted) throw err; // the caller gave up: the session itself is fine
        const kind = classifyUpstreamError(err).kind;
        if (kind === 'stale' || kind === 'unreachable' || kind === 'auth') await this.drop(key, session);
        if (kind === 'stale' && attempt === 0) continue;
        throw err;
      }
    }
  }

  /** The open per-session upstream sessions of a downstream session (to forward logging/setLevel). */
  async sessionsOf(downstreamId: string): Promise<UpstreamSession[]> {
    const suffix = `|${downstreamId}`;
    const entries = [...this.entries.entries()].filter(([k]) => k.endsWith(suffix)).map(([, e]) => e.session);
    return entries.filter((s): s is UpstreamSession => !!s && !s.closed);
  }

  /** Closes every session to a peer (deleted, disabled, moved or unhealthy). */
  async evictPeer(peerId: string): Promise<void> {
    await Promise.allSettled([...this.entries.keys()].filter((k) => k.startsWith(`${peerId}|`)).map((k) => this.drop(k)));
  }

  @OnEvent(MCP_SESSION_CLOSED)
  async onDownstreamClosed(sessionId: string): Promise<void> {
    await Promise.allSettled([...this.entries.keys()].filter((k) => k.endsWith(`|${sessionId}`)).map((k) => this.drop(k)));
  }

  async closeIdle(now = Date.now()): Promise<void> {
    for (const [key, entry] of this.entries) {
      const s = entry.session;
      if (s && s.downstream && !s.busy && now - s.lastUsed > this.config.federation.upstreamIdleMs) await this.drop(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private key(peerId: string, downstreamId?: string): string {
    return `${peerId}|${downstreamId ?? '*'}`;
  }

  private async drop(key: string, only?: UpstreamSession): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry || (only && entry.session !== only)) return;
    this.entries.delete(key);
    const session = entry.session ?? (await entry.promise.catch(() => undefined));
    await session?.close().catch((err: Error) => this.logger.debug(`closing ${key}: ${err.message}`));
  }
}
