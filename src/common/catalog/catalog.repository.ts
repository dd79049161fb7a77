import type { CatalogItem, ListOptions, OffsetListOptions, OffsetPage, Page } from './catalog.model';

/** Listing options after the service has applied defaults and bounds. */
export type ResolvedListOptions = ListOptions & { limit: number };

/**
 * Storage contract shared by every catalog aggregate. Each module declares an abstract subclass as its DI token
 * (e.g. `ToolRepository`) and binds a TypeORM implementation. Methods return plain typed objects.
 */
export abstract class CatalogRepository<T extends CatalogItem> {
  abstract findById(id: string): Promise<T | null>;
  abstract findByIds(ids: string[]): Promise<T[]>;
  /** Looks an item up by its unique natural key (name, or URI for resources). */
  abstract findByKey(key: string): Promise<T | null>;
  abstract list(options: ResolvedListOptions): Promise<Page<T>>;
  /** Filtered, sorted, offset-paged listing with the total count, filtering and sorting done by the database. */
  abstract listPage(options: OffsetListOptions): Promise<OffsetPage<T>>;
  abstract count(options?: Pick<ListOptions, 'includeInactive' | 'gatewayId'>): Promise<number>;
  /** Inserts a new item; a duplicate natural key raises `ConflictError`. */
  abstract insert(item: T): Promise<T>;
  /**
   * Applies `patch` and increments `version`, only if the stored version is still `expectedVersion`.
   * Returns the updated item, or `null` when the version moved on (or the item is gone).
   */
  abstract update(id: string, expectedVersion: number, patch: Partial<T>): Promise<T | null>;
  abstract delete(id: string): Promise<boolean>;
  /** Every item synced from the given peer (federated tables only). */
  abstract findByGateway(gatewayId: string): Promise<T[]>;
  /** Tag lists of all items (for the `/tags` aggregate). */
  abstract allTags(includeInactive: boolean): Promise<Array<Pick<T, 'id' | 'tags'> & { name: string }>>;
}
