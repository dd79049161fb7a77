import { Brackets, EntityManager, In, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import type { CatalogItem, ListOptions, OffsetListOptions, OffsetPage, Page } from '../common/catalog/catalog.model';
import type { ResolvedListOptions } from '../common/catalog/catalog.repository';
import { decodeCursor, encodeCursor } from '../common/catalog/cursor';
import { ConflictError } from '../common/errors/domain-error';
import type { CatalogEntityBase } from './catalog-entity.base';
import { isPrimaryKeyViolation, isUniqueViolation } from './database-errors';
import { TypeOrmUnitOfWork } from './typeorm-unit-of-work';

export interface CatalogTableOptions {
  /** Human label used in error messages ("tool", "resource", ...). */
  label: string;
  /** Property holding the unique natural key, also the listing order and the cursor. */
  keyProperty: 'name' | 'uri';
  /** Whether the table has a `gatewayId` column (federated entities). */
  federated: boolean;
  /** Columns left out of listings (large content), loaded only by `findById`. */
  heavyColumns?: string[];
}

/** LIKE pattern for a literal substring, escaped with `!` (portable across SQLite, PostgreSQL and MySQL). */
export function likeContains(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * The TypeORM implementation of `CatalogRepository`, shared by every catalog table. Queries run through the
 * unit of work so they join the caller's transaction (and are serialized on SQLite).
 */
export abstract class TypeOrmCatalogRepository<T extends CatalogItem, E extends CatalogEntityBase & T & ObjectLiteral> {
  protected constructor(
    protected readonly db: TypeOrmUnitOfWork,
    protected readonly entity: new () => E,
    protected readonly table: CatalogTableOptions,
  ) {}

  protected repo(manager: EntityManager): Repository<E> {
    return manager.getRepository(this.entity);
  }

  /** Property names selected in listings: every column but the heavy ones. */
  private listSelect(manager: EntityManager): string[] {
    const heavy = new Set(this.table.heavyColumns ?? []);
    return manager.connection
      .getMetadata(this.entity)
      .columns.map((c) => c.propertyName)
      .filter((p) => !heavy.has(p))
      .map((p) => `e.${p}`);
  }

  findById(id: string): Promise<T | null> {
    return this.db.run((m) => this.repo(m).findOneBy({ id } as never));
  }

  findByIds(ids: string[]): Promise<T[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.run((m) => this.repo(m).findBy({ id: In(ids) } as never));
  }

  findByKey(key: string): Promise<T | null> {
    return this.db.run((m) => this.repo(m).findOneBy({ [this.table.keyProperty]: key } as never));
  }

  /** Applies the filters shared by listings and counts. Subclasses may add their own through `filter()`. */
  protected applyFilters(qb: SelectQueryBuilder<E>, options: ListOptions): SelectQueryBuilder<E> {
    if (!options.includeInactive) qb.andWhere('e.enabled = :enabled', { enabled: true });
    if (this.table.federated && options.gatewayId !== undefined) {
      if (options.gatewayId === null) qb.andWhere('e.gatewayId IS NULL');
      else qb.andWhere('e.gatewayId = :gatewayId', { gatewayId: options.gatewayId });
    }
    const tags = options.tags ?? [];
    if (tags.length) {
      // Tags are stored as a JSON array of normalised strings (no quotes or backslashes), so `"tag"` matches one element exactly.
      qb.andWhere(
        new Brackets((b) => {
          tags.forEach((tag, i) => b.orWhere(`e.tags LIKE :tag${i} ESCAPE '!'`, { [`tag${i}`]: likeContains(JSON.stringify(tag)) }));
        }),
      );
    }
    if (options.search) {
      qb.andWhere(`LOWER(e.${this.table.keyProperty}) LIKE :search ESCAPE '!'`, { search: likeContains(options.search.toLowerCase()) });
    }
    return this.filter(qb, options);
  }

  /** Hook for subclass-specific filters. */
  protected filter(qb: SelectQueryBuilder<E>, _options: ListOptions): SelectQueryBuilder<E> {
    return qb;
  }

  findByGateway(gatewayId: string): Promise<T[]> {
    if (!this.table.federated) return Promise.resolve([]);
    return this.db.run((m) => this.repo(m).findBy({ gatewayId } as never));
  }

  list(options: ResolvedListOptions): Promise<Page<T>> {
    const key = this.table.keyProperty;
    return this.db.run(async (m) => {
      const qb = this.applyFilters(this.repo(m).createQueryBuilder('e').select(this.listSelect(m)), options);
      if (options.cursor) qb.andWhere(`e.${key} > :after`, { after: decodeCursor(options.cursor, 'string') });
      const rows = await qb.orderBy(`e.${key}`, 'ASC').limit(options.limit + 1).getMany();
      const items = rows.slice(0, options.limit) as unknown as T[];
      const last = items[items.length - 1] as unknown as Record<string, string> | undefined;
      return { items, nextCursor: rows.length > options.limit && last ? encodeCursor(last[key]) : null };
    });
  }

  /** Properties an offset listing may sort by (indexed by the AdminIndexes migration). */
  static readonly SORTABLE = ['name', 'uri', 'createdAt', 'modifiedAt', 'enabled'];

  listPage(options: OffsetListOptions): Promise<OffsetPage<T>> {
    const key = this.table.keyProperty;
    const order = options.order === 'desc' ? 'DESC' : 'ASC';
    return this.db.run(async (m) => {
      const columns = new Set(m.connection.getMetadata(this.entity).columns.map((c) => c.propertyName));
      const sort = options.sort && TypeOrmCatalogRepository.SORTABLE.includes(options.sort) && columns.has(options.sort) ? options.sort : key;
      const qb = this.applyFilters(this.repo(m).createQueryBuilder('e').select(this.listSelect(m)), options);
      qb.orderBy(`e.${sort}`, order);
      if (sort !== key) qb.addOrderBy(`e.${key}`, 'ASC');
      const [items, total] = await qb.offset(Math.max(0, options.offset)).limit(options.limit).getManyAndCount();
      return { items: items as unknown as T[], total };
    });
  }

  count(options: Pick<ListOptions, 'includeInactive' | 'gatewayId'> = { includeInactive: true }): Promise<number> {
    return this.db.run((m) => this.applyFilters(this.repo(m).createQueryBuilder('e'), options).getCount());
  }

  async insert(item: T): Promise<T> {
    try {
      await this.db.run((m) => this.repo(m).insert(item as never));
    } catch (err) {
      throw this.translate(err, item);
    }
    return (await this.findById(item.id))!;
  }

  async update(id: string, expectedVersion: number, patch: Partial<T>): Promise<T | null> {
    const { id: _id, version: _v, ...values } = patch as Partial<T> & { id?: string; version?: number };
    let affected: number | undefined;
    try {
      const result = await this.db.run((m) =>
        this.repo(m).update({ id, version: expectedVersion } as never, { ...values, version: expectedVersion + 1 } as never),
      );
      affected = result.affected;
    } catch (err) {
      throw this.translate(err, patch);
    }
    return affected ? this.findById(id) : null;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.run((m) => this.repo(m).delete({ id } as never));
    return !!result.affected;
  }

  allTags(includeInactive: boolean): Promise<Array<Pick<T, 'id' | 'tags'> & { name: string }>> {
    const key = this.table.keyProperty;
    return this.db.run(async (m) => {
      const qb = this.repo(m).createQueryBuilder('e').select(['e.id', 'e.tags', `e.${key}`]);
      if (!includeInactive) qb.where('e.enabled = :enabled', { enabled: true });
      const rows = (await qb.getMany()) as unknown as Array<T & Record<string, string>>;
      return rows.filter((r) => r.tags.length).map((r) => ({ id: r.id, tags: r.tags, name: r[key] }));
    });
  }

  /** Turns a unique-key violation into a 409 naming the duplicate field (the id, or the natural key); other errors pass through. */
  protected translate(err: unknown, item: Partial<T>): unknown {
    if (!isUniqueViolation(err)) return err;
    const key = this.table.keyProperty;
    const value = (item as Record<string, unknown>)[key];
    if (isPrimaryKeyViolation(err) || value === undefined) {
      const id = (item as Record<string, unknown>).id;
      return new ConflictError(`A ${this.table.label} with ${id !== undefined ? `id '${String(id)}'` : 'this id'} already exists`, { field: 'id' });
    }
    return new ConflictError(`A ${this.table.label} with ${key} '${String(value)}' already exists`, { field: key });
  }
}
