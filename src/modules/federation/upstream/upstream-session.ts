import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type ClientCapabilities,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  type Implementation,
  ListRootsRequestSchema,
  type LoggingLevel,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type ServerNotification,
  type ServerRequest,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { untilAborted } from '../../../common/async';
import { ProgressRelay } from '../../../common/mcp/progress-relay';
import type { ClientChannel, SessionChannel } from '../../tools/execution/invocation-context';
import type { GatewayTransport } from '../gateway.model';

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Where and how to reach a peer. */
export interface PeerEndpoint {
  id: string;
  name: string;
  url: string;
  transport: GatewayTransport;
  headers: Record<string, string>;
  /** PEM CA bundle for the peer's TLS, when it uses a private PKI. */
  ca?: string | null;
}

/** What a session reports back to the pool. */
export interface UpstreamEvents {
  listChanged(peerId: string, kind: 'tools' | 'resources' | 'prompts'): void;
  resourceUpdated(peerId: string, uri: string): void;
}

/** Server-to-client features a downstream client may offer; a per-session upstream session offers the same. */
function mirroredCapabilities(downstream: Record<string, unknown> | undefined): ClientCapabilities {
  const caps: ClientCapabilities = {};
  if (downstream?.sampling) caps.sampling = downstream.sampling as ClientCapabilities['sampling'];
  if (downstream?.elicitation) caps.elicitation = downstream.elicitation as ClientCapabilities['elicitation'];
  if (downstream?.roots) caps.roots = downstream.roots as ClientCapabilities['roots'];
  return caps;
}

/**
 * One MCP client session to a peer. Shared sessions (no downstream) serve stateless calls and health checks;
 * per-session ones belong to one downstream MCP session: they mirror its client capabilities and relay what the
 * peer sends (sampling and elicitation requests, log messages) to that client, preferably on the stream of the
 * call in progress, otherwise on the downstream session's own stream.
 */
export class UpstreamSession {
  readonly client: Client;
  /** Progress of calls made on this session, routed by our own tokens (see ProgressRelay). */
  readonly progress = new ProgressRelay('gw');
  private readonly calls: ClientChannel[] = [];
  /** Notifications being relayed; a call returns only after those started during it are sent (order preserved). */
  private readonly relaying = new Set<Promise<void>>();
  lastUsed = Date.now();
  closed = false;

  constructor(
    readonly peer: PeerEndpoint,
    readonly downstream: SessionChannel | undefined,
    info: Implementation,
    private readonly events: UpstreamEvents,
    private readonly fetch: FetchLike,
    private readonly relayTimeoutMs: number,
  ) {
    const capabilities = mirroredCapabilities(downstream?.clientCapabilities());
    this.client = new Client(info, { capabilities });
    if (capabilities.sampling) this.client.setRequestHandler(CreateMessageRequestSchema, (req, extra) => this.relay(req as ServerRequest, extra.signal) as never);
    if (capabilities.elicitation) this.client.setRequestHandler(ElicitRequestSchema, (req, extra) => this.relay(req as ServerRequest, extra.signal) as never);
    if (capabilities.roots) this.client.setRequestHandler(ListRootsRequestSchema, (req, extra) => this.relay(req as ServerRequest, extra.signal) as never);
    this.progress.attach(this.client);
    this.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => this.relayNotification(n as ServerNotification));
    this.client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.events.listChanged(peer.id, 'tools'));
    this.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => this.events.listChanged(peer.id, 'resources'));
    this.client.setNotificationHandler(PromptListChangedNotificationSchema, () => this.events.listChanged(peer.id, 'prompts'));
    this.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => this.events.resourceUpdated(peer.id, n.params.uri));
    this.client.onclose = () => {
      this.closed = true;
    };
  }

  /**
   * Opens the transport and runs the MCP handshake, all of it within `timeoutMs`: an SSE peer that keeps its stream
   * open without ever sending the endpoint event (keep-alive comments only) would otherwise hold the caller forever.
   * On expiry the transport is closed and a RequestTimeout McpError thrown.
   */
  async connect(timeoutMs: number): Promise<void> {
    const url = new URL(this.peer.url);
    const requestInit = { headers: this.peer.headers };
    const transport: Transport =
      this.peer.transport === 'SSE'
        ? new SSEClientTransport(url, { requestInit, fetch: this.fetch })
        : new StreamableHTTPClientTransport(url, { requestInit, fetch: this.fetch });
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      await untilAborted(this.client.connect(transport, { timeout: timeoutMs }), deadline);
    } catch (err) {
      await transport.close().catch(() => undefined);
      throw err === deadline.reason ? new McpError(ErrorCode.RequestTimeout, `no MCP handshake within ${timeoutMs / 1000} s`) : err;
    }
    const level = this.downstream?.logLevel();
    if (level && this.client.getServerCapabilities()?.logging) await this.setLogLevel(level as LoggingLevel).catch(() => undefined);
  }

  setLogLevel(level: LoggingLevel): Promise<unknown> {
    return this.client.setLoggingLevel(level);
  }

  /** Runs upstream work on behalf of one downstream call, so relayed traffic reaches that call's stream. */
  async track<T>(channel: ClientChannel | undefined, work: () => Promise<T>): Promise<T> {
    this.lastUsed = Date.now();
    if (channel) this.calls.push(channel);
    try {
      const result = await work();
      await Promise.allSettled([...this.relaying]);
      return result;
    } finally {
      if (channel) this.calls.splice(this.calls.lastIndexOf(channel), 1);
      this.lastUsed = Date.now();
    }
  }

  get busy(): boolean {
    return this.calls.length > 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.close().catch(() => undefined);
  }

  private channel(): Pick<ClientChannel, 'sendRequest' | 'sendNotification'> | undefined {
    return this.calls[this.calls.length - 1] ?? this.downstream;
  }

  private relay(request: ServerRequest, signal: AbortSignal): Promise<unknown> {
    const channel = this.channel();
    if (!channel) throw new McpError(ErrorCode.InvalidRequest, `No client connected to relay ${request.method} to`);
    return channel.sendRequest({ method: request.method, params: request.params } as ServerRequest, { signal, timeoutMs: this.relayTimeoutMs });
  }

  private relayNotification(notification: ServerNotification): Promise<void> {
    const sending = (this.channel()?.sendNotification(notification) ?? Promise.resolve()).catch(() => undefined);
    this.relaying.add(sending);
    void sending.finally(() => this.relaying.delete(sending));
    return sending;
  }
}
