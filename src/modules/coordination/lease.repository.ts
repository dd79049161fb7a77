import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '../../database/database-errors';
import { TypeOrmUnitOfWork } from '../../database/typeorm-unit-of-work';
import { LeaseEntity } from './lease.entity';

/** Storage of leases. Acquisition is one conditional UPDATE (or INSERT), atomic on every dialect. */
export abstract class LeaseRepository {
  /** Takes or renews the lease when it is free, expired, or already ours. */
  abstract tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  abstract release(name: string, holder: string): Promise<void>;
}

@Injectable()
export class TypeOrmLeaseRepository extends LeaseRepository {
  constructor(private readonly db: TypeOrmUnitOfWork) {
    super();
  }

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs);
    return this.db.run(async (m) => {
      const repo = m.getRepository(LeaseEntity);
      const renewed = await repo
        .createQueryBuilder()
        .update()
        .set({ holder, expiresAt })
        .where('name = :name AND (holder = :holder OR expires_at < :now)', { name, holder, now: this.db.dateParam(now) })
        .execute();
      if (renewed.affected) return true;
      try {
        await repo.insert({ name, holder, expiresAt });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    });
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.run((m) => m.getRepository(LeaseEntity).delete({ name, holder }));
  }
}
