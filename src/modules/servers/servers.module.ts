import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PromptsModule } from '../prompts/prompts.module';
import { ResourcesModule } from '../resources/resources.module';
import { ToolsModule } from '../tools/tools.module';
import { ServerEntity } from './persistence/server.entity';
import { ServerPresenter } from './server.presenter';
import { ServerRepository } from './repositories/server.repository';
import { TypeOrmServerRepository } from './repositories/typeorm-server.repository';
import { ServersController } from './servers.controller';
import { ServersService } from './servers.service';

@Module({
  imports: [TypeOrmModule.forFeature([ServerEntity]), ToolsModule, ResourcesModule, PromptsModule],
  controllers: [ServersController],
  providers: [ServersService, ServerPresenter, { provide: ServerRepository, useClass: TypeOrmServerRepository }],
  exports: [ServersService],
})
export class ServersModule {}
