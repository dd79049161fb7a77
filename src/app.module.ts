import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import type { Request } from 'express';
import { ClsModule } from 'nestjs-cls';
import { CatalogCoreModule } from './common/catalog/catalog-core.module';
import { RequestContext } from './common/context/request-context';
import { requestIdOf } from './common/context/request-id';
import { HttpExceptionFilter } from './common/filters/http-exception.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { RedisModule } from './common/redis/redis.module';
import { AdminModule } from './modules/admin/admin.module';
import { AuditModule } from './modules/audit/audit.module';
import { GatewayCacheModule } from './modules/cache/cache.module';
import { AuthGuard } from './modules/auth/auth.guard';
import { AuthModule } from './modules/auth/auth.module';
import { GatewayThrottlerGuard } from './modules/rate-limit/gateway-throttler.guard';
import { RateLimitModule } from './modules/rate-limit/rate-limit.module';
import { FederationModule } from './modules/federation/federation.module';
import { PromptsModule } from './modules/prompts/prompts.module';
import { ResourcesModule } from './modules/resources/resources.module';
import { ServersModule } from './modules/servers/servers.module';
import { TagsModule } from './modules/tags/tags.module';
import { ToolsModule } from './modules/tools/tools.module';
import { TransportsModule } from './modules/transports/transports.module';
import { HealthModule } from './observability/health/health.module';
import { LoggingModule } from './observability/logging/logging.module';
import { MetricsModule } from './observability/metrics/metrics.module';
import { VersionModule } from './observability/version/version.module';

@Module({})
export class AppModule {
  /** The whole gateway. `config` defaults to the validated process environment. */
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        MetricsModule,
        ClsModule.forRoot({
          global: true,
          middleware: {
            mount: true,
            generateId: true,
            idGenerator: (req: Request) => requestIdOf(req),
            setup: (cls, req: Request) => RequestContext.setup(cls, req),
          },
        }),
        EventEmitterModule.forRoot({ wildcard: false }),
        ScheduleModule.forRoot(),
        DatabaseModule,
        RedisModule,
        GatewayCacheModule,
        CatalogCoreModule,
        AuthModule,
        RateLimitModule,
        AuditModule,
        FederationModule,
        ToolsModule,
        ResourcesModule,
        PromptsModule,
        ServersModule,
        TagsModule,
        TransportsModule,
        HealthModule,
        VersionModule,
        AdminModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        // Order matters: authenticate first, so the rate limit counts per token subject.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: GatewayThrottlerGuard },
      ],
    };
  }
}
