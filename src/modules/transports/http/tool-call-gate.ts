import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { clientKey } from '../../rate-limit/client-key';
import { countToolCalls, type LimitDecision, ToolCallLimiter } from '../../rate-limit/tool-call-limiter.service';

export const RATE_LIMITED = -32029;

export function rateLimitError(decision: LimitDecision, id: unknown = null) {
  return {
    jsonrpc: '2.0' as const,
    id: typeof id === 'string' || typeof id === 'number' ? id : null,
    error: {
      code: RATE_LIMITED,
      message: `Rate limit exceeded: ${decision.limit} tool calls per minute; retry after ${decision.retryAfter} s`,
      data: { retryAfter: decision.retryAfter, limit: decision.limit },
    },
  };
}

/** Applies MAX_TOOL_CALLS_PER_MINUTE at the HTTP entry points of MCP, before a payload is dispatched. */
@Injectable()
export class ToolCallGate {
  constructor(private readonly limiter: ToolCallLimiter) {}

  /** The decision for this payload's tool calls, charged to the request's client. */
  check(req: AuthenticatedRequest, payload: unknown, bareToolMethods = false): Promise<LimitDecision> {
    return this.decide(req.user?.subject, req.ip, payload, bareToolMethods);
  }

  /** The decision for this payload's tool calls, charged to the client `subject` at `ip`. */
  decide(subject: string | undefined, ip: string | undefined, payload: unknown, bareToolMethods = false): Promise<LimitDecision> {
    return this.limiter.consume(clientKey(subject, ip), countToolCalls(payload, bareToolMethods));
  }

  /** For transports without an HTTP response per message (WebSocket): the JSON-RPC error to answer, or null. */
  async refusal(subject: string | undefined, ip: string | undefined, payload: unknown) {
    const decision = await this.decide(subject, ip, payload);
    return decision.allowed ? null : rateLimitError(decision, (payload as { id?: unknown } | null)?.id);
  }

  /** Answers 429 with Retry-After and a JSON-RPC error; returns false. */
  refuse(res: Response, decision: LimitDecision, payload: unknown): false {
    const first = (Array.isArray(payload) ? payload[0] : payload) as { id?: unknown } | undefined;
    res.setHeader('Retry-After', String(decision.retryAfter));
    res.status(429).json(rateLimitError(decision, first?.id));
    return false;
  }

  /** Checks, and answers 429 when over the limit; true when the payload may proceed. */
  async admit(req: AuthenticatedRequest, res: Response, payload: unknown, bareToolMethods = false): Promise<boolean> {
    const decision = await this.check(req, payload, bareToolMethods);
    return decision.allowed || this.refuse(res, decision, payload);
  }
}
