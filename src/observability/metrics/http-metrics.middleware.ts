import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GatewayMetrics } from './gateway-metrics.service';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * Counts every HTTP request and its duration by method, route pattern (`/tools/:id`, never the raw path, so ids do
 * not become series) and status. Requests that match no route are reported as `unmatched`.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: GatewayMetrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const start = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const path = (req.route as { path?: unknown } | undefined)?.path;
      // Nest mounts middleware as wildcard routes: a wildcard here means no controller route matched.
      const route = typeof path === 'string' && !path.includes('*') ? path : 'unmatched';
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      this.metrics.httpRequest(method, route, res.headersSent ? res.statusCode : 499, seconds);
    });
    next();
  }
}
