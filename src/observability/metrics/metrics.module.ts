import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { AppConfig } from '../../config/app-config';
import { Tracing } from '../tracing/tracing.service';
import { EntityMetricsEntity } from './entity/entity-metrics.entity';
import { EntityMetricsInterceptor } from './entity/entity-metrics.interceptor';
import { EntityMetricsRepository, TypeOrmEntityMetricsRepository } from './entity/entity-metrics.repository';
import { EntityMetricsService } from './entity/entity-metrics.service';
import { MetricsController } from './entity/metrics.controller';
import { ExecutionRecorder } from './execution-recorder.service';
import { GatewayMetrics } from './gateway-metrics.service';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { METRIC_PROVIDERS } from './metric-definitions';
import { METRICS_PATH, PrometheusScrapeController } from './prometheus.controller';
import { RecentActivity } from './recent-activity.service';

/**
 * Everything measured: Prometheus instruments and Node process metrics at `/metrics` (through
 * @willsoto/nestjs-prometheus on prom-client's process-wide registry), per-entity execution metrics (in the entity
 * responses and at `/metrics/summary`), and optional OpenTelemetry traces. Global, so any module can record.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([EntityMetricsEntity]),
    PrometheusModule.registerAsync({
      controller: PrometheusScrapeController,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        path: `/${METRICS_PATH}`,
        // Process metrics are registered once per process (a second application in the same process reuses them).
        defaultMetrics: { enabled: config.metrics.enabled && !register.getSingleMetric('process_cpu_user_seconds_total') },
      }),
    }),
  ],
  controllers: [MetricsController],
  providers: [
    ...METRIC_PROVIDERS,
    GatewayMetrics,
    Tracing,
    { provide: EntityMetricsRepository, useClass: TypeOrmEntityMetricsRepository },
    EntityMetricsService,
    EntityMetricsInterceptor,
    ExecutionRecorder,
    RecentActivity,
  ],
  exports: [GatewayMetrics, ExecutionRecorder, EntityMetricsService, EntityMetricsInterceptor, RecentActivity],
})
export class MetricsModule implements NestModule {
  constructor(private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    if (this.config.metrics.enabled) consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
