import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CliToolExecutor } from './execution/cli-tool.executor';
import { RestToolExecutor } from './execution/rest-tool.executor';
import { GatewayEchoTool, GatewayTimeTool } from './local/example-tools';
import { LocalTools } from './local/local-tool';
import { LocalToolExecutor } from './local/local-tool.executor';
import { OpenApiImportService } from './openapi/openapi-import.service';
import { ToolExecutors } from './execution/tool-executor';
import { ToolInvocationService } from './execution/tool-invocation.service';
import { ToolEntity } from './persistence/tool.entity';
import { ToolRepository } from './repositories/tool.repository';
import { TypeOrmToolRepository } from './repositories/typeorm-tool.repository';
import { ToolPresenter } from './tool.presenter';
import { ToolsController } from './tools.controller';
import { ToolsService } from './tools.service';

@Module({
  imports: [TypeOrmModule.forFeature([ToolEntity])],
  controllers: [ToolsController],
  providers: [
    ToolsService,
    ToolPresenter,
    { provide: ToolRepository, useClass: TypeOrmToolRepository },
    ToolExecutors,
    ToolInvocationService,
    RestToolExecutor,
    CliToolExecutor,
    LocalTools,
    LocalToolExecutor,
    GatewayTimeTool,
    GatewayEchoTool,
    OpenApiImportService,
  ],
  exports: [ToolsService, ToolPresenter, ToolExecutors, ToolInvocationService, LocalTools, OpenApiImportService],
})
export class ToolsModule {}
