import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CoordinationModule } from '../coordination/coordination.module';
import { PromptsModule } from '../prompts/prompts.module';
import { ResourcesModule } from '../resources/resources.module';
import { ToolsModule } from '../tools/tools.module';
import { PeerDiscovery } from './discovery/peer-discovery.service';
import { FederationService } from './federation.service';
import { FederationForwarder } from './forwarding/federation-forwarder.service';
import { McpToolExecutor } from './forwarding/mcp-tool.executor';
import { GatewayPresenter } from './gateway.presenter';
import { GatewaysController } from './gateways.controller';
import { GatewaysService } from './gateways.service';
import { FederationJobs } from './health/federation.jobs';
import { PeerHealthService } from './health/peer-health.service';
import { GatewayEntity } from './persistence/gateway.entity';
import { GatewayRepository } from './repositories/gateway.repository';
import { TypeOrmGatewayRepository } from './repositories/typeorm-gateway.repository';
import { UpstreamPool } from './upstream/upstream-pool.service';

/** Peer gateways: registration, catalog sync, call forwarding, health checks and fail-over. */
@Module({
  imports: [TypeOrmModule.forFeature([GatewayEntity]), ToolsModule, ResourcesModule, PromptsModule, CoordinationModule],
  controllers: [GatewaysController],
  providers: [
    GatewaysService,
    GatewayPresenter,
    { provide: GatewayRepository, useClass: TypeOrmGatewayRepository },
    FederationService,
    UpstreamPool,
    McpToolExecutor,
    FederationForwarder,
    PeerHealthService,
    FederationJobs,
    PeerDiscovery,
  ],
  exports: [GatewaysService, GatewayPresenter, FederationService, FederationForwarder, PeerHealthService, UpstreamPool],
})
export class FederationModule {}
