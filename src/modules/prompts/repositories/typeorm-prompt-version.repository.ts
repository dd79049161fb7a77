import { Injectable } from '@nestjs/common';
import type { Page } from '../../../common/catalog/catalog.model';
import { decodeCursor, encodeCursor } from '../../../common/catalog/cursor';
import { ConflictError } from '../../../common/errors/domain-error';
import { isUniqueViolation } from '../../../database/database-errors';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import { PromptVersionEntity } from '../persistence/prompt-version.entity';
import type { PromptVersion } from '../prompt.model';
import { PromptVersionRepository } from './prompt-version.repository';

@Injectable()
export class TypeOrmPromptVersionRepository extends PromptVersionRepository {
  constructor(private readonly db: TypeOrmUnitOfWork) {
    super();
  }

  async insert(version: PromptVersion): Promise<void> {
    try {
      await this.db.run((m) => m.getRepository(PromptVersionEntity).insert(version));
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`Prompt ${version.promptId} already has a version ${version.version}`, { promptId: version.promptId, version: version.version });
      throw err;
    }
  }

  find(promptId: string, version: number): Promise<PromptVersion | null> {
    return this.db.run((m) => m.getRepository(PromptVersionEntity).findOneBy({ promptId, version }));
  }

  list(promptId: string, limit: number, cursor?: string): Promise<Page<PromptVersion>> {
    return this.db.run(async (m) => {
      const qb = m.getRepository(PromptVersionEntity).createQueryBuilder('v').where('v.promptId = :promptId', { promptId });
      if (cursor) qb.andWhere('v.version < :before', { before: decodeCursor(cursor, 'integer') });
      const rows = await qb.orderBy('v.version', 'DESC').limit(limit + 1).getMany();
      const items = rows.slice(0, limit);
      return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].version) : null };
    });
  }

  async deleteByPrompt(promptId: string): Promise<number> {
    const result = await this.db.run((m) => m.getRepository(PromptVersionEntity).delete({ promptId }));
    return result.affected ?? 0;
  }
}
