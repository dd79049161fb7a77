import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { GatewayMetrics } from '../../observability/metrics/gateway-metrics.service';
import { clientKey } from './client-key';

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  /** Seconds until the window resets (for Retry-After). */
  retryAfter: number;
}

const WINDOW_MS = 60_000;

/** What a client over MAX_TOOL_CALLS_PER_MINUTE is told, on every transport and in the admin UI. */
export function rateLimitMessage(decision: LimitDecision): string {
  return `Rate limit exceeded: ${decision.limit} tool calls per minute; retry after ${decision.retryAfter} s`;
}

/** JSON-RPC requests in a payload that invoke a tool (`tools/call`, or a non-MCP method on /rpc: a tool name). */
export function countToolCalls(payload: unknown, bareToolMethods = false): number {
  const messages = Array.isArray(payload) ? payload : [payload];
  return messages.filter((m) => {
    const method = (m as { method?: unknown; id?: unknown } | null)?.method;
    if (typeof method !== 'string' || (m as { id?: unknown }).id === undefined) return false;
    return method === 'tools/call' || (bareToolMethods && !method.includes('/') && !['initialize', 'ping', 'list_tools', 'list_resources', 'list_prompts'].includes(method));
  }).length;
}

/**
 * MAX_TOOL_CALLS_PER_MINUTE per client across every transport: entry points consume before dispatching a payload's
 * tool calls, and answer 429 (HTTP) or a -32029 JSON-RPC error (WebSocket) when the client is over the limit.
 * Counters live in the throttler storage: memory, or Redis (shared by replicas). If Redis is unreachable the call
 * is let through and a warning logged: tool calls are not refused because a counter is.
 */
@Injectable()
export class ToolCallLimiter {
  private readonly logger = new Logger('ToolCallLimiter');

  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Charges `calls` tool calls to the client `subject` (a token's), else to its address `ip` (see clientKey). */
  consumeFor(subject: string | undefined, ip: string | undefined, calls = 1): Promise<LimitDecision> {
    return this.consume(clientKey(subject, ip), calls);
  }

  async consume(client: string, calls = 1): Promise<LimitDecision> {
    const limit = this.config.rateLimit.toolCallsPerMinute;
    if (!this.config.rateLimit.enabled || calls === 0) return { allowed: true, limit, retryAfter: 0 };
    try {
      let last = { totalHits: 0, timeToExpire: 0 };
      for (let i = 0; i < calls; i++) last = await this.storage.increment(`tools:${client}`, WINDOW_MS, limit, 0, 'tool-calls');
      const allowed = last.totalHits <= limit;
      if (!allowed) this.metrics.rateLimited('tool_calls');
      return { allowed, limit, retryAfter: last.timeToExpire };
    } catch (err) {
      this.logger.warn(`rate-limit store unavailable, allowing the call: ${(err as Error).message}`);
      return { allowed: true, limit, retryAfter: 0 };
    }
  }
}
