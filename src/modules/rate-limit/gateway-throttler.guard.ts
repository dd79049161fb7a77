import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { GatewayMetrics } from '../../observability/metrics/gateway-metrics.service';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { clientKey } from './client-key';

/**
 * The general API limit, per client (token subject, else IP) across all routes: one budget of
 * RATE_LIMIT_PER_MINUTE, not one per route. Runs after authentication, so the subject is known.
 */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  // Property injection: the base class's constructor takes the throttler's own tokens.
  @Inject(GatewayMetrics) private readonly metrics!: GatewayMetrics;

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as AuthenticatedRequest;
    return clientKey(r.user?.subject, r.ip);
  }

  /** One counter per client and throttler (the library's default key also includes the controller and handler). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    this.metrics.rateLimited('requests');
    return super.throwThrottlingException(context, detail);
  }
}
