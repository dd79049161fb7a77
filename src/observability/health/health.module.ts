import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '../../config/app-config';
import { DatabaseReachabilityIndicator } from './database-reachability.health';
import { EventLoopHealthIndicator } from './event-loop.health';
import { HealthController } from './health.controller';
import { MigrationsHealthIndicator } from './migrations.health';
import { RedisHealthIndicator } from './redis.health';

@Module({
  imports: [
    TerminusModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ logger: false, gracefulShutdownTimeoutMs: config.health.shutdownGraceMs }),
    }),
  ],
  controllers: [HealthController],
  providers: [EventLoopHealthIndicator, DatabaseReachabilityIndicator, RedisHealthIndicator, MigrationsHealthIndicator],
})
export class HealthModule {}
