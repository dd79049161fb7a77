import { Injectable } from '@nestjs/common';
import { TypeOrmCatalogRepository } from '../../../database/typeorm-catalog.repository';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import type { Gateway, GatewayStatus } from '../gateway.model';
import { GatewayEntity } from '../persistence/gateway.entity';
import { GatewayRepository } from './gateway.repository';

@Injectable()
export class TypeOrmGatewayRepository extends TypeOrmCatalogRepository<Gateway, GatewayEntity> implements GatewayRepository {
  constructor(db: TypeOrmUnitOfWork) {
    super(db, GatewayEntity, { label: 'gateway', keyProperty: 'name', federated: false });
  }

  findBySlug(slug: string): Promise<Gateway | null> {
    return this.db.run((m) => this.repo(m).findOneBy({ slug }));
  }

  findByUrl(url: string): Promise<Gateway | null> {
    return this.db.run((m) => this.repo(m).findOneBy({ url }));
  }

  findAll(): Promise<Gateway[]> {
    return this.db.run((m) => this.repo(m).find({ order: { name: 'ASC' } }));
  }

  findAlternates(primaryId: string): Promise<Gateway[]> {
    return this.db.run((m) => this.repo(m).find({ where: { alternateOf: primaryId }, order: { name: 'ASC' } }));
  }

  async updateStatus(id: string, status: GatewayStatus): Promise<void> {
    await this.db.run((m) => this.repo(m).update({ id }, status as never));
  }
}
