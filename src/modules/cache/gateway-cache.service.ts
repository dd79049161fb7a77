import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityKind } from '../../common/catalog/catalog.model';
import { AppConfig } from '../../config/app-config';
import { GatewayMetrics } from '../../observability/metrics/gateway-metrics.service';
import { type CacheNamespace, NAMESPACE_DEPENDENCIES } from './cache.model';
import { CatalogCoherence } from './catalog-coherence.service';

/** Longer keys are hashed (the database backend's key column holds 255 characters). */
const MAX_KEY_LENGTH = 200;
const WARN_EVERY_MS = 10_000;

/**
 * The gateway's cache (CACHE_TYPE memory, redis or database, through @nestjs/cache-manager and Keyv; `none` turns
 * it off). `wrap` returns the cached value of a key or computes and stores it. Keys carry the current version
 * tokens of the entity kinds their namespace depends on, so a value is never served after a change of them, on any
 * replica. Values must be plain JSON (they may travel through Redis or the database).
 */
@Injectable()
export class GatewayCache {
  private readonly logger = new Logger('Cache');
  private readonly enabled: boolean;
  private readonly ttlMs: number;
  private readonly loading = new Map<string, Promise<unknown>>();
  private lastWarning = 0;

  constructor(
    @Inject(CACHE_MANAGER) private readonly manager: Cache,
    private readonly coherence: CatalogCoherence,
    private readonly metrics: GatewayMetrics,
    config: AppConfig,
  ) {
    this.enabled = config.cache.type !== 'none';
    this.ttlMs = config.cache.ttlMs;
  }

  /**
   * The value cached under `key` in `namespace`, or `compute()`'s result (then cached). Concurrent misses of one
   * key in this replica share one computation. If the cache cannot be used (Redis or the database unreachable),
   * the value is computed: the cache never makes a request fail, nor serve an old value. `ttlMs` shortens the
   * value's life below CACHE_TTL; a longer one is capped at CACHE_TTL (no value outlives it, in any store).
   */
  async wrap<T>(namespace: CacheNamespace, key: string, compute: () => Promise<T>, options: { ttlMs?: number } = {}): Promise<T> {
    if (!this.enabled) return compute();
    const fullKey = await this.currentKey(namespace, key);
    if (fullKey === undefined) return compute();
    const cached = await this.manager.get<T>(fullKey).catch((err: Error) => this.warn(`cache read failed: ${err.message}`));
    this.metrics.cacheLookup(namespace, cached !== undefined);
    if (cached !== undefined) return cached;
    let loading = this.loading.get(fullKey) as Promise<T> | undefined;
    if (!loading) {
      loading = compute().then(async (value) => {
        await this.store(fullKey, value, options.ttlMs);
        return value;
      });
      const running = loading;
      this.loading.set(fullKey, running);
      void running.then(
        () => this.loading.delete(fullKey),
        () => this.loading.delete(fullKey),
      );
    }
    return loading;
  }

  /**
   * Stores a value computed elsewhere (e.g. content fetched by a refresh) as the current one for `key`, replacing
   * what is cached; not a lookup, so it moves no hit/miss counter. Best effort, like every cache write.
   */
  async put<T>(namespace: CacheNamespace, key: string, value: T, options: { ttlMs?: number } = {}): Promise<void> {
    if (!this.enabled) return;
    const fullKey = await this.currentKey(namespace, key);
    if (fullKey !== undefined) await this.store(fullKey, value, options.ttlMs);
  }

  /** The key of `key` under the catalog's current versions; undefined (do not cache) when they are unavailable. */
  private async currentKey(namespace: CacheNamespace, key: string): Promise<string | undefined> {
    try {
      await this.coherence.settled();
      return this.keyOf(namespace, key, await this.coherence.currentVersions());
    } catch (err) {
      return this.warn(`catalog versions unavailable, not caching: ${(err as Error).message}`);
    }
  }

  private async store(fullKey: string, value: unknown, ttlMs = this.ttlMs): Promise<void> {
    if (value === undefined) return;
    await this.manager.set(fullKey, value, Math.min(ttlMs, this.ttlMs)).catch((err: Error) => this.warn(`cache write failed: ${err.message}`));
  }

  /** Outdates every value computed from these kinds of entity (e.g. after a change of peer reachability). */
  invalidate(...kinds: EntityKind[]): Promise<void> {
    return this.coherence.invalidate(kinds);
  }

  private keyOf(namespace: CacheNamespace, key: string, versions: Record<EntityKind, string>): string {
    const tokens = NAMESPACE_DEPENDENCIES[namespace].map((k) => versions[k]).join('.');
    const full = `${namespace}:${this.coherence.salt}${tokens}:${key}`;
    return full.length <= MAX_KEY_LENGTH ? full : `${namespace}:${this.coherence.salt}${tokens}:#${createHash('sha256').update(key).digest('base64url')}`;
  }

  private warn(message: string): undefined {
    if (Date.now() - this.lastWarning > WARN_EVERY_MS) {
      this.lastWarning = Date.now();
      this.logger.warn(message);
    }
    return undefined;
  }
}
