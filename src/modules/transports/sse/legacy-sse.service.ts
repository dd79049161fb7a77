import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { clientKey } from '../../rate-limit/client-key';
import { ToolCallGate } from '../http/tool-call-gate';
import { SESSION_NOT_FOUND, sendJsonRpcError, sendSessionRefusal } from '../json-rpc';
import { McpCatalog } from '../mcp-catalog.service';
import type { McpScope, SessionState } from '../mcp-scope';
import { McpServerFactory } from '../mcp-server.factory';
import type { McpSession } from '../sessions/mcp-session';
import { McpSessionManager } from '../sessions/session-manager.service';
import { SessionRouter } from '../sessions/session-router.service';
import { LegacySseTransport } from './legacy-sse.transport';

interface SseSession extends McpSession {
  transport: LegacySseTransport;
}

/** Legacy HTTP+SSE: `GET /servers/{id}/sse` (or `/sse`) opens a session, `POST .../message?session_id=` feeds it. */
@Injectable()
export class LegacySseService {
  private readonly logger = new Logger('LegacySse');

  constructor(
    private readonly sessions: McpSessionManager,
    private readonly factory: McpServerFactory,
    private readonly catalog: McpCatalog,
    private readonly router: SessionRouter,
    private readonly gate: ToolCallGate,
    private readonly config: AppConfig,
  ) {}

  async open(req: AuthenticatedRequest, res: Response, scope: McpScope): Promise<void> {
    const problem = await this.catalog.scopeProblem(scope);
    if (problem) return sendJsonRpcError(res, 404, SESSION_NOT_FOUND, problem);
    const client = clientKey(req.user?.subject, req.ip);
    const { release, refusal } = this.sessions.reserve(client);
    if (refusal) return sendSessionRefusal(res, refusal);
    const id = randomUUID();
    const base = scope.serverId ? `/servers/${encodeURIComponent(scope.serverId)}/message` : '/message';
    const state: SessionState = { id, kind: 'sse', scope, subscriptions: new Set(), actor: req.user?.subject };
    const transport = new LegacySseTransport(id, res, `${base}?session_id=${id}`, this.config.mcp.sseKeepAliveMs, {
      onOverflow: (bytes) => this.logger.warn(`session ${id}: the client left ${bytes} bytes unread on its SSE stream; closing it`),
    });
    const server = this.factory.create(state);
    const session: SseSession = { id, state, server, transport, client, lastActivity: Date.now(), close: () => server.close() };
    transport.onclose = () => this.sessions.remove(id);
    // The reserved slot becomes the session; added before connect() sends the endpoint event carrying the id.
    await this.sessions.add(session, release);
    this.sessions.track(session, res); // the open stream keeps the session alive
    await server.connect(transport);
  }

  async post(req: AuthenticatedRequest, res: Response, scope: McpScope): Promise<void> {
    const id = (req.query.session_id ?? req.query.sessionId) as string | undefined;
    if (id && !this.sessions.has(id) && (await this.router.route(req, res, id, 'sse'))) return;
    const session = id ? (this.sessions.find(id, { kind: 'sse', scope, subject: req.user?.subject }) as SseSession | undefined) : undefined;
    if (!session) return sendJsonRpcError(res, 404, SESSION_NOT_FOUND, 'Session not found');
    if (!(await this.gate.admit(req, res, req.body))) return;
    try {
      session.transport.receive(req.body, { requestInfo: { headers: req.headers }, authInfo: req.auth });
    } catch (err) {
      return sendJsonRpcError(res, 400, -32600, (err as Error).message);
    }
    res.status(202).json({ status: 'success' });
  }
}
