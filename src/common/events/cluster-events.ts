import type { CatalogChangedEvent } from './catalog-events';

/**
 * A catalog change made by another replica, re-emitted on this one as `CATALOG_CHANGED` so that local listeners
 * (MCP sessions' list_changed, ...) react to it too. A relayed event is never published again: no loops.
 */
export interface RelayedCatalogChange extends CatalogChangedEvent {
  /** Id of the replica (process) that made the change. */
  origin: string;
  /**
   * Only the kind of entity is known, not which one (changes noticed by polling the database's catalog versions):
   * `id` and `key` are `*`. A coarse change of servers is relayed as kind `gateway`, which concerns every list.
   */
  coarse?: boolean;
}

/** True for a change another replica made (relayed here), false for one made by this replica. */
export function isRelayed(event: CatalogChangedEvent): event is RelayedCatalogChange {
  return typeof (event as Partial<RelayedCatalogChange>).origin === 'string';
}

/** What a replica publishes on the Redis channel after the changes of one transaction committed. */
export interface CatalogChangeMessage {
  origin: string;
  events: CatalogChangedEvent[];
}
