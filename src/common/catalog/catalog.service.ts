import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { UnitOfWork } from '../../database/unit-of-work';
import { RequestContext } from '../context/request-context';
import { ConflictError, NotFoundError, VersionConflictError } from '../errors/domain-error';
import { CatalogAction, CatalogEvents } from '../events/catalog-events';
import { AuditTrail } from './audit-trail';
import type { AuditMetadata, CatalogItem, EntityKind, ListOptions, OffsetListOptions, OffsetPage, Page } from './catalog.model';
import type { CatalogRepository } from './catalog.repository';
import { pageSize } from './page-size';

/** Work done inside the transaction that deletes a catalog item, before its row goes. */
export type DeleteHook = (kind: EntityKind, id: string) => Promise<void>;

/** The collaborators every catalog service needs, bundled so subclasses take one argument for them. */
@Injectable()
export class CatalogSupport {
  private readonly deleteHooks: DeleteHook[] = [];

  constructor(
    readonly uow: UnitOfWork,
    readonly audit: AuditTrail,
    readonly context: RequestContext,
    readonly events: CatalogEvents,
    readonly config: AppConfig,
  ) {}

  /**
   * Registers work for every delete of any catalog item, run in its transaction before the row goes: how an owner of
   * references (virtual servers) lets go of the item through its own service (versioned, audited, published) rather
   * than leaving it to a silent foreign-key cascade.
   */
  onDelete(hook: DeleteHook): void {
    this.deleteHooks.push(hook);
  }

  /** Runs the registered delete hooks (inside the caller's transaction). */
  async beforeDelete(kind: EntityKind, id: string): Promise<void> {
    for (const hook of this.deleteHooks) await hook(kind, id);
  }
}

/** A new catalog id: a uuid4 without dashes (the reference gateway's format). */
export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

function comparable(value: unknown): string {
  return JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null));
}

/** Names of the properties of `patch` whose value differs from `current`. */
export function changedFields<T extends object>(current: T, patch: Partial<T>): string[] {
  return Object.keys(patch).filter(
    (k) => (patch as Record<string, unknown>)[k] !== undefined && comparable((current as Record<string, unknown>)[k]) !== comparable((patch as Record<string, unknown>)[k]),
  );
}

/** Fields a subclass provides when creating an item; the base fills id, audit metadata and version. */
export type NewItem<T extends CatalogItem> = Omit<T, keyof AuditMetadata | 'id' | 'enabled' | 'tags'> &
  Partial<Pick<T, 'id' | 'enabled' | 'tags'>>;

/** What a sync from a peer changed. `conflicts` lists upstream items skipped because their name was taken. */
export interface SyncCounts {
  added: number;
  updated: number;
  removed: number;
  conflicts: string[];
}

export interface CreateOptions {
  importBatchId?: string | null;
  federationSource?: string | null;
}

/**
 * Shared create/read/update/delete/toggle logic of the catalog. Every write runs in one transaction together with
 * its audit entry, stamps the audit metadata from the request context, bumps `version` under an optimistic lock,
 * and publishes a `catalog.changed` event after commit.
 */
export abstract class CatalogService<T extends CatalogItem> {
  protected abstract readonly kind: EntityKind;
  /** Label used in messages, e.g. "Tool". */
  protected abstract readonly label: string;

  protected constructor(
    protected readonly repo: CatalogRepository<T>,
    protected readonly support: CatalogSupport,
  ) {}

  /** The natural key (name or URI) reported in audit entries and events. */
  protected abstract keyOf(item: T): string;

  async get(id: string): Promise<T> {
    const item = await this.repo.findById(id);
    if (!item) throw new NotFoundError(this.label, id);
    return item;
  }

  findByKey(key: string): Promise<T | null> {
    return this.repo.findByKey(key);
  }

  findByIds(ids: string[]): Promise<T[]> {
    return this.repo.findByIds(ids);
  }

  list(options: ListOptions = {}): Promise<Page<T>> {
    return this.repo.list({ ...options, limit: this.pageSize(options.limit) });
  }

  /** An offset-paged, sorted listing with its total (admin UI); the page size is bounded like `list`. */
  listPage(options: OffsetListOptions): Promise<OffsetPage<T>> {
    return this.repo.listPage({ ...options, limit: this.pageSize(options.limit) });
  }

  count(options?: Pick<ListOptions, 'includeInactive' | 'gatewayId'>): Promise<number> {
    return this.repo.count(options);
  }

  allTags(includeInactive: boolean): ReturnType<CatalogRepository<T>['allTags']> {
    return this.repo.allTags(includeInactive);
  }

  protected pageSize(limit?: number): number {
    return pageSize(limit, this.support.config.catalog);
  }

  /** Inserts `fields` as a new item, then runs `afterInsert` in the same transaction (for associated rows). */
  protected createItem(fields: NewItem<T>, options: CreateOptions = {}, afterInsert?: (item: T) => Promise<string[] | void>): Promise<T> {
    const { uow, audit, context } = this.support;
    return uow.transaction(async () => {
      const actor = context.actor();
      const now = new Date();
      const item = {
        enabled: true,
        tags: [],
        ...fields,
        id: fields.id ?? newId(),
        createdAt: now,
        createdBy: actor.name,
        createdFromIp: actor.ip ?? null,
        createdVia: actor.via,
        createdUserAgent: actor.userAgent ?? null,
        modifiedAt: now,
        modifiedBy: actor.name,
        modifiedFromIp: actor.ip ?? null,
        modifiedVia: actor.via,
        modifiedUserAgent: actor.userAgent ?? null,
        version: 1,
        importBatchId: options.importBatchId ?? null,
        federationSource: options.federationSource ?? null,
      } as unknown as T;
      let saved = await this.repo.insert(item);
      const extra = (await afterInsert?.(saved)) ?? [];
      if (extra.length) saved = (await this.repo.findById(saved.id))!;
      const given = Object.keys(fields).filter((k) => (fields as Record<string, unknown>)[k] !== null && (fields as Record<string, unknown>)[k] !== undefined);
      await audit.record(this.kind, saved.id, this.keyOf(saved), 'create', [...given, ...extra]);
      this.publish(saved, 'create');
      return saved;
    });
  }

  /**
   * Updates an item in one transaction. `change` computes the patch from the current state and may touch
   * associated rows, returning the names of any extra fields it changed. Nothing changes → no version bump.
   * `expectedVersion`, when given, must match the stored version (409 otherwise).
   */
  protected modifyItem(
    id: string,
    change: (current: T) => Promise<{ patch: Partial<T>; extraChanges?: string[] }> | { patch: Partial<T>; extraChanges?: string[] },
    options: { expectedVersion?: number; action?: 'update' | 'enable' | 'disable' | 'rollback' } = {},
  ): Promise<T> {
    const { uow, audit, context } = this.support;
    return uow.transaction(async () => {
      const current = await this.get(id);
      if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
        throw new VersionConflictError(this.label, id, options.expectedVersion, current.version);
      }
      const { patch, extraChanges = [] } = await change(current);
      const changed = [...changedFields(current, patch), ...extraChanges];
      if (changed.length === 0) return current;
      const actor = context.actor();
      const updated = await this.repo.update(id, current.version, {
        ...patch,
        modifiedAt: new Date(),
        modifiedBy: actor.name,
        modifiedFromIp: actor.ip ?? null,
        modifiedVia: actor.via,
        modifiedUserAgent: actor.userAgent ?? null,
      });
      if (!updated) throw new VersionConflictError(this.label, id, current.version);
      const action = options.action ?? 'update';
      await audit.record(this.kind, id, this.keyOf(updated), action, changed);
      // A rollback is audited as such; to listeners it is an update like any other.
      this.publish(updated, action === 'rollback' ? 'update' : action);
      return updated;
    });
  }

  async remove(id: string): Promise<void> {
    const { uow, audit } = this.support;
    await uow.transaction(async () => {
      const current = await this.get(id);
      await this.beforeDelete(current);
      await this.support.beforeDelete(this.kind, id);
      if (!(await this.repo.delete(id))) throw new NotFoundError(this.label, id);
      await audit.record(this.kind, id, this.keyOf(current), 'delete', []);
      this.publish(current, 'delete');
    });
  }

  /**
   * Makes the items synced from one peer match `desired`: inserts new ones, updates the `compared` fields of known
   * ones (matched by `matchKey`, the upstream identity), deletes the ones the peer no longer has. Runs in one
   * transaction. A desired item whose natural key (name/URI) belongs to another entity is a conflict: with
   * `onConflict: 'fail'` it raises a 409 naming both, with `'skip'` it is left out and reported.
   */
  protected syncFromPeer(
    gatewayId: string,
    source: string,
    desired: Array<NewItem<T>>,
    matchKey: (item: Pick<T, keyof T>) => string,
    compared: Array<keyof T>,
    onConflict: 'fail' | 'skip',
  ): Promise<SyncCounts> {
    return this.support.uow.transaction(async () => {
      const counts: SyncCounts = { added: 0, updated: 0, removed: 0, conflicts: [] };
      const existing = new Map((await this.repo.findByGateway(gatewayId)).map((e) => [matchKey(e), e]));
      for (const item of desired) {
        const key = matchKey(item as Pick<T, keyof T>);
        const current = existing.get(key);
        existing.delete(key);
        if (current) {
          const patch: Partial<T> = {};
          for (const field of compared) (patch as Record<string, unknown>)[field as string] = (item as Record<string, unknown>)[field as string];
          if (changedFields(current, patch).length) {
            await this.modifyItem(current.id, () => ({ patch }));
            counts.updated++;
          }
          continue;
        }
        const natural = this.keyOf(item as unknown as T);
        const taken = await this.repo.findByKey(natural);
        if (taken) {
          const owner = taken.federationSource ? `from peer '${taken.federationSource}'` : 'defined locally';
          const message = `Peer '${source}' exposes ${this.label.toLowerCase()} '${natural}', which conflicts with an existing ${this.label.toLowerCase()} of that name (${owner})`;
          if (onConflict === 'fail') throw new ConflictError(message, { [this.kind]: natural, peer: source });
          counts.conflicts.push(message);
          continue;
        }
        await this.createItem(item, { federationSource: source });
        counts.added++;
      }
      for (const stale of existing.values()) {
        await this.remove(stale.id);
        counts.removed++;
      }
      return counts;
    });
  }

  /** Hook run inside the delete transaction, before the row goes. */
  protected async beforeDelete(_item: T): Promise<void> {}

  setEnabled(id: string, enabled: boolean): Promise<T> {
    return this.modifyItem(id, () => ({ patch: { enabled } as Partial<T> }), { action: enabled ? 'enable' : 'disable' });
  }

  protected publish(item: T, action: CatalogAction): void {
    this.support.events.changed({ kind: this.kind, id: item.id, key: this.keyOf(item), action });
  }
}
