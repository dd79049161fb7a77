import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { ServerResponse } from 'node:http';
import { toJsonRpcMessage } from '../json-rpc';

/**
 * Bytes a slow client may leave unread on its stream: when the next message is due with more than this still unsent,
 * the gateway gives up on the client and closes the stream. (One message larger than this, up to
 * MAX_TOOL_RESPONSE_BYTES, still goes out to a client that keeps reading.)
 */
export const SSE_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface LegacySseOptions {
  /** Unsent bytes past which the stream is closed (the client does not read it). */
  maxBufferedBytes?: number;
  /** Called when the stream is closed for a client that does not keep up. */
  onOverflow?: (bufferedBytes: number) => void;
}

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
    private readonly options: LegacySseOptions = {},
  ) {}

  async start(): Promise<void> {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.write(`event: endpoint\ndata: ${this.endpoint}\n\n`);
    if (this.keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.write(': keepalive\n\n'), this.keepAliveMs);
      this.keepAlive.unref();
    }
    this.res.on('close', () => this.finish());
  }

  /**
   * A client message POSTed to the message endpoint (its depth and characters already checked by the input limits
   * middleware). Throws, with the JSON-RPC error's message, when it is not a JSON-RPC message.
   */
  receive(body: unknown, extra?: MessageExtraInfo): void {
    const parsed = toJsonRpcMessage(body);
    if (!parsed.ok) throw new Error(parsed.error.error.message);
    this.onmessage?.(parsed.message, extra);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('SSE stream is closed');
    this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  async close(): Promise<void> {
    this.res.end();
    this.finish();
  }

  /**
   * Writes to the stream unless it is closed. A client that stops reading makes the unsent bytes pile up in memory:
   * when more than the high-water mark is still unsent, the stream is destroyed instead (the session ends; the client
   * may open a new one). Checked before writing, so what one stream holds stays under the mark plus one message.
   */
  private write(chunk: string): void {
    if (this.closed || this.res.destroyed) return;
    const buffered = this.res.writableLength;
    if (buffered > (this.options.maxBufferedBytes ?? SSE_MAX_BUFFERED_BYTES)) {
      this.options.onOverflow?.(buffered);
      this.res.destroy();
      this.finish();
      return;
    }
    this.res.write(chunk);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    this.onclose?.();
  }
}
