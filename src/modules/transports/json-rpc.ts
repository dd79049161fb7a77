import { ErrorCode, type JSONRPCErrorResponse, type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Response } from 'express';
import { jsonProblem } from '../../common/http/json-depth';
import type { SessionRefusal } from './sessions/session-manager.service';

/** The MCP transports' error code for an unknown, terminated or foreign session (and an unknown virtual server). */
export const SESSION_NOT_FOUND = -32001;

/** A JSON-RPC id taken from untrusted input: a string or a number, else null. */
export function idOf(value: unknown): string | number | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

export function errorResponse(id: string | number | null, code: number, message: string, data?: unknown): JSONRPCErrorResponse {
  return { jsonrpc: '2.0', id: id as JSONRPCErrorResponse['id'], error: { code, message, ...(data !== undefined ? { data } : {}) } };
}

/** Answers an HTTP request with a JSON-RPC error (or just ends the response when a stream already started). */
export function sendJsonRpcError(
  res: Response,
  status: number,
  code: number,
  message: string,
  options: { id?: string | number | null; headers?: Record<string, string>; data?: unknown } = {},
): void {
  if (res.headersSent) return void res.end();
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  res.status(status).json(errorResponse(options.id ?? null, code, message, options.data));
}

/** Answers a request for a new session refused for MAX_MCP_SESSIONS or MAX_MCP_SESSIONS_PER_CLIENT (with `Retry-After`). */
export function sendSessionRefusal(res: Response, refusal: SessionRefusal, id?: string | number | null): void {
  sendJsonRpcError(res, refusal.status, -32000, refusal.message, { id, headers: { 'Retry-After': String(refusal.retryAfter) } });
}

export type ParsedMessage = { ok: true; message: JSONRPCMessage } | { ok: false; error: JSONRPCErrorResponse };

/**
 * Validates one JSON-RPC message received as text (a WebSocket frame, which no HTTP middleware saw): well-formed JSON
 * (-32700), nesting at most `maxDepth` and no NUL characters (-32600, the limits HTTP bodies get from the input
 * limits middleware), and a JSON-RPC 2.0 message (-32600).
 */
export function parseJsonRpc(text: string, maxDepth: number): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: errorResponse(null, ErrorCode.ParseError, `Parse error: ${(err as Error).message}`) };
  }
  const problem = jsonProblem(value, maxDepth);
  if (problem) return { ok: false, error: errorResponse(idOf(value), ErrorCode.InvalidRequest, `Invalid Request: ${problem}`) };
  return toJsonRpcMessage(value);
}

/** Validates a POSTed body, which the input limits middleware already checked (depth, NUL): a JSON-RPC 2.0 message (-32600). */
export function toJsonRpcMessage(value: unknown): ParsedMessage {
  const parsed = JSONRPCMessageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: errorResponse(idOf(value), ErrorCode.InvalidRequest, 'Invalid Request') };
  return { ok: true, message: parsed.data };
}
