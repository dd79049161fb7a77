import { Module } from '@nestjs/common';
import { FederationModule } from '../federation/federation.module';
import { PromptsModule } from '../prompts/prompts.module';
import { ResourcesModule } from '../resources/resources.module';
import { ServersModule } from '../servers/servers.module';
import { ToolsModule } from '../tools/tools.module';
import { TagsController } from './tags.controller';
import { TagsService } from './tags.service';

@Module({
  imports: [ToolsModule, ResourcesModule, PromptsModule, ServersModule, FederationModule],
  controllers: [TagsController],
  providers: [TagsService],
  exports: [TagsService],
})
export class TagsModule {}
