import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

/** What part of the catalog an MCP endpoint exposes: everything (`/mcp`) or one virtual server. */
export interface McpScope {
  serverId?: string;
}

export type TransportKind = 'streamable-http' | 'sse' | 'websocket' | 'rpc';

/** Mutable per-session protocol state shared by the SDK server's handlers. */
export interface SessionState {
  /** Set once the transport assigns the session id. */
  id?: string;
  kind: TransportKind;
  scope: McpScope;
  /** Resource URIs the client subscribed to. */
  subscriptions: Set<string>;
  /** Level set with `logging/setLevel`. */
  logLevel?: LoggingLevel;
  /** Authenticated principal that opened the session. */
  actor?: string;
}
