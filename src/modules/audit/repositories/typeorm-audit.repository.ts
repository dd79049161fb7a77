import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Page } from '../../../common/catalog/catalog.model';
import { decodeCursor, encodeCursor } from '../../../common/catalog/cursor';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import type { AuditEntry, AuditFilter } from '../audit.model';
import { AuditEntryEntity } from '../persistence/audit-entry.entity';
import { AuditRepository } from './audit.repository';

@Injectable()
export class TypeOrmAuditRepository extends AuditRepository {
  constructor(private readonly db: TypeOrmUnitOfWork) {
    super();
  }

  async append(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.db.run((m) => m.getRepository(AuditEntryEntity).insert(entry));
  }

  list(filter: AuditFilter, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
    return this.db.run(async (m) => {
      const qb = m.getRepository(AuditEntryEntity).createQueryBuilder('a');
      if (filter.entityType) qb.andWhere('a.entityType = :entityType', { entityType: filter.entityType });
      if (filter.entityId) qb.andWhere('a.entityId = :entityId', { entityId: filter.entityId });
      if (filter.actions?.length) qb.andWhere({ action: In(filter.actions) });
      if (filter.actor) qb.andWhere('a.actor = :actor', { actor: filter.actor });
      if (filter.since) qb.andWhere('a.timestamp >= :since', { since: this.db.dateParam(filter.since) });
      if (filter.until) qb.andWhere('a.timestamp < :until', { until: this.db.dateParam(filter.until) });
      if (cursor) qb.andWhere('a.id < :before', { before: decodeCursor(cursor, 'integer') });
      const rows = await qb.orderBy('a.id', 'DESC').limit(limit + 1).getMany();
      const items = rows.slice(0, limit);
      return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
    });
  }
}
