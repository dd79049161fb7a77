import type { ChangeSource } from '../context/request-context';

/** Who created and last modified an entity, from where and how; plus its change counter. */
export interface AuditMetadata {
  createdAt: Date;
  createdBy: string | null;
  createdFromIp: string | null;
  createdVia: ChangeSource | null;
  createdUserAgent: string | null;
  modifiedAt: Date;
  modifiedBy: string | null;
  modifiedFromIp: string | null;
  modifiedVia: ChangeSource | null;
  modifiedUserAgent: string | null;
  /** Starts at 1 and grows by one on every update; an update naming a stale version fails with 409. */
  version: number;
  importBatchId: string | null;
  /** Name of the peer gateway this entity was synced from, for federated entities. */
  federationSource: string | null;
}

/** Fields shared by tools, resources, prompts, virtual servers and gateways. */
export interface CatalogItem extends AuditMetadata {
  id: string;
  enabled: boolean;
  tags: string[];
}

export type EntityKind = 'tool' | 'resource' | 'prompt' | 'server' | 'gateway';

/** Options common to every catalog listing. */
export interface ListOptions {
  includeInactive?: boolean;
  /** Matches items carrying any of these tags. */
  tags?: string[];
  /** `undefined`: any; `null`: only local items (not federated); a string: items of that peer. */
  gatewayId?: string | null;
  /** Case-insensitive substring of the item's sort key (name or URI). */
  search?: string;
  /** Page size; `0` means "all" (still bounded by the configured maximum). */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

/** Sort directions of an offset-paged listing. */
export type SortOrder = 'asc' | 'desc';

/** An offset-paged listing (admin UI): filters of `ListOptions`, a sort column and a page window. */
export interface OffsetListOptions extends Pick<ListOptions, 'includeInactive' | 'tags' | 'gatewayId' | 'search'> {
  /** Entity property to sort by; must be one of the repository's sortable properties (else the natural key). */
  sort?: string;
  order?: SortOrder;
  offset: number;
  limit: number;
}

/** One window of an offset-paged listing and the number of items matching the filters. */
export interface OffsetPage<T> {
  items: T[];
  total: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Values a service fills in for the audit metadata of a new or changed entity. */
export type AuditStamp = Partial<Omit<AuditMetadata, 'version'>>;
