import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

/** A channel back to the MCP client that made the call, when the transport has one. */
export interface ClientChannel {
  /** Session id of the downstream MCP session (absent for stateless /rpc calls). */
  sessionId?: string;
  /** The capabilities the client announced in `initialize`. */
  clientCapabilities?: Record<string, unknown>;
  /** Sends a notification tied to this call (progress, logging) on the call's response stream. */
  sendNotification(notification: ServerNotification): Promise<void>;
  /** Sends a server-to-client request (sampling, elicitation, roots) and waits for the client's answer. */
  sendRequest(request: ServerRequest, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>;
}

/**
 * The downstream MCP session itself, independent of any one request: for server-to-client traffic that is not
 * part of a call (it travels on the session's standalone stream), and to key per-session upstream state.
 */
export interface SessionChannel {
  readonly id: string;
  clientCapabilities(): Record<string, unknown> | undefined;
  /** The level the client set with `logging/setLevel`, if any. */
  logLevel(): string | undefined;
  sendNotification(notification: ServerNotification): Promise<void>;
  sendRequest(request: ServerRequest, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>;
}

/** Everything a tool call needs besides the tool and its arguments. */
export interface InvocationContext {
  /** Cancels the upstream work when the client cancels or disconnects. */
  signal?: AbortSignal;
  /** The client's progress token (`_meta.progressToken`), kept when relaying progress. */
  progressToken?: string | number;
  /** The caller's `_meta`, forwarded to upstream MCP servers. */
  meta?: Record<string, unknown>;
  /** Virtual server the call came through, if any. */
  serverId?: string;
  /** Authenticated principal (token subject or user name). */
  actor?: string;
  client?: ClientChannel;
  /** The downstream session, when the call came through a stateful transport. */
  session?: SessionChannel;
}

export type ToolResult = CallToolResult;
