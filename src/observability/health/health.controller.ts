import { Controller, Get, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { Public } from '../../modules/auth/public.decorator';
import { DatabaseReachabilityIndicator } from './database-reachability.health';
import { EventLoopHealthIndicator } from './event-loop.health';
import { HealthResultFilter } from './health-result.filter';
import { MigrationsHealthIndicator } from './migrations.health';
import { RedisHealthIndicator } from './redis.health';

/**
 * Kubernetes probes, public and never rate-limited. Each answers 200 `{status: "ok"}` or 503 with the failing
 * dependency under `error`, and every dependency's state under `details`; both answer 503 `shutting_down` once
 * the process received SIGTERM.
 */
@Controller()
@Public()
@SkipThrottle()
@UseFilters(HealthResultFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventLoop: EventLoopHealthIndicator,
    private readonly database: DatabaseReachabilityIndicator,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
    private readonly config: AppConfig,
  ) {}

  /**
   * Liveness: the process is up and its event loop is not blocked. The database's reachability is reported for
   * information only (`degraded`, still 200, when it cannot be reached): an outage must not restart the pods.
   */
  @Get('health')
  @HealthCheck()
  check() {
    const timeout = this.config.health.probeTimeoutMs;
    return this.health.check([() => this.eventLoop.check().withTimeout(timeout), () => this.database.check(timeout)]);
  }

  /** Readiness: the database answers, Redis answers (when configured) and the schema is up to date. */
  @Get('ready')
  @HealthCheck()
  ready() {
    const timeout = this.config.health.probeTimeoutMs;
    return this.health.check([
      () => this.db.pingCheck('database').withTimeout(timeout),
      ...(this.redis.configured ? [() => this.redis.pingCheck('redis').withTimeout(timeout)] : []),
      () => this.migrations.check().withTimeout(timeout),
    ]);
  }
}
