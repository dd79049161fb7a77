import { Logger } from '@nestjs/common';
import { ErrorCode as McpErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { JsonRpcError } from '../../common/errors/json-rpc-error';

export { JsonRpcError };

/** MCP's code for an unknown resource URI. */
export const RESOURCE_NOT_FOUND = -32002;

const logger = new Logger('McpErrors');

/**
 * Maps what a handler throws to a JSON-RPC error: the client sees a code and a message, never a stack. An unexpected
 * error (a bug, a failing dependency) is logged with its stack under a fresh `errorId`, which the client gets in
 * `error.data.errorId` (and in the message) to quote, as the HTTP error filter does for 500s.
 */
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
  const errorId = randomUUID();
  logger.error(`errorId=${errorId} unexpected error in an MCP handler: ${(err as Error)?.stack ?? String(err)}`);
  return new JsonRpcError(McpErrorCode.InternalError, `Internal error (errorId ${errorId})`, { errorId });
}
