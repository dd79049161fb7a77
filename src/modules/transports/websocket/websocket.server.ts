import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { requestIdOf } from '../../../common/context/request-id';
import { AppConfig } from '../../../config/app-config';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ANONYMOUS } from '../../auth/auth.guard';
import { Authenticator } from '../../auth/authenticator.service';
import type { Principal } from '../../auth/principal';
import { clientKey } from '../../rate-limit/client-key';
import { countToolCalls, ToolCallLimiter } from '../../rate-limit/tool-call-limiter.service';
import { checkHostAndOrigin } from '../http/host-validation';
import { rateLimitError } from '../http/tool-call-gate';
import { McpCatalog } from '../mcp-catalog.service';
import type { McpScope, SessionState } from '../mcp-scope';
import { McpServerFactory } from '../mcp-server.factory';
import { McpSessionManager } from '../sessions/session-manager.service';
import { WebSocketServerTransport } from './websocket.transport';

const PATH = /^\/(?:servers\/([^/]+)\/)?ws\/?$/;

const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message } });
  const challenge = status === 401 ? 'WWW-Authenticate: Bearer realm="mcp-gateway"\r\n' : '';
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${challenge}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** MCP over WebSocket at `/ws` and `/servers/{id}/ws` (subprotocol `mcp`), one session per connection. */
@Injectable()
export class WebSocketMcpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private readonly wss: WebSocketServer;
  private pingTimer?: NodeJS.Timeout;
  private readonly alive = new WeakSet<WebSocket>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: McpSessionManager,
    private readonly factory: McpServerFactory,
    private readonly catalog: McpCatalog,
    private readonly authenticator: Authenticator,
    private readonly limiter: ToolCallLimiter,
    private readonly config: AppConfig,
  ) {
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

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const match = PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) return refuse(socket, 404, 'Not found');
    const problem = checkHostAndOrigin(req.headers, this.config.mcp.allowedHosts, this.config.mcp.allowedOrigins);
    if (problem) return refuse(socket, 403, problem);
    let principal: Principal | null;
    try {
      principal = await this.authenticator.authenticate(req.headers);
    } catch (err) {
      return refuse(socket, 401, (err as Error).message);
    }
    if (!principal && this.config.auth.required) return refuse(socket, 401, 'Authentication required: send Authorization: Bearer <token>');
    const scope: McpScope = match[1] ? { serverId: decodeURIComponent(match[1]) } : {};
    if (scope.serverId) {
      try {
        await this.catalog.assertServer(scope.serverId);
      } catch {
        return refuse(socket, 404, `Server not found: ${scope.serverId}`);
      }
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.open(ws, req, scope, principal ?? ANONYMOUS));
  }

  private async open(ws: WebSocket, req: IncomingMessage, scope: McpScope, principal: Principal): Promise<void> {
    const id = randomUUID();
    const state: SessionState = { id, kind: 'websocket', scope, subscriptions: new Set(), actor: principal.subject };
    const server = this.factory.create(state);
    const client = clientKey(principal.subject, req.socket.remoteAddress);
    const admit = async (message: JSONRPCMessage) => {
      const decision = await this.limiter.consume(client, countToolCalls(message));
      return decision.allowed ? null : rateLimitError(decision, (message as { id?: unknown }).id);
    };
    const bearer = req.headers.authorization?.replace(/^bearer\s+/i, '') ?? '';
    const transport = new WebSocketServerTransport(ws, { ...req.headers, 'x-request-id': requestIdOf(req) }, admit, { token: bearer, clientId: principal.subject, scopes: [] });
    transport.onclose = () => this.sessions.remove(id);
    transport.onerror = (err) => this.logger.debug(`session ${id}: ${err.message}`);
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', () => this.sessions.get(id));
    await this.sessions.add({ id, state, server, lastActivity: Date.now(), close: () => server.close() });
    await server.connect(transport);
  }

  /** Terminates connections that did not answer the previous ping. */
  private ping(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}
