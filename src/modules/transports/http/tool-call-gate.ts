import { Injectable } from '@nestjs/common';
import type { JSONRPCErrorResponse } from '@modelcontextprotocol/sdk/types.js';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { countToolCalls, type LimitDecision, rateLimitMessage, ToolCallLimiter } from '../../rate-limit/tool-call-limiter.service';
import { errorResponse, idOf, sendJsonRpcError } from '../json-rpc';

export const RATE_LIMITED = -32029;

/** The `data` of a -32029 error: how long to wait, and the limit. */
const limitData = (decision: LimitDecision) => ({ retryAfter: decision.retryAfter, limit: decision.limit });

/** The JSON-RPC error answering a message over MAX_TOOL_CALLS_PER_MINUTE. */
export function rateLimitError(decision: LimitDecision, message: unknown = null): JSONRPCErrorResponse {
  return errorResponse(idOf(message), RATE_LIMITED, rateLimitMessage(decision), limitData(decision));
}

/** Applies MAX_TOOL_CALLS_PER_MINUTE at the HTTP entry points of MCP, before a payload is dispatched. */
@Injectable()
export class ToolCallGate {
  constructor(private readonly limiter: ToolCallLimiter) {}

  /** The decision for this payload's tool calls, charged to the request's client. */
  check(req: AuthenticatedRequest, payload: unknown, bareToolMethods = false): Promise<LimitDecision> {
    return this.limiter.consumeFor(req.user?.subject, req.ip, countToolCalls(payload, bareToolMethods));
  }

  /** For transports without an HTTP response per message (WebSocket): the JSON-RPC error to answer, or null. */
  async refusal(subject: string | undefined, ip: string | undefined, payload: unknown): Promise<JSONRPCErrorResponse | null> {
    const decision = await this.limiter.consumeFor(subject, ip, countToolCalls(payload));
    return decision.allowed ? null : rateLimitError(decision, payload);
  }

  /** Answers 429 with Retry-After and a JSON-RPC error (with the id of a batch's first message); returns false. */
  refuse(res: Response, decision: LimitDecision, payload: unknown): false {
    const first = Array.isArray(payload) ? payload[0] : payload;
    sendJsonRpcError(res, 429, RATE_LIMITED, rateLimitMessage(decision), { id: idOf(first), headers: { 'Retry-After': String(decision.retryAfter) }, data: limitData(decision) });
    return false;
  }

  /** Checks, and answers 429 when over the limit; true when the payload may proceed. */
  async admit(req: AuthenticatedRequest, res: Response, payload: unknown, bareToolMethods = false): Promise<boolean> {
    const decision = await this.check(req, payload, bareToolMethods);
    return decision.allowed || this.refuse(res, decision, payload);
  }
}
