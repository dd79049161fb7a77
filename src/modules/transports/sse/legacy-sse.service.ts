import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';
import { jsonRpcError } from '../http/streamable-http.service';
import { McpCatalog } from '../mcp-catalog.service';
import type { McpScope, SessionState } from '../mcp-scope';
import { McpServerFactory } from '../mcp-server.factory';
import type { McpSession } from '../sessions/mcp-session';
import { McpSessionManager } from '../sessions/session-manager.service';
import { SessionRouter } from '../sessions/session-router.service';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { ToolCallGate } from '../http/tool-call-gate';
import { LegacySseTransport } from './legacy-sse.transport';

interface SseSession extends McpSession {
  transport: LegacySseTransport;
}

/** Legacy HTTP+SSE: `GET /servers/{id}/sse` (or `/sse`) opens a session, `POST .../message?session_id=` feeds it. */
@Injectable()
export class LegacySseService {
  constructor(
    private readonly sessions: McpSessionManager,
    private readonly factory: McpServerFactory,
    private readonly catalog: McpCatalog,
    private readonly router: SessionRouter,
    private readonly gate: ToolCallGate,
    private readonly config: AppConfig,
  ) {}

  async open(req: AuthenticatedRequest, res: Response, scope: McpScope): Promise<void> {
    if (scope.serverId) {
      try {
        await this.catalog.assertServer(scope.serverId);
      } catch {
        return jsonRpcError(res, 404, -32001, `Server not found: ${scope.serverId}`);
      }
    }
    const id = randomUUID();
    const base = scope.serverId ? `/servers/${encodeURIComponent(scope.serverId)}/message` : '/message';
    const state: SessionState = { id, kind: 'sse', scope, subscriptions: new Set(), actor: req.user?.subject };
    const transport = new LegacySseTransport(id, res, `${base}?session_id=${id}`, this.config.mcp.sseKeepAliveMs);
    const server = this.factory.create(state);
    const session: SseSession = { id, state, server, transport, lastActivity: Date.now(), close: () => server.close() };
    transport.onclose = () => this.sessions.remove(id);
    await this.sessions.add(session); // before connect() sends the endpoint event carrying the id
    await server.connect(transport);
  }

  async post(req: AuthenticatedRequest, res: Response, scope: McpScope): Promise<void> {
    const id = (req.query.session_id ?? req.query.sessionId) as string | undefined;
    const session = id ? (this.sessions.get(id) as SseSession | undefined) : undefined;
    if (!session && id && (await this.router.route(req, res, id, 'sse'))) return;
    if (session && !(await this.gate.admit(req, res, req.body))) return;
    if (!session || session.state.kind !== 'sse' || session.state.scope.serverId !== scope.serverId) {
      return jsonRpcError(res, 404, -32001, 'Session not found');
    }
    try {
      session.transport.receive(req.body, { requestInfo: { headers: req.headers }, authInfo: req.auth });
    } catch (err) {
      return jsonRpcError(res, 400, -32600, (err as Error).message);
    }
    res.status(202).json({ status: 'success' });
  }
}
