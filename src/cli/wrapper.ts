#!/usr/bin/env node
/**
 * mcpgateway-wrapper: a stdio MCP server for desktop clients (Claude Desktop, IDEs) that relays every message to a
 * gateway endpoint over Streamable HTTP, and every message from the gateway back to stdout.
 *
 *   MCP_SERVER_URL  gateway or virtual-server URL, e.g. http://127.0.0.1:4444/servers/<id>  (required)
 *                   `/mcp` is appended when missing; a legacy `/sse` suffix is replaced by `/mcp`.
 *   MCP_AUTH        bearer token (`Bearer ` is added when no scheme is given), or a full Authorization value
 *   MCP_TOOL_CALL_TIMEOUT   seconds to wait for the gateway's answer to one request (default 60)
 *   MCP_WRAPPER_LOG_LEVEL   debug | info | error | silent (default info); logs go to stderr
 */
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

const LEVELS = { debug: 10, info: 20, error: 30, silent: 99 } as const;
type Level = keyof typeof LEVELS;

/** The Streamable HTTP endpoint for a user-supplied gateway or virtual-server URL. */
export function endpointFor(raw: string): URL {
  const url = new URL(raw);
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/sse')) path = path.slice(0, -4);
  if (!path.endsWith('/mcp')) path = `${path}/mcp`;
  url.pathname = path;
  return url;
}

export function authorizationFor(auth: string | undefined): string | undefined {
  if (!auth) return undefined;
  return /^\S+\s+\S/.test(auth.trim()) ? auth.trim() : `Bearer ${auth.trim()}`;
}

function describe(err: unknown): string {
  if (err instanceof StreamableHTTPError) {
    if (err.code === 401 || err.code === 403) return `the gateway rejected the credentials (HTTP ${err.code}): check MCP_AUTH`;
    if (err.code === 404) return 'the gateway does not know this endpoint or session (HTTP 404): check MCP_SERVER_URL';
    return `the gateway answered HTTP ${err.code}: ${err.message}`;
  }
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `cannot reach the gateway${cause ? ` (${cause})` : ''}: ${e.message ?? String(err)}`;
}

async function main(): Promise<number> {
  const level: Level = (process.env.MCP_WRAPPER_LOG_LEVEL as Level) in LEVELS ? (process.env.MCP_WRAPPER_LOG_LEVEL as Level) : 'info';
  const log = (at: Level, msg: string) => LEVELS[at] >= LEVELS[level] && process.stderr.write(`[mcpgateway-wrapper] ${msg}\n`);

  if (!process.env.MCP_SERVER_URL) {
    log('error', 'MCP_SERVER_URL is required (e.g. http://127.0.0.1:4444/servers/<id>)');
    return 2;
  }
  let endpoint: URL;
  try {
    endpoint = endpointFor(process.env.MCP_SERVER_URL);
  } catch {
    log('error', `MCP_SERVER_URL is not a valid URL: ${process.env.MCP_SERVER_URL}`);
    return 2;
  }
  const timeoutMs = Number(process.env.MCP_TOOL_CALL_TIMEOUT ?? 60) * 1000;
  const authorization = authorizationFor(process.env.MCP_AUTH);
  const upstream = new StreamableHTTPClientTransport(endpoint, {
    requestInit: { headers: authorization ? { Authorization: authorization } : {} },
  });
  const stdio = new StdioServerTransport();
  const pending = new Map<RequestId, { method: string; timer: NodeJS.Timeout }>();

  const replyError = (id: RequestId, message: string) => {
    const entry = pending.get(id);
    if (entry) clearTimeout(entry.timer);
    pending.delete(id);
    void stdio.send({ jsonrpc: '2.0', id, error: { code: -32000, message } });
  };

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const { timer } of pending.values()) clearTimeout(timer);
    try {
      await upstream.terminateSession();
    } catch {
      // the gateway may already be gone
    }
    await upstream.close().catch(() => undefined);
    await stdio.close().catch(() => undefined);
    process.exit(code);
  };

  upstream.onmessage = (message: JSONRPCMessage) => {
    if ('id' in message && ('result' in message || 'error' in message)) {
      const entry = pending.get(message.id as RequestId);
      if (entry) {
        clearTimeout(entry.timer);
        pending.delete(message.id as RequestId);
        if (entry.method === 'initialize' && isJSONRPCResultResponse(message)) {
          upstream.setProtocolVersion(String((message.result as { protocolVersion?: string }).protocolVersion));
        }
      }
    }
    void stdio.send(message);
  };
  upstream.onerror = (err) => log('debug', `gateway stream: ${describe(err)}`);

  stdio.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message)) {
      const timer = setTimeout(() => replyError(message.id, `no answer from the gateway within ${timeoutMs / 1000} s`), timeoutMs);
      pending.set(message.id, { method: message.method, timer });
    }
    upstream.send(message).catch((err: unknown) => {
      const text = describe(err);
      log('error', text);
      if (isJSONRPCRequest(message)) replyError(message.id, `mcpgateway-wrapper: ${text}`);
    });
  };
  stdio.onclose = () => void stop(0);
  process.stdin.on('end', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  await upstream.start();
  await stdio.start();
  log('info', `relaying stdio to ${endpoint.toString()}`);
  return -1;
}

if (require.main === module) {
  main().then(
    (code) => code >= 0 && process.exit(code),
    (err: unknown) => {
      process.stderr.write(`[mcpgateway-wrapper] ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
