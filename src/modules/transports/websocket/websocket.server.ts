import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server as HttpServer, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { ErrorCode as JsonRpcErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { requestIdOf } from '../../../common/context/request-id';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { retryAfterOf } from '../../../common/filters/http-exception.filter';
import { clientAddress, compileTrust, type TrustFn } from '../../../common/http/client-address';
import { AppConfig } from '../../../config/app-config';
import { ANONYMOUS } from '../../auth/auth.guard';
import { Authenticator } from '../../auth/authenticator.service';
import type { Principal } from '../../auth/principal';
import { checkHostAndOrigin } from '../http/host-validation';
import { ToolCallGate } from '../http/tool-call-gate';
import { errorResponse, SESSION_NOT_FOUND } from '../json-rpc';
import { McpCatalog } from '../mcp-catalog.service';
import type { McpScope, SessionState } from '../mcp-scope';
import { McpServerFactory } from '../mcp-server.factory';
import { clientKey } from '../../rate-limit/client-key';
import { McpSessionManager, SESSIONS_FULL_RETRY_AFTER } from '../sessions/session-manager.service';
import { WebSocketServerTransport } from './websocket.transport';

const PATH = /^\/(?:servers\/([^/]+)\/)?ws\/?$/;

/** Pings a connection may leave unanswered; at the next tick it is dropped. */
export const MAX_MISSED_PINGS = 2;

function refuse(socket: Duplex, status: number, message: string, code = -32000, retryAfter?: number): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify(errorResponse(null, code, message));
  const wait = retryAfter ?? (status === 503 ? SESSIONS_FULL_RETRY_AFTER : undefined);
  const extra = (status === 401 ? 'WWW-Authenticate: Bearer realm="mcp-gateway"\r\n' : '') + (wait !== undefined ? `Retry-After: ${wait}\r\n` : '');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** A request target that is not a path (`//host/...`, a bad percent escape): answered 400. */
class MalformedUrl extends Error {}

/**
 * The endpoint an upgrade request's target names: the whole catalog (`/ws`) or a virtual server
 * (`/servers/{id}/ws`), null for any other path. Throws MalformedUrl for a target that is not a path.
 */
export function websocketScope(target: string): McpScope | null {
  const path = target.split(/[?#]/, 1)[0];
  if (!path.startsWith('/') || path.startsWith('//')) throw new MalformedUrl(`'${target.slice(0, 100)}' is not a path`);
  const match = PATH.exec(path);
  if (!match) return null;
  if (!match[1]) return {};
  try {
    return { serverId: decodeURIComponent(match[1]) };
  } catch {
    throw new MalformedUrl(`bad percent escape in '${match[1].slice(0, 100)}'`);
  }
}

/** MCP over WebSocket at `/ws` and `/servers/{id}/ws` (subprotocol `mcp`), one session per connection. */
@Injectable()
export class WebSocketMcpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private readonly wss: WebSocketServer;
  private pingTimer?: NodeJS.Timeout;
  /** Pings sent to each connection since its last pong. */
  private readonly missed = new WeakMap<WebSocket, number>();
  /** TRUST_PROXY, as Express applies it to HTTP requests (`req.ip`). */
  private readonly trust: TrustFn;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: McpSessionManager,
    private readonly factory: McpServerFactory,
    private readonly catalog: McpCatalog,
    private readonly authenticator: Authenticator,
    private readonly gate: ToolCallGate,
    private readonly config: AppConfig,
  ) {
    this.trust = compileTrust(config.server.trustProxy);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.server.maxRequestBodyBytes,
      handleProtocols: (protocols) => (protocols.has('mcp') ? 'mcp' : false),
    });
  }

  onApplicationBootstrap(): void {
    const http = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    this.pingTimer = setInterval(() => this.ping(), this.config.mcp.wsPingIntervalMs);
    this.pingTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pingTimer);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  /**
   * Handles an upgrade request; never rejects (this runs outside Express: an unhandled rejection would end the
   * process). Whatever goes wrong before the handshake is answered on the socket.
   */
  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Node's HTTP server stops listening for errors on a socket it hands over for an upgrade: without a listener, a
    // client resetting the connection while it is checked would crash the process. `ws` adds its own in the handshake.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    try {
      await this.accept(req, socket, head, onError);
    } catch (err) {
      if (err instanceof MalformedUrl) return refuse(socket, 400, `Bad Request: malformed URL (${err.message})`, JsonRpcErrorCode.InvalidRequest);
      this.logger.error(`upgrade to ${String(req.url).slice(0, 200)}: ${(err as Error).stack ?? err}`);
      refuse(socket, 500, 'Internal error');
    }
  }

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer, onError: () => void): Promise<void> {
    const scope = websocketScope(req.url ?? '/');
    if (!scope) return refuse(socket, 404, 'Not found');
    const problem = checkHostAndOrigin(req.headers, this.config.mcp.allowedHosts, this.config.mcp.allowedOrigins);
    if (problem) return refuse(socket, 403, problem);
    // The client's address by the same rules as HTTP requests' (X-Forwarded-For from a trusted proxy).
    const ip = clientAddress(req, this.trust);
    let principal: Principal | null;
    try {
      principal = await this.authenticator.authenticate(req.headers, ip);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // Too many wrong passwords from this address: 429 with Retry-After, as over HTTP.
      if (err.code === ErrorCode.RateLimited) return refuse(socket, 429, err.message, -32000, retryAfterOf(err));
      return refuse(socket, 401, err.message);
    }
    if (!principal && this.config.auth.required) return refuse(socket, 401, 'Authentication required: send Authorization: Bearer <token>');
    let unknownServer: string | null;
    try {
      unknownServer = await this.catalog.scopeProblem(scope);
    } catch (err) {
      this.logger.error(`upgrade to ${req.url}: ${(err as Error).stack ?? err}`);
      return refuse(socket, 503, 'The gateway cannot check this endpoint right now; retry later');
    }
    if (unknownServer) return refuse(socket, 404, unknownServer, SESSION_NOT_FOUND);
    if (socket.destroyed) return; // the client left meanwhile
    const who = principal ?? ANONYMOUS;
    const client = clientKey(who.subject, ip);
    const { release, refusal } = this.sessions.reserve(client);
    if (refusal) return refuse(socket, refusal.status, refusal.message, -32000, refusal.retryAfter);
    socket.once('close', release); // the handshake may fail without calling back
    socket.off('error', onError);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.open(ws, req, ip, client, scope, who, release).catch((err: Error) => {
        release(); // the session failed before it took the slot (a no-op if it had)
        this.logger.error(`opening a WebSocket session: ${err.stack ?? err}`);
        ws.close(1011, 'Internal error');
      });
    });
  }

  /** Opens the session of a connection; `release`, its reserved slot, is handed to the session manager with it. */
  private async open(
    ws: WebSocket,
    req: IncomingMessage,
    ip: string | undefined,
    client: string,
    scope: McpScope,
    principal: Principal,
    release: () => void,
  ): Promise<void> {
    const id = randomUUID();
    const state: SessionState = { id, kind: 'websocket', scope, subscriptions: new Set(), actor: principal.subject };
    const server = this.factory.create(state);
    const bearer = req.headers.authorization?.replace(/^bearer\s+/i, '') ?? '';
    const transport = new WebSocketServerTransport(ws, { ...req.headers, 'x-request-id': requestIdOf(req) }, {
      admit: (message) => this.gate.refusal(principal.subject, ip, message),
      authInfo: { token: bearer, clientId: principal.subject, scopes: [] },
      maxJsonDepth: this.config.server.maxJsonDepth,
    });
    transport.onclose = () => this.sessions.remove(id);
    transport.onerror = (err) => this.logger.debug(`session ${id}: ${err.message}`);
    this.missed.set(ws, 0);
    // A connection that answers pings is alive even when quiet: it does not expire after MCP_SESSION_TTL.
    ws.on('pong', () => {
      this.missed.set(ws, 0);
      this.sessions.touch(id);
    });
    ws.on('message', () => this.sessions.touch(id));
    try {
      await this.sessions.add({ id, state, server, client, lastActivity: Date.now(), close: () => server.close() }, release);
      await server.connect(transport);
    } catch (err) {
      this.sessions.remove(id);
      throw err;
    }
  }

  /** Pings every connection; one that left MAX_MISSED_PINGS pings unanswered is dropped. */
  private ping(): void {
    for (const ws of this.wss.clients) {
      const missed = this.missed.get(ws) ?? 0;
      if (missed >= MAX_MISSED_PINGS) {
        ws.terminate();
        continue;
      }
      this.missed.set(ws, missed + 1);
      ws.ping();
    }
  }
}
