import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher, request } from 'undici';
import { ReplicaIdentity } from '../../coordination/replica-identity.service';
import type { TransportKind } from '../mcp-scope';
import { SessionDirectory } from './session-directory';

/** Marks a request another replica already routed, so it is never routed twice. */
export const ROUTED_HEADER = 'x-mcpgw-routed-by';

/** Not forwarded in either direction. (`host` is forwarded: the owner checks the client's Host against ALLOWED_HOSTS.) */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * Lets any replica serve any Streamable HTTP or SSE session: sessions are recorded in the shared directory with
 * the replica that holds them, and a request for a session held elsewhere is proxied there (SSE streamed back).
 * WebSocket sessions live on their connection and need no routing.
 *
 * Replica-to-replica hops use their own connection pool, not the SSRF-checked one for upstreams: replica addresses
 * come from REPLICA_URL (configuration, written to the directory by the replicas themselves), never from users, and
 * are usually private pod IPs that SSRF protection rightly refuses for user-supplied URLs.
 */
@Injectable()
export class SessionRouter implements OnApplicationShutdown {
  private readonly logger = new Logger('SessionRouter');
  private purgedFor?: string;
  private readonly replicas = new Agent({ keepAliveTimeout: 30_000, connections: 256, connect: { timeout: 5_000 } });

  constructor(
    private readonly directory: SessionDirectory,
    private readonly replica: ReplicaIdentity,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.replicas.close().catch(() => undefined);
  }

  /** Whether this replica records its sessions in the directory: it has an address other replicas can use. */
  writesDirectory(): boolean {
    return !!this.replica.url();
  }

  async register(id: string, kind: TransportKind, serverId?: string): Promise<void> {
    const self = this.replica.url();
    if (!self) return;
    if (this.purgedFor !== self) {
      // Rows left by an earlier process at this address describe sessions that died with it.
      this.purgedFor = self;
      await this.directory.purgeOwner(self).catch(() => undefined);
    }
    await this.directory.register(id, self, kind, serverId).catch((err: Error) => this.logger.warn(`session ${id} not recorded: ${err.message}`));
  }

  async unregister(id: string): Promise<void> {
    await this.directory.unregister(id).catch((err: Error) => this.logger.debug(`session ${id}: ${err.message}`));
  }

  /** Confirms that this replica still holds these sessions (their directory rows are not purged). */
  async confirm(ids: string[]): Promise<void> {
    if (!ids.length || !this.replica.url()) return;
    await this.directory.confirm(ids, new Date()).catch((err: Error) => this.logger.warn(`confirming ${ids.length} session(s): ${err.message}`));
  }

  /** Forgets directory rows not confirmed for `maxAgeMs` (their replica died without cleaning up). Run by one replica. */
  async purgeStale(maxAgeMs: number, now = Date.now()): Promise<number> {
    const purged = await this.directory.purgeCreatedBefore(new Date(now - maxAgeMs));
    if (purged) this.logger.log(`forgot ${purged} MCP session(s) of replicas that are gone`);
    return purged;
  }

  /**
   * Proxies the request to the replica holding `sessionId`; false when the session is unknown, held here, or this
   * request was already routed once (the caller then answers 404).
   */
  async route(req: Request, res: Response, sessionId: string, kind: TransportKind): Promise<boolean> {
    if (req.headers[ROUTED_HEADER]) return false;
    const self = this.replica.url();
    const entry = await this.directory.lookup(sessionId).catch(() => null);
    if (!entry || entry.kind !== kind || !self || entry.owner === self) return false;
    const headers: Record<string, string> = { [ROUTED_HEADER]: self };
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    // This replica is a proxy too: the owner finds the client behind it when TRUST_PROXY covers the replicas.
    const peer = req.socket?.remoteAddress;
    if (peer) headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${peer}` : peer;
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await request(`${entry.owner}${req.originalUrl}`, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: req.method === 'POST' || req.method === 'PUT' ? JSON.stringify(req.body ?? null) : undefined,
        signal: abort.signal,
        dispatcher: this.replicas,
        bodyTimeout: 0,
      });
    } catch (err) {
      // The owner is gone, and its sessions with it.
      this.logger.warn(`replica ${entry.owner} unreachable for session ${sessionId}: ${(err as Error).message}`);
      await this.unregister(sessionId);
      return false;
    }
    res.status(upstream.statusCode);
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) res.setHeader(name, value);
    }
    res.flushHeaders();
    await pipeline(upstream.body, res).catch(() => undefined);
    return true;
  }
}
