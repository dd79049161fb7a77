import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResourcesModule } from '../resources/resources.module';
import { PromptVersionEntity } from './persistence/prompt-version.entity';
import { PromptEntity } from './persistence/prompt.entity';
import { PromptsController } from './prompts.controller';
import { PromptsService } from './prompts.service';
import { PromptVersionRepository } from './repositories/prompt-version.repository';
import { PromptRepository } from './repositories/prompt.repository';
import { TypeOrmPromptVersionRepository } from './repositories/typeorm-prompt-version.repository';
import { TypeOrmPromptRepository } from './repositories/typeorm-prompt.repository';

@Module({
  // Resources: a prompt message may embed a catalog resource, read when the prompt renders.
  imports: [TypeOrmModule.forFeature([PromptEntity, PromptVersionEntity]), ResourcesModule],
  controllers: [PromptsController],
  providers: [
    PromptsService,
    { provide: PromptRepository, useClass: TypeOrmPromptRepository },
    { provide: PromptVersionRepository, useClass: TypeOrmPromptVersionRepository },
  ],
  exports: [PromptsService],
})
export class PromptsModule {}
