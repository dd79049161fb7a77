import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';

/**
 * An in-process transport for one request: delivers it to the SDK server and resolves with the response.
 * Notifications the server emits meanwhile (progress, logs) have nowhere to go over plain HTTP and are dropped.
 */
export class DirectTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private readonly waiting = new Map<string | number, (message: JSONRPCMessage) => void>();

  /** `deadlineMs`: answer with an internal error rather than wait forever if the server never responds. */
  constructor(private readonly deadlineMs: number) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if ('id' in message && ('result' in message || 'error' in message)) this.waiting.get(message.id as string | number)?.(message);
  }

  /** Delivers a request and waits for its response. */
  request(message: JSONRPCMessage & { id: string | number }, extra?: MessageExtraInfo): Promise<JSONRPCMessage> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.waiting.get(message.id)?.({ jsonrpc: '2.0', id: message.id, error: { code: -32603, message: 'No response from the server' } } as JSONRPCMessage),
        this.deadlineMs,
      );
      timer.unref();
      this.waiting.set(message.id, (response) => {
        clearTimeout(timer);
        this.waiting.delete(message.id);
        resolve(response);
      });
      this.onmessage?.(message, extra);
    });
  }

  /** Delivers a notification; there is no answer. */
  notify(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.onmessage?.(message, extra);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }
}
