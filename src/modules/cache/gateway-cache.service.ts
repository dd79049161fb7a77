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
    let fullKey: string;
    try {
      await this.coherence.settled();
      fullKey = this.keyOf(namespace, key, await this.coherence.currentVersions());
    } catch (err) {
      this.warn(`catalog versions unavailable, not caching: ${(err as Error).message}`);
      return compute();
    }
    const cached = await this.manager.get<T>(fullKey).catch((err: Error) => this.warn(`cache read failed: ${err.message}`));
    this.metrics.cacheLookup(namespace, cached !== undefined);
    if (cached !== undefined) return cached;
    let loading = this.loading.get(fullKey) as Promise<T> | undefined;
    if (!loading) {
      const ttlMs = Math.min(options.ttlMs ?? this.ttlMs, this.ttlMs);
      loading = compute().then(async (value) => {
        if (value !== undefined) await this.manager.set(fullKey, value, ttlMs).catch((err: Error) => this.warn(`cache write failed: ${err.message}`));
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
