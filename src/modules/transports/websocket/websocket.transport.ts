import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, JSONRPCMessageSchema, type MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebSocket } from 'ws';
import { inRequestContext } from '../../../common/context/request-context';

/** MCP over one WebSocket: each text frame carries one JSON-RPC message, in both directions. */
export class WebSocketServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly headers: IncomingHttpHeaders,
    /** Checked before a message is dispatched; a returned JSON-RPC error is sent instead (e.g. rate limit). */
    private readonly admit: (message: JSONRPCMessage) => Promise<object | null> = async () => null,
    private readonly authInfo?: MessageExtraInfo['authInfo'],
  ) {}

  async start(): Promise<void> {
    this.ws.on('message', (data, isBinary) => void this.receive(isBinary ? null : data.toString()));
    this.ws.on('close', () => this.onclose?.());
    this.ws.on('error', (err) => this.onerror?.(err));
  }

  private async receive(text: string | null): Promise<void> {
    let json: unknown;
    try {
      if (text === null) throw new Error('binary frames are not supported');
      json = JSON.parse(text);
    } catch (err) {
      return this.reply({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${(err as Error).message}` } });
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    if (!parsed.success) {
      const id = (json as { id?: unknown } | null)?.id;
      return this.reply({ jsonrpc: '2.0', id: typeof id === 'string' || typeof id === 'number' ? id : null, error: { code: -32600, message: 'Invalid Request' } });
    }
    const refusal = await this.admit(parsed.data);
    if (refusal) return this.reply(refusal);
    inRequestContext(this.headers['x-request-id'] as string | undefined, () => this.onmessage?.(parsed.data, { requestInfo: { headers: this.headers }, authInfo: this.authInfo }));
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
