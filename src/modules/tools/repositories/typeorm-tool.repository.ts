import { Injectable } from '@nestjs/common';
import { TypeOrmCatalogRepository } from '../../../database/typeorm-catalog.repository';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import { ToolEntity } from '../persistence/tool.entity';
import type { Tool } from '../tool.model';
import { ToolRepository } from './tool.repository';

@Injectable()
export class TypeOrmToolRepository extends TypeOrmCatalogRepository<Tool, ToolEntity> implements ToolRepository {
  constructor(db: TypeOrmUnitOfWork) {
    super(db, ToolEntity, { label: 'tool', keyProperty: 'name', federated: true });
  }

  async setReachable(gatewayId: string, reachable: boolean): Promise<void> {
    await this.db.run((m) => this.repo(m).update({ gatewayId }, { reachable }));
  }
}
