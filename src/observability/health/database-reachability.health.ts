import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';

/**
 * The database's reachability as information for the liveness probe: `up` with `reachable: true`, or `degraded`
 * with `reachable: false` and the reason. Never `down`: a database outage is not a reason to restart the process
 * (`/ready` is what takes the replica out of the load balancer).
 */
@Injectable()
export class DatabaseReachabilityIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  async check(timeoutMs: number, key = 'database') {
    const ping = (await this.db.pingCheck(key).withTimeout(timeoutMs))[key];
    const indicator = this.health.check(key);
    const latencyMs = typeof ping.responseTime === 'number' ? ping.responseTime : null;
    return ping.status === 'up'
      ? indicator.up({ reachable: true, latencyMs })
      : indicator.degraded({ reachable: false, latencyMs, message: String(ping.message ?? 'not reachable') });
  }
}
