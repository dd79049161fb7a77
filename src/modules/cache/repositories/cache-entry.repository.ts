import { Injectable } from '@nestjs/common';
import { In, LessThanOrEqual } from 'typeorm';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import { CacheEntryEntity } from '../persistence/cache-entry.entity';

/** Storage of the `database` cache backend. Times are epoch milliseconds; `clock` is a logical access time. */
export abstract class CacheEntryRepository {
  /** The value stored under `key` unless it expired by `now`; a hit records `clock` as its last access. */
  abstract get(key: string, now: number, clock: number): Promise<string | undefined>;
  /** Stores (or replaces) a value. */
  abstract put(key: string, value: string, expiresAt: number, clock: number): Promise<void>;
  abstract delete(key: string): Promise<boolean>;
  abstract clear(): Promise<void>;
  /** Deletes the expired entries, then the least recently used ones beyond `maxItems`; returns how many went. */
  abstract trim(maxItems: number, now: number): Promise<number>;
  abstract count(): Promise<number>;
}

@Injectable()
export class TypeOrmCacheEntryRepository extends CacheEntryRepository {
  constructor(private readonly db: TypeOrmUnitOfWork) {
    super();
  }

  async get(key: string, now: number, clock: number): Promise<string | undefined> {
    return this.db.run(async (m) => {
      const repo = m.getRepository(CacheEntryEntity);
      // Touch first: a live entry is marked as used, an expired or missing one reads as a miss without a SELECT.
      const touch = repo.createQueryBuilder().update().set({ accessedAt: clock }).where('cache_key = :key AND expires_at > :now', { key, now });
      if (m.connection.driver.isReturningSqlSupported('update')) {
        // PostgreSQL: touch and read in one statement.
        const rows = (await touch.returning(['value']).execute()).raw as Array<{ value: string }>;
        return rows[0]?.value;
      }
      if (!(await touch.execute()).affected) return undefined;
      const row = await repo.findOne({ select: { value: true, expiresAt: true }, where: { cacheKey: key } });
      return row && row.expiresAt > now ? row.value : undefined;
    });
  }

  async put(key: string, value: string, expiresAt: number, clock: number): Promise<void> {
    await this.db.run((m) => m.getRepository(CacheEntryEntity).upsert({ cacheKey: key, value, expiresAt, accessedAt: clock }, ['cacheKey']));
  }

  async delete(key: string): Promise<boolean> {
    return this.db.run(async (m) => !!(await m.getRepository(CacheEntryEntity).delete({ cacheKey: key })).affected);
  }

  async clear(): Promise<void> {
    await this.db.run((m) => m.getRepository(CacheEntryEntity).createQueryBuilder().delete().execute());
  }

  async trim(maxItems: number, now: number): Promise<number> {
    return this.db.run(async (m) => {
      const repo = m.getRepository(CacheEntryEntity);
      const expired = (await repo.delete({ expiresAt: LessThanOrEqual(now) })).affected ?? 0;
      const over = (await repo.count()) - maxItems;
      if (over <= 0) return expired;
      // Two statements: MySQL cannot DELETE from a table it selects from with LIMIT in the same statement.
      const victims = await repo.find({ select: { cacheKey: true }, order: { accessedAt: 'ASC' }, take: over });
      if (victims.length) await repo.delete({ cacheKey: In(victims.map((v) => v.cacheKey)) });
      return expired + victims.length;
    });
  }

  count(): Promise<number> {
    return this.db.run((m) => m.getRepository(CacheEntryEntity).count());
  }
}
