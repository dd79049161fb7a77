import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { In } from 'typeorm';
import type { EntityKind } from '../../../common/catalog/catalog.model';
import { isUniqueViolation } from '../../../database/database-errors';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import { type CatalogVersions, newVersionToken, VERSIONED_KINDS } from '../cache.model';
import { CatalogVersionEntity } from '../persistence/catalog-version.entity';

/**
 * Where the replicas share the catalog's version tokens: Redis when configured, otherwise the database.
 * A kind without a token yet (a fresh database, a Redis that lost its data) gets a new one on first read.
 */
export abstract class CatalogVersionRepository {
  abstract read(): Promise<CatalogVersions>;
  /** Gives every kind in `kinds` the token `token`. */
  abstract write(kinds: readonly EntityKind[], token: string): Promise<void>;
}

@Injectable()
export class TypeOrmCatalogVersionRepository extends CatalogVersionRepository {
  constructor(private readonly db: TypeOrmUnitOfWork) {
    super();
  }

  async read(): Promise<CatalogVersions> {
    const rows = await this.db.run((m) => m.getRepository(CatalogVersionEntity).find());
    const versions = Object.fromEntries(rows.map((r) => [r.kind, r.token])) as Partial<CatalogVersions>;
    const missing = VERSIONED_KINDS.filter((k) => !versions[k]);
    if (missing.length === 0) return versions as CatalogVersions;
    await this.insertMissing(missing);
    return this.read();
  }

  async write(kinds: readonly EntityKind[], token: string): Promise<void> {
    const updated = await this.db.run((m) => m.getRepository(CatalogVersionEntity).update({ kind: In([...kinds]) }, { token }));
    if ((updated.affected ?? 0) < kinds.length) await this.insertMissing(kinds, token);
  }

  private async insertMissing(kinds: readonly EntityKind[], token = newVersionToken()): Promise<void> {
    for (const kind of kinds) {
      await this.db
        .run((m) => m.getRepository(CatalogVersionEntity).insert({ kind, token }))
        .catch((err: unknown) => {
          // Another replica (or an earlier statement) created it: the row is there, which is all we need.
          if (!isUniqueViolation(err)) throw err;
        });
    }
  }
}

/** Version tokens in Redis (`<prefix>cache:version:<kind>`): one MGET per read, one MSET per change. */
export class RedisCatalogVersionRepository extends CatalogVersionRepository {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
  }

  private key(kind: EntityKind): string {
    return `${this.prefix}cache:version:${kind}`;
  }

  async read(): Promise<CatalogVersions> {
    const values = await this.redis.mget(...VERSIONED_KINDS.map((k) => this.key(k)));
    const missing = VERSIONED_KINDS.filter((_, i) => !values[i]);
    if (missing.length === 0) return Object.fromEntries(VERSIONED_KINDS.map((k, i) => [k, values[i]])) as CatalogVersions;
    // NX: when two replicas race to create a token, both end up reading the one that won.
    await Promise.all(missing.map((k) => this.redis.set(this.key(k), newVersionToken(), 'NX')));
    return this.read();
  }

  async write(kinds: readonly EntityKind[], token: string): Promise<void> {
    await this.redis.mset(...kinds.flatMap((k) => [this.key(k), token]));
  }
}
