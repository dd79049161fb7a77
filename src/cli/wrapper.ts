#!/usr/bin/env node
/**
 * mcpgateway-wrapper: a stdio MCP server for desktop clients (Claude Desktop, IDEs) that relays every message to a
 * gateway endpoint over Streamable HTTP, and every message from the gateway back to stdout.
 *
 *   MCP_SERVER_URL  gateway or virtual-server URL, e.g. http://127.0.0.1:4444/servers/<id>  (required)
 *                   `/mcp` is appended when missing; a legacy `/sse` suffix is replaced by `/mcp`.
 *   MCP_AUTH        bearer token (`Bearer ` is added when no scheme is given), or a full Authorization value
 *   MCP_TOOL_CALL_TIMEOUT   seconds to wait for the gateway's answer to one request (default 60)
 *   MCP_WRAPPER_LOG_LEVEL   debug | info | warn | error | silent (default info); logs go to stderr
 *
 * A request the gateway does not answer in time gets an error reply, and the gateway gets `notifications/cancelled`;
 * its late answer is dropped. When the gateway no longer knows the session (it expired, was deleted, or the gateway
 * restarted), the wrapper opens a new one by replaying the client's `initialize` and retries the request once.
 */
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isInitializedNotification,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

export const LEVELS = { debug: 10, info: 20, warn: 25, error: 30, silent: 99 } as const;
export type Level = keyof typeof LEVELS;
export type Log = (at: Level, message: string) => void;

/** How long shutdown waits for the gateway to acknowledge the end of the session. */
export const TERMINATE_TIMEOUT_MS = 2000;
/** Ids of the requests the wrapper sends on its own behalf (never relayed to the client). */
const OWN_ID_PREFIX = 'mcpgateway-wrapper:';

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

/** MCP_TOOL_CALL_TIMEOUT (seconds, default 60) in milliseconds; throws a message naming the variable when invalid. */
export function timeoutFrom(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 60_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`MCP_TOOL_CALL_TIMEOUT must be a positive number of seconds, got '${raw}'`);
  return Math.round(seconds * 1000);
}

export function levelFrom(raw: string | undefined): Level {
  return raw !== undefined && raw in LEVELS ? (raw as Level) : 'info';
}

/** Whether `err` is the gateway saying it does not know the session (HTTP 404 on a request that carried one). */
export function isSessionGone(err: unknown): boolean {
  return err instanceof StreamableHTTPError && err.code === 404;
}

export function describe(err: unknown): string {
  if (err instanceof StreamableHTTPError) {
    if (err.code === 401 || err.code === 403) return `the gateway rejected the credentials (HTTP ${err.code}): check MCP_AUTH`;
    if (err.code === 404) return 'the gateway does not know this endpoint (HTTP 404): check MCP_SERVER_URL';
    return `the gateway answered HTTP ${err.code}: ${err.message}`;
  }
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `cannot reach the gateway${cause ? ` (${cause})` : ''}: ${e.message ?? String(err)}`;
}

/** `promise`, or `fallback` once `ms` have passed (the timer does not keep the process alive). */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The client's requests awaiting the gateway's answer, each with its deadline. */
export class PendingRequests {
  private readonly entries = new Map<RequestId, { method: string; timer: NodeJS.Timeout }>();

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: (id: RequestId, method: string) => void,
  ) {}

  add(id: RequestId, method: string): void {
    this.settle(id);
    const timer = setTimeout(() => {
      this.entries.delete(id);
      this.onTimeout(id, method);
    }, this.timeoutMs);
    this.entries.set(id, { method, timer });
  }

  /** Takes the request `id` off the list: its method, or undefined when it is not pending (answered or timed out). */
  settle(id: RequestId): string | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.entries.delete(id);
    return entry.method;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const { timer } of this.entries.values()) clearTimeout(timer);
    this.entries.clear();
  }
}

/** The upstream side of the relay: the SDK's Streamable HTTP client transport, or a stand-in in unit tests. */
export type Upstream = Transport & Pick<StreamableHTTPClientTransport, 'setProtocolVersion' | 'terminateSession' | 'sessionId'>;

export interface RelayOptions {
  /** A fresh, unstarted transport to the gateway (called again to open a new session). */
  connect: () => Upstream;
  /** Where the client's messages come from and answers go to. */
  client: Transport;
  timeoutMs: number;
  log: Log;
}

/**
 * Relays one client (stdio) to the gateway (Streamable HTTP): answers every client request exactly once (the
 * gateway's answer, or an error on timeout or failure), and re-opens the gateway session when it is gone.
 */
export class GatewayRelay {
  private upstream: Upstream;
  private readonly pending: PendingRequests;
  /** The client's `initialize` request and whether it sent `notifications/initialized`: replayed on a new session. */
  private initialize?: JSONRPCRequest;
  private initialized = false;
  private recovering?: Promise<void>;
  private readonly own = new Map<string, (message: JSONRPCMessage) => void>();
  private ownSeq = 0;
  /** Errors a send() rejected with (logged there), so the transport's onerror does not report them a second time. */
  private readonly sendErrors = new WeakSet<object>();
  private stopping = false;

  constructor(private readonly options: RelayOptions) {
    this.pending = new PendingRequests(options.timeoutMs, (id, method) => this.timedOut(id, method));
    this.upstream = this.attach(options.connect());
    options.client.onmessage = (message) => void this.fromClient(message);
  }

  async start(): Promise<void> {
    await this.upstream.start();
    await this.options.client.start();
  }

  /** Ends the session at the gateway (waiting at most TERMINATE_TIMEOUT_MS) and closes both sides. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.pending.clear();
    const ended = this.upstream.terminateSession().then(
      () => true,
      () => true, // the gateway may already be gone
    );
    if (!(await within(ended, TERMINATE_TIMEOUT_MS, false))) this.options.log('warn', `the gateway did not confirm the end of the session within ${TERMINATE_TIMEOUT_MS} ms`);
    await this.upstream.close().catch(() => undefined);
    await this.options.client.close().catch(() => undefined);
  }

  private attach(upstream: Upstream): Upstream {
    upstream.onmessage = (message) => this.fromGateway(upstream, message);
    upstream.onerror = (err) => {
      // send() failures reject the send as well and are reported there; the rest is the GET stream (e.g. an expired token).
      setImmediate(() => {
        if (!this.stopping && upstream === this.upstream && !this.sendErrors.has(err)) this.options.log('warn', `gateway stream: ${describe(err)}`);
      });
    };
    return upstream;
  }

  private fromGateway(upstream: Upstream, message: JSONRPCMessage): void {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const id = message.id as RequestId;
      const own = typeof id === 'string' && id.startsWith(OWN_ID_PREFIX) ? this.own.get(id) : undefined;
      if (own) return own(message);
      const method = this.pending.settle(id);
      if (method === undefined) {
        this.options.log('debug', `dropping the gateway's answer to request ${String(id)}: it timed out or was answered already`);
        return;
      }
      if (method === 'initialize' && isJSONRPCResultResponse(message)) {
        upstream.setProtocolVersion(String((message.result as { protocolVersion?: string }).protocolVersion));
        this.options.log('debug', `gateway session ${upstream.sessionId ?? '(none)'}`);
      }
    }
    void this.options.client.send(message);
  }

  private async fromClient(message: JSONRPCMessage): Promise<void> {
    if (isJSONRPCRequest(message)) {
      this.pending.add(message.id, message.method);
      if (message.method === 'initialize') this.initialize = message;
    } else if (isInitializedNotification(message)) {
      this.initialized = true;
    }
    await this.forward(message);
  }

  /** Sends a client message to the gateway; on a lost session, re-initializes once and retries. */
  private async forward(message: JSONRPCMessage, retried = false): Promise<void> {
    if (this.recovering) await this.recovering.catch(() => undefined);
    const upstream = this.upstream;
    try {
      await upstream.send(message);
      return;
    } catch (err) {
      if (err && typeof err === 'object') this.sendErrors.add(err);
      const isAnswer = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
      if (!retried && !isAnswer && isSessionGone(err) && this.initialize && message !== this.initialize) {
        this.options.log('warn', 'the gateway no longer knows this session (HTTP 404): opening a new one');
        try {
          await this.reinitialize(upstream);
          return await this.forward(message, true);
        } catch (again) {
          return this.failed(message, again);
        }
      }
      this.failed(message, err);
    }
  }

  private failed(message: JSONRPCMessage, err: unknown): void {
    const text = describe(err);
    this.options.log('error', text);
    if (isJSONRPCRequest(message) && this.pending.settle(message.id) !== undefined) this.reply(message.id, `mcpgateway-wrapper: ${text}`);
  }

  /**
   * Replaces the session `failed` belonged to (once, whoever notices first) by replaying the client's handshake on a
   * new transport. The new transport becomes the current one only once the gateway accepted the handshake: when that
   * fails (503, timeout, network), it is closed and the old one stays, so the next message notices the lost session
   * and tries again (rather than going on without a session).
   */
  private reinitialize(failed: Upstream): Promise<void> {
    if (this.upstream !== failed) return this.recovering ?? Promise.resolve();
    this.recovering ??= (async () => {
      const next = this.attach(this.options.connect());
      try {
        await next.start();
        const answer = await this.ask(next, { ...this.initialize!, id: `${OWN_ID_PREFIX}initialize-${++this.ownSeq}` });
        if (isJSONRPCErrorResponse(answer)) throw new Error(`the gateway refused to open a new session: ${answer.error.message}`);
        next.setProtocolVersion(String((answer as { result: { protocolVersion?: string } }).result.protocolVersion));
        if (this.initialized) await next.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      } catch (err) {
        next.onmessage = undefined;
        next.onerror = undefined;
        await next.close().catch(() => undefined);
        throw err;
      }
      const old = this.upstream;
      this.upstream = next;
      old.onmessage = undefined;
      old.onerror = undefined;
      await old.close().catch(() => undefined);
      this.options.log('info', `opened a new gateway session ${next.sessionId ?? ''}`.trimEnd());
    })().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  /** Sends a request of the wrapper's own and waits for its answer (within the request timeout). */
  private async ask(upstream: Upstream, request: JSONRPCRequest): Promise<JSONRPCMessage> {
    const id = String(request.id);
    const answer = new Promise<JSONRPCMessage>((resolve) => this.own.set(id, resolve));
    try {
      await upstream.send(request);
      const result = await within(answer, this.options.timeoutMs, null);
      if (!result) throw new Error(`no answer from the gateway within ${this.options.timeoutMs / 1000} s`);
      return result;
    } finally {
      this.own.delete(id);
    }
  }

  private timedOut(id: RequestId, method: string): void {
    const seconds = this.options.timeoutMs / 1000;
    this.options.log('warn', `no answer to ${method} (request ${String(id)}) within ${seconds} s (MCP_TOOL_CALL_TIMEOUT): cancelling it`);
    this.reply(id, `no answer from the gateway within ${seconds} s`);
    if (method === 'initialize') return; // MCP: initialize is never cancelled
    this.upstream
      .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: `mcpgateway-wrapper: no answer within ${seconds} s` } })
      .catch((err: unknown) => this.options.log('debug', `notifications/cancelled: ${describe(err)}`));
  }

  private reply(id: RequestId, message: string): void {
    void this.options.client.send({ jsonrpc: '2.0', id, error: { code: -32000, message } });
  }
}

async function main(): Promise<number> {
  const level = levelFrom(process.env.MCP_WRAPPER_LOG_LEVEL);
  const log: Log = (at, msg) => LEVELS[at] >= LEVELS[level] && process.stderr.write(`[mcpgateway-wrapper] ${msg}\n`);

  if (!process.env.MCP_SERVER_URL) {
    log('error', 'MCP_SERVER_URL is required (e.g. http://127.0.0.1:4444/servers/<id>)');
    return 2;
  }
  let endpoint: URL;
  let timeoutMs: number;
  try {
    endpoint = endpointFor(process.env.MCP_SERVER_URL);
  } catch {
    log('error', `MCP_SERVER_URL is not a valid URL: ${process.env.MCP_SERVER_URL}`);
    return 2;
  }
  try {
    timeoutMs = timeoutFrom(process.env.MCP_TOOL_CALL_TIMEOUT);
  } catch (err) {
    log('error', (err as Error).message);
    return 2;
  }
  const authorization = authorizationFor(process.env.MCP_AUTH);
  const stdio = new StdioServerTransport();
  const relay = new GatewayRelay({
    client: stdio,
    timeoutMs,
    log,
    connect: () => new StreamableHTTPClientTransport(endpoint, { requestInit: { headers: authorization ? { Authorization: authorization } : {} } }),
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await relay.stop();
    process.exit(code);
  };
  stdio.onclose = () => void stop(0);
  process.stdin.on('end', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  await relay.start();
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
