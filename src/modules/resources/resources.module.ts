import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResourceEntity } from './persistence/resource.entity';
import { ResourceFetcher } from './resource-fetcher.service';
import { ResourceRepository } from './repositories/resource.repository';
import { TypeOrmResourceRepository } from './repositories/typeorm-resource.repository';
import { ResourcesController } from './resources.controller';
import { ResourcesService } from './resources.service';

@Module({
  imports: [TypeOrmModule.forFeature([ResourceEntity])],
  controllers: [ResourcesController],
  providers: [ResourcesService, ResourceFetcher, { provide: ResourceRepository, useClass: TypeOrmResourceRepository }],
  exports: [ResourcesService],
})
export class ResourcesModule {}
