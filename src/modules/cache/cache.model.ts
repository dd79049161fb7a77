import { randomBytes } from 'node:crypto';
import type { EntityKind } from '../../common/catalog/catalog.model';

/** The caches, each named in `cache_hits_total{cache=...}` / `cache_misses_total{cache=...}`. */
export type CacheNamespace = 'catalog' | 'resource' | 'fetch' | 'peer';

/** Every kind of catalog entity carries a version token, replaced (never reused) whenever one of them changes. */
export const VERSIONED_KINDS: readonly EntityKind[] = ['tool', 'resource', 'prompt', 'server', 'gateway'];

/** The current version token of each kind of entity. */
export type CatalogVersions = Record<EntityKind, string>;

/**
 * The kinds of entity a namespace's values are computed from: their version tokens are part of each key, so a
 * change of any of them makes every older key unreachable (versioned keys: nothing is deleted by pattern).
 */
export const NAMESPACE_DEPENDENCIES: Record<CacheNamespace, readonly EntityKind[]> = {
  // Listings filter by virtual-server membership and by the state of the peers that entities come from.
  catalog: ['tool', 'resource', 'prompt', 'server', 'gateway'],
  resource: ['resource', 'server', 'gateway'],
  // Content fetched for HTTP-backed resources: refetched after any change of a resource (URL, TTL, refresh).
  fetch: ['resource'],
  peer: ['gateway'],
};

/** A fresh version token: 48 random bits, so a token is never seen twice (not even after Redis lost its data). */
export function newVersionToken(): string {
  return randomBytes(6).toString('base64url');
}
