import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebSocket } from 'ws';
import { errorResponse, parseJsonRpc } from '../json-rpc';

export interface WebSocketTransportOptions {
  /** Checked before a message is dispatched; a returned JSON-RPC error is sent instead (e.g. rate limit). */
  admit?: (message: JSONRPCMessage) => Promise<object | null>;
  authInfo?: MessageExtraInfo['authInfo'];
  /** Deepest JSON nesting accepted in a frame (MAX_JSON_DEPTH). */
  maxJsonDepth: number;
}
import { inRequestContext } from '../../../common/context/request-context';

/** MCP over one WebSocket: each text frame carries one JSON-RPC message, in both directions. */
export class WebSocketServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly headers: IncomingHttpHeaders,
    private readonly options: WebSocketTransportOptions,
  ) {}

  async start(): Promise<void> {
    this.ws.on('message', (data, isBinary) => void this.receive(isBinary ? null : data.toString()));
    this.ws.on('close', () => this.onclose?.());
    this.ws.on('error', (err) => this.onerror?.(err));
  }

  private async receive(text: string | null): Promise<void> {
    if (text === null) return this.reply(errorResponse(null, ErrorCode.ParseError, 'Parse error: binary frames are not supported'));
    const parsed = parseJsonRpc(text, this.options.maxJsonDepth);
    if (!parsed.ok) return this.reply(parsed.error);
    const refusal = await this.options.admit?.(parsed.message);
    if (refusal) return this.reply(refusal);
    inRequestContext(this.headers['x-request-id'] as string | undefined, () => this.onmessage?.(parsed.message, { requestInfo: { headers: this.headers }, authInfo: this.options.authInfo }));
  }

  private reply(message: unknown): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) throw new Error('WebSocket is not open');
    await new Promise<void>((resolve, reject) => this.ws.send(JSON.stringify(message), (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    this.ws.close(1000);
  }
}
