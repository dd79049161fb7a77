import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { GatewayMetrics } from '../../observability/metrics/gateway-metrics.service';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { clientKey } from './client-key';

/** The general API limit, per token subject (else IP). Runs after authentication, so the subject is known. */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  // Property injection: the base class's constructor takes the throttler's own tokens.
  @Inject(GatewayMetrics) private readonly metrics!: GatewayMetrics;

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as AuthenticatedRequest;
    return clientKey(r.user?.subject, r.ip);
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    this.metrics.rateLimited('requests');
    return super.throwThrottlingException(context, detail);
  }
}
