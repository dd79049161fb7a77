import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

export type UpstreamFailureKind =
  /** The peer answered the request with a JSON-RPC error: it is up; pass the error on. */
  | 'protocol'
  /** No answer in time. */
  | 'timeout'
  /** The peer refused our credentials. */
  | 'auth'
  /** The peer forgot our session (it restarted): open a new one and try again. */
  | 'stale'
  /** Could not talk to the peer at all: connection refused, reset, DNS, 5xx... */
  | 'unreachable';

export interface UpstreamFailure {
  kind: UpstreamFailureKind;
  message: string;
  /** JSON-RPC code for `protocol` failures. */
  code?: number;
  data?: unknown;
}

function causeOf(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message;
}

/** Sorts an error from the SDK client (or its transport) into what the gateway does about it. */
export function classifyUpstreamError(err: unknown): UpstreamFailure {
  if (err instanceof StreamableHTTPError) {
    const status = err.code ?? 0;
    if (status === 401 || status === 403) return { kind: 'auth', message: `the peer rejected the gateway's credentials (HTTP ${status})` };
    if (status === 404) return { kind: 'stale', message: 'the peer does not know the session (HTTP 404)' };
    return { kind: 'unreachable', message: `HTTP ${status}: ${err.message}` };
  }
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) return { kind: 'timeout', message: err.message };
    if (err.code === ErrorCode.ConnectionClosed) return { kind: 'unreachable', message: 'the connection closed' };
    return { kind: 'protocol', message: err.message.replace(/^MCP error -?\d+: /, ''), code: err.code, data: err.data };
  }
  const e = err as { message?: string; code?: string | number };
  const message = e.message ?? String(err);
  if (/\b(401|403)\b/.test(message) && /unauthori[sz]ed|forbidden|non-200/i.test(message)) return { kind: 'auth', message };
  if (/Not connected|Connection closed/i.test(message)) return { kind: 'unreachable', message: 'the connection closed' };
  const cause = causeOf(err);
  return { kind: 'unreachable', message: cause && !message.includes(cause) ? `${cause}: ${message}` : message };
}
