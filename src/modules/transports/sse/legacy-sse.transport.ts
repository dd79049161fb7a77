import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, JSONRPCMessageSchema, type MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { ServerResponse } from 'node:http';

/**
 * Server side of the legacy HTTP+SSE transport (MCP 2024-11-05): the client keeps a GET stream open, learns
 * where to POST from the first `endpoint` event, and receives every server message on the stream.
 * Written here rather than taken from the SDK for the reference gateway's `session_id` parameter and for
 * keep-alive comments, which proxies need to keep idle streams open.
 */
export class LegacySseTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private keepAlive?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly sessionId: string,
    private readonly res: ServerResponse,
    private readonly endpoint: string,
    private readonly keepAliveMs: number,
  ) {}

  async start(): Promise<void> {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.write(`event: endpoint\ndata: ${this.endpoint}\n\n`);
    if (this.keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.res.write(': keepalive\n\n'), this.keepAliveMs);
      this.keepAlive.unref();
    }
    this.res.on('close', () => this.finish());
  }

  /** A client message POSTed to the message endpoint. Throws on anything that is not JSON-RPC. */
  receive(body: unknown, extra?: MessageExtraInfo): void {
    const parsed = JSONRPCMessageSchema.safeParse(body);
    if (!parsed.success) throw new Error(`Invalid JSON-RPC message: ${parsed.error.message}`);
    this.onmessage?.(parsed.data, extra);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('SSE stream is closed');
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  async close(): Promise<void> {
    this.res.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    this.onclose?.();
  }
}
