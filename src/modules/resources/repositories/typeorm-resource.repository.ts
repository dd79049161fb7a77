import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { TypeOrmCatalogRepository } from '../../../database/typeorm-catalog.repository';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import { ResourceEntity } from '../persistence/resource.entity';
import type { Resource } from '../resource.model';
import { ResourceRepository } from './resource.repository';

@Injectable()
export class TypeOrmResourceRepository extends TypeOrmCatalogRepository<Resource, ResourceEntity> implements ResourceRepository {
  constructor(db: TypeOrmUnitOfWork) {
    super(db, ResourceEntity, { label: 'resource', keyProperty: 'uri', federated: true, heavyColumns: ['textContent', 'binaryContent'] });
  }

  findTemplates(): Promise<Resource[]> {
    return this.db.run((m) => this.repo(m).find({ where: { uriTemplate: Not(IsNull()), enabled: true }, order: { uri: 'ASC' } }));
  }
}
