import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RestToolExecutor } from './execution/rest-tool.executor';
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
  ],
  exports: [ToolsService, ToolPresenter, ToolExecutors, ToolInvocationService],
})
export class ToolsModule {}
