import { Injectable, Logger } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { clientKey } from '../../rate-limit/client-key';
import { idOf, SESSION_NOT_FOUND, sendJsonRpcError, sendSessionRefusal } from '../json-rpc';
import { McpCatalog } from '../mcp-catalog.service';
import type { McpScope, SessionState } from '../mcp-scope';
import { McpServerFactory } from '../mcp-server.factory';
import { EventStoreBudget, InMemoryEventStore } from '../sessions/in-memory-event-store';
import type { McpSession } from '../sessions/mcp-session';
import { McpSessionManager } from '../sessions/session-manager.service';
import { SessionRouter } from '../sessions/session-router.service';
import { ToolCallGate } from './tool-call-gate';

/** A Streamable HTTP session: the SDK transport keeps the SSE streams; we keep the session. */
interface HttpSession extends McpSession {
  transport: StreamableHTTPServerTransport;
}

/**
 * MCP Streamable HTTP (`/mcp`, `/servers/{id}/mcp`): stateful sessions (`Mcp-Session-Id`) with SSE or JSON responses,
 * the GET notification stream, DELETE, resumability; plus stateless one-shot POSTs for clients that never initialize.
 */
@Injectable()
export class StreamableHttpService {
  private readonly logger = new Logger('StreamableHttp');
  /** Replay buffers of all this replica's sessions share one byte budget (EVENT_STORE_BUDGET_BYTES). */
  private readonly eventBudget = new EventStoreBudget();

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
    if (typeof sessionId === 'string') return this.inSession(req, res, scope, sessionId);
    const problem = await this.catalog.scopeProblem(scope);
    if (problem) return sendJsonRpcError(res, 404, SESSION_NOT_FOUND, problem);
    if (req.method === 'POST' && !(await this.gate.admit(req, res, req.body))) return;
    if (req.method === 'POST' && isInitializeRequest(req.body)) return this.open(req, res, scope);
    if (req.method === 'POST') return this.stateless(req, res, scope);
    if (req.method === 'GET' || req.method === 'DELETE') return sendJsonRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    res.setHeader('Allow', 'GET, POST, DELETE');
    return sendJsonRpcError(res, 405, -32000, 'Method not allowed');
  }

  /** A request naming a session: served here, routed to the replica that holds it, or 404. */
  private async inSession(req: AuthenticatedRequest, res: Response, scope: McpScope, sessionId: string): Promise<void> {
    // A session held elsewhere is charged and checked by the replica that holds it.
    if (!this.sessions.has(sessionId) && (await this.router.route(req, res, sessionId, 'streamable-http'))) return;
    const session = this.sessions.find(sessionId, { kind: 'streamable-http', scope, subject: req.user?.subject }) as HttpSession | undefined;
    if (!session) return sendJsonRpcError(res, 404, SESSION_NOT_FOUND, 'Session not found');
    if (req.method === 'POST' && !(await this.gate.admit(req, res, req.body))) return;
    this.sessions.track(session, res);
    return session.transport.handleRequest(req, res, req.body);
  }

  /** `initialize` without a session: a new stateful session, within MAX_MCP_SESSIONS and MAX_MCP_SESSIONS_PER_CLIENT. */
  private async open(req: AuthenticatedRequest, res: Response, scope: McpScope): Promise<void> {
    const client = clientKey(req.user?.subject, req.ip);
    const { release, refusal } = this.sessions.reserve(client);
    if (refusal) return sendSessionRefusal(res, refusal, idOf(req.body));
    const state: SessionState = { kind: 'streamable-http', scope, subscriptions: new Set(), actor: req.user?.subject };
    const server = this.factory.create(state);
    const eventStore = new InMemoryEventStore({}, this.eventBudget);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore,
      retryInterval: 5000,
      keepAliveMs: this.config.mcp.sseKeepAliveMs,
      // The SDK awaits this before answering initialize: the session is routable before the client knows its id.
      onsessioninitialized: async (id) => {
        state.id = id;
        const session: HttpSession = { id, state, server, transport, client, lastActivity: Date.now(), close: () => server.close() };
        await this.sessions.add(session, release); // the reserved slot becomes the session
      },
      onsessionclosed: (id) => this.sessions.remove(id),
    });
    transport.onclose = () => {
      eventStore.dispose();
      if (state.id) this.sessions.remove(state.id);
    };
    transport.onerror = (err) => this.logger.debug(`session ${state.id ?? '(new)'}: ${err.message}`);
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } finally {
      release(); // initialize failed before the session was added (a no-op once it was)
      if (!state.id) eventStore.dispose(); // initialize failed: no session will use it
    }
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
