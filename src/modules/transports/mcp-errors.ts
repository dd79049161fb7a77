import { ErrorCode as McpErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { JsonRpcError } from '../../common/errors/json-rpc-error';

export { JsonRpcError };

/** MCP's code for an unknown resource URI. */
export const RESOURCE_NOT_FOUND = -32002;

/** Maps what a handler throws to a JSON-RPC error: the client sees a code and a message, never a stack. */
export function toMcpError(err: unknown): JsonRpcError | McpError {
  if (err instanceof JsonRpcError || err instanceof McpError) return err;
  if (err instanceof DomainError) {
    switch (err.code) {
      case ErrorCode.Validation:
      case ErrorCode.BadRequest:
      case ErrorCode.NotFound:
      case ErrorCode.PayloadTooLarge:
        return new JsonRpcError(McpErrorCode.InvalidParams, err.message, err.details);
      case ErrorCode.RateLimited:
        return new JsonRpcError(-32029, err.message, err.details);
      case ErrorCode.Unauthorized:
      case ErrorCode.Forbidden:
        return new JsonRpcError(-32003, err.message);
      default:
        return new JsonRpcError(McpErrorCode.InternalError, err.message, err.details);
    }
  }
  return new JsonRpcError(McpErrorCode.InternalError, 'Internal error');
}
