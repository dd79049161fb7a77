import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CoordinationModule } from '../coordination/coordination.module';
import { FederationModule } from '../federation/federation.module';
import { PromptsModule } from '../prompts/prompts.module';
import { ResourcesModule } from '../resources/resources.module';
import { ServersModule } from '../servers/servers.module';
import { ToolsModule } from '../tools/tools.module';
import { HostValidationGuard } from './http/host-validation';
import { StreamableHttpController } from './http/streamable-http.controller';
import { StreamableHttpService } from './http/streamable-http.service';
import { ToolCallGate } from './http/tool-call-gate';
import { McpCatalog } from './mcp-catalog.service';
import { McpServerFactory } from './mcp-server.factory';
import { RpcController } from './rpc/rpc.controller';
import { RpcService } from './rpc/rpc.service';
import { McpSessionEntity, SessionDirectory, TypeOrmSessionDirectory } from './sessions/session-directory';
import { McpSessionManager } from './sessions/session-manager.service';
import { SessionRouter } from './sessions/session-router.service';
import { McpSessionJobs } from './sessions/session.jobs';
import { LegacySseController } from './sse/legacy-sse.controller';
import { LegacySseService } from './sse/legacy-sse.service';
import { WebSocketMcpServer } from './websocket/websocket.server';

/** The MCP face of the gateway: `/rpc`, Streamable HTTP, legacy SSE and WebSocket, over one SDK server factory. */
@Module({
  imports: [TypeOrmModule.forFeature([McpSessionEntity]), ToolsModule, ResourcesModule, PromptsModule, ServersModule, FederationModule, CoordinationModule],
  controllers: [RpcController, StreamableHttpController, LegacySseController],
  providers: [
    McpCatalog,
    McpServerFactory,
    McpSessionManager,
    SessionRouter,
    McpSessionJobs,
    { provide: SessionDirectory, useClass: TypeOrmSessionDirectory },
    HostValidationGuard,
    ToolCallGate,
    StreamableHttpService,
    LegacySseService,
    RpcService,
    WebSocketMcpServer,
  ],
  exports: [McpSessionManager, McpServerFactory, McpCatalog],
})
export class TransportsModule {}
