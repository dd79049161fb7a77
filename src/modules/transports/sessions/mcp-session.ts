import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { SessionState } from '../mcp-scope';

/** A live MCP session on this replica: the SDK server, its transport and protocol state. */
export interface McpSession {
  readonly id: string;
  readonly state: SessionState;
  readonly server: Server;
  /** Who the session counts against for MAX_MCP_SESSIONS_PER_CLIENT (`clientKey`: token subject, else IP address). */
  readonly client?: string;
  /** Epoch ms of the last request, stream end or WebSocket pong; idle sessions are closed after MCP_SESSION_TTL. */
  lastActivity: number;
  /** Requests and streams of this session still open (a GET stream, an SSE response): while any is, it is not idle. */
  openStreams?: number;
  /** Closes the transport (ending open streams) and the server. */
  close(): Promise<void>;
}
