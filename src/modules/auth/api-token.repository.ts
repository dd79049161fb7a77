import { Injectable } from '@nestjs/common';
import { IsNull, MoreThan, Not } from 'typeorm';
import { TypeOrmUnitOfWork } from '../../database/typeorm-unit-of-work';
import { ApiTokenEntity } from './api-token.entity';

export type ApiToken = ApiTokenEntity;

export abstract class ApiTokenRepository {
  abstract insert(token: ApiToken): Promise<void>;
  abstract find(jti: string): Promise<ApiToken | null>;
  abstract list(limit: number): Promise<ApiToken[]>;
  abstract markRevoked(jti: string, by: string, at: Date): Promise<void>;
  /** Ids of revoked tokens that have not expired yet (the ones worth refusing). */
  abstract activeRevocations(now: Date): Promise<string[]>;
}

@Injectable()
export class TypeOrmApiTokenRepository extends ApiTokenRepository {
  constructor(private readonly db: TypeOrmUnitOfWork) {
    super();
  }

  async insert(token: ApiToken): Promise<void> {
    await this.db.run((m) => m.getRepository(ApiTokenEntity).insert(token));
  }

  find(jti: string): Promise<ApiToken | null> {
    return this.db.run((m) => m.getRepository(ApiTokenEntity).findOneBy({ jti }));
  }

  list(limit: number): Promise<ApiToken[]> {
    return this.db.run((m) => m.getRepository(ApiTokenEntity).find({ order: { createdAt: 'DESC' }, take: limit }));
  }

  async markRevoked(jti: string, by: string, at: Date): Promise<void> {
    await this.db.run((m) => m.getRepository(ApiTokenEntity).update({ jti }, { revokedAt: at, revokedBy: by }));
  }

  activeRevocations(now: Date): Promise<string[]> {
    return this.db.run(async (m) => {
      const rows = await m.getRepository(ApiTokenEntity).find({
        select: { jti: true },
        where: [
          { revokedAt: Not(IsNull()), expiresAt: IsNull() },
          { revokedAt: Not(IsNull()), expiresAt: MoreThan(this.db.dateParam(now) as Date) },
        ],
      });
      return rows.map((r) => r.jti);
    });
  }
}
