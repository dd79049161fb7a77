/**
 * An error a handler throws to answer with a JSON-RPC error. The SDK copies `code`, `message` and `data` into the
 * response as they are (its own McpError would prefix the message with "MCP error <code>:").
 */
export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'JsonRpcError';
  }
}
