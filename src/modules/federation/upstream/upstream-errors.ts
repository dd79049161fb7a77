import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
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
  /** Could not talk to the peer at all: connection refused, reset, DNS, 5xx, not an MCP endpoint... */
  | 'unreachable';

export interface UpstreamFailure {
  kind: UpstreamFailureKind;
  message: string;
  /** JSON-RPC code for `protocol` failures. */
  code?: number;
  data?: unknown;
}

/**
 * When the error happened: while `connecting` (no MCP session exists yet, so an HTTP 404 means a wrong URL, not a
 * forgotten session), or on an established `session`.
 */
export type UpstreamPhase = 'connecting' | 'session';

function causeOf(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message;
}

/** The SDK prefixes McpError messages with "MCP error <code>: " (twice when a peer relays another peer's error). */
const stripMcpPrefix = (message: string) => message.replace(/^(MCP error -?\d+: )+/, '');

const NOT_MCP = 'not an MCP endpoint';

/** Sorts an error from the SDK client (or its transport) into what the gateway does about it. */
export function classifyUpstreamError(err: unknown, phase: UpstreamPhase = 'session'): UpstreamFailure {
  if (err instanceof StreamableHTTPError) {
    const status = err.code ?? 0;
    if (status === 401 || status === 403) return { kind: 'auth', message: `the peer rejected the gateway's credentials (HTTP ${status})` };
    if (status === 404) return phase === 'connecting' ? { kind: 'unreachable', message: `${NOT_MCP} (HTTP 404 Not Found)` } : { kind: 'stale', message: 'the peer does not know the session (HTTP 404)' };
    // -1: a 2xx answer that is neither JSON nor an event stream (an HTML page, say).
    if (status === -1) return { kind: 'unreachable', message: `${NOT_MCP}: ${err.message.replace(/^Streamable HTTP error: /, '')}` };
    if (phase === 'connecting' && status === 405) return { kind: 'unreachable', message: `${NOT_MCP} (HTTP 405 Method Not Allowed: it does not take POST requests)` };
    return { kind: 'unreachable', message: `HTTP ${status}: ${err.message}` };
  }
  if (err instanceof SseError) {
    const status = err.code;
    const detail = err.message.replace(/^SSE error: /, '');
    if (status === 401 || status === 403) return { kind: 'auth', message: `the peer rejected the gateway's credentials (HTTP ${status})` };
    if (status === 404) return { kind: 'unreachable', message: `${NOT_MCP} (HTTP 404 Not Found)` };
    if (status !== undefined && ((status >= 400 && status < 500) || /content type/i.test(detail))) {
      return {
        kind: 'unreachable',
        message: `not an SSE endpoint (GET answered HTTP ${status}: ${detail}); if the peer serves Streamable HTTP, register it with "transport": "STREAMABLEHTTP"`,
      };
    }
    const cause = causeOf(err);
    return { kind: 'unreachable', message: status ? `HTTP ${status}: ${detail}` : cause && !detail.includes(cause) ? `${cause}: ${detail}` : detail };
  }
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) return { kind: 'timeout', message: stripMcpPrefix(err.message) };
    if (err.code === ErrorCode.ConnectionClosed) return { kind: 'unreachable', message: 'the connection closed' };
    return { kind: 'protocol', message: stripMcpPrefix(err.message), code: err.code, data: err.data };
  }
  const e = err as { message?: string; code?: string | number };
  const message = e.message ?? String(err);
  if (/\b(401|403)\b/.test(message) && /unauthori[sz]ed|forbidden|non-200/i.test(message)) return { kind: 'auth', message };
  if (/Not connected|Connection closed/i.test(message)) return { kind: 'unreachable', message: 'the connection closed' };
  const cause = causeOf(err);
  return { kind: 'unreachable', message: cause && !message.includes(cause) ? `${cause}: ${message}` : message };
}
