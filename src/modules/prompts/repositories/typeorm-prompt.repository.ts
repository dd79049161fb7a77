import { Injectable } from '@nestjs/common';
import { TypeOrmCatalogRepository } from '../../../database/typeorm-catalog.repository';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import { PromptEntity } from '../persistence/prompt.entity';
import type { Prompt } from '../prompt.model';
import { PromptRepository } from './prompt.repository';

@Injectable()
export class TypeOrmPromptRepository extends TypeOrmCatalogRepository<Prompt, PromptEntity> implements PromptRepository {
  constructor(db: TypeOrmUnitOfWork) {
    super(db, PromptEntity, { label: 'prompt', keyProperty: 'name', federated: true });
  }
}
