import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { type Dispatcher, request } from 'undici';
import { OutboundHttp } from '../../../common/http/outbound-http';
import { ReplicaIdentity } from '../../coordination/replica-identity.service';
import type { TransportKind } from '../mcp-scope';
import { SessionDirectory } from './session-directory';

/** Marks a request another replica already routed, so it is never routed twice. */
export const ROUTED_HEADER = 'x-mcpgw-routed-by';

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * Lets any replica serve any Streamable HTTP or SSE session: sessions are recorded in the shared directory with
 * the replica that holds them, and a request for a session held elsewhere is proxied there (SSE streamed back).
 * WebSocket sessions live on their connection and need no routing.
 */
@Injectable()
export class SessionRouter {
  private readonly logger = new Logger('SessionRouter');
  private purgedFor?: string;

  constructor(
    private readonly directory: SessionDirectory,
    private readonly replica: ReplicaIdentity,
    private readonly http: OutboundHttp,
  ) {}

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
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await request(`${entry.owner}${req.originalUrl}`, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: req.method === 'POST' || req.method === 'PUT' ? JSON.stringify(req.body ?? null) : undefined,
        signal: abort.signal,
        dispatcher: this.http.dispatcher,
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
