import { Injectable, Logger } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';
import { McpCatalog } from '../mcp-catalog.service';
import type { McpScope, SessionState } from '../mcp-scope';
import { McpServerFactory } from '../mcp-server.factory';
import { InMemoryEventStore } from '../sessions/in-memory-event-store';
import type { McpSession } from '../sessions/mcp-session';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { McpSessionManager } from '../sessions/session-manager.service';
import { SessionRouter } from '../sessions/session-router.service';
import { ToolCallGate } from './tool-call-gate';

/** A Streamable HTTP session: the SDK transport keeps the SSE streams; we keep the session. */
interface HttpSession extends McpSession {
  transport: StreamableHTTPServerTransport;
}

export function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  if (res.headersSent) return void res.end();
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * MCP Streamable HTTP (`/mcp`, `/servers/{id}/mcp`): stateful sessions (`Mcp-Session-Id`) with SSE or JSON responses,
 * the GET notification stream, DELETE, resumability; plus stateless one-shot POSTs for clients that never initialize.
 */
@Injectable()
export class StreamableHttpService {
  private readonly logger = new Logger('StreamableHttp');

  constructor(
    private readonly sessions: McpSessionManager,
    private readonly factory: McpServerFactory,
    private readonly catalog: McpCatalog,
    private readonly router: SessionRouter,
    private readonly gate: ToolCallGate,
    private readonly config: AppConfig,
  ) {}

  async handle(req: AuthenticatedRequest, res: Response, scope: McpScope): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    const routed = typeof sessionId === 'string' && !this.sessions.get(sessionId);
    // Tool calls are charged where they are served (a routed request is charged by the replica that holds the session).
    if (req.method === 'POST' && !routed && !(await this.gate.admit(req, res, req.body))) return;
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId) as HttpSession | undefined;
      if (!session && (await this.router.route(req, res, sessionId, 'streamable-http'))) return;
      if (!session || session.state.kind !== 'streamable-http' || session.state.scope.serverId !== scope.serverId) {
        return jsonRpcError(res, 404, -32001, 'Session not found');
      }
      return session.transport.handleRequest(req, res, req.body);
    }
    if (scope.serverId) {
      try {
        await this.catalog.assertServer(scope.serverId);
      } catch {
        return jsonRpcError(res, 404, -32001, `Server not found: ${scope.serverId}`);
      }
    }
    if (req.method === 'POST' && isInitializeRequest(req.body)) return this.open(req, res, scope);
    if (req.method === 'POST') return this.stateless(req, res, scope);
    if (req.method === 'GET' || req.method === 'DELETE') return jsonRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    res.setHeader('Allow', 'GET, POST, DELETE');
    return jsonRpcError(res, 405, -32000, 'Method not allowed');
  }

  /** `initialize` without a session: a new stateful session. */
  private async open(req: AuthenticatedRequest, res: Response, scope: McpScope): Promise<void> {
    const state: SessionState = { kind: 'streamable-http', scope, subscriptions: new Set(), actor: req.user?.subject };
    const server = this.factory.create(state);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new InMemoryEventStore(),
      retryInterval: 5000,
      keepAliveMs: this.config.mcp.sseKeepAliveMs,
      // The SDK awaits this before answering initialize: the session is routable before the client knows its id.
      onsessioninitialized: async (id) => {
        state.id = id;
        const session: HttpSession = { id, state, server, transport, lastActivity: Date.now(), close: () => server.close() };
        await this.sessions.add(session);
      },
      onsessionclosed: (id) => this.sessions.remove(id),
    });
    transport.onclose = () => state.id && this.sessions.remove(state.id);
    transport.onerror = (err) => this.logger.debug(`session ${state.id ?? '(new)'}: ${err.message}`);
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  /** A request outside any session: served by a throw-away server, like the reference gateway's stateless mode. */
  private async stateless(req: AuthenticatedRequest, res: Response, scope: McpScope): Promise<void> {
    const server = this.factory.create({ kind: 'streamable-http', scope, subscriptions: new Set(), actor: req.user?.subject });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }
}
