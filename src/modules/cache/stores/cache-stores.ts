import KeyvRedis from '@keyv/redis';
import { createKeyv as createMemoryKeyv } from '@cacheable/memory';
import { Logger } from '@nestjs/common';
import { Keyv, KeyvHooks } from 'keyv';
import type { AppConfig } from '../../../config/app-config';
import type { RedisService } from '../../../common/redis/redis.service';
import type { CacheEntryRepository } from '../repositories/cache-entry.repository';
import { DatabaseKeyvStore } from './database-keyv.store';
import { RedisLruKeyvStore } from './redis-lru.store';

/**
 * The Keyv store of the configured backend, handed to @nestjs/cache-manager:
 * - memory: `@cacheable/memory` (LRU of CACHE_MAX_ITEMS, TTL checked on read, values cloned in and out so callers
 *   cannot change what is cached);
 * - redis: `@keyv/redis` values plus an LRU index (RedisLruKeyvStore);
 * - database: the `cache_entries` table (DatabaseKeyvStore);
 * - none: no store (GatewayCache does not call the cache manager at all).
 */
export function createCacheStore(config: AppConfig, redis: RedisService, entries: CacheEntryRepository): Keyv | undefined {
  const { type, ttlMs: ttl, maxItems } = config.cache;
  const logger = new Logger('Cache');
  let keyv: Keyv;
  switch (type) {
    case 'none':
      return undefined;
    case 'memory':
      keyv = createMemoryKeyv({ ttl, lruSize: maxItems, useClone: true });
      // The store clones what it returns; this clones what it is given (the caller keeps using its object).
      keyv.hooks.addHandler(KeyvHooks.PRE_SET, (data: { value: unknown }) => (data.value = structuredClone(data.value)));
      break;
    case 'redis': {
      const values = new KeyvRedis<string>(
        { url: config.redis.url!, disableOfflineQueue: true, socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) } },
        { throwOnConnectError: false, throwOnErrors: true, connectionTimeout: 5000 },
      );
      keyv = new Keyv({ store: new RedisLruKeyvStore(values, redis.client!, config.redis.prefix, { ttl, maxItems }), ttl, useKeyPrefix: false, namespace: undefined, throwOnErrors: true });
      break;
    }
    case 'database':
      keyv = new Keyv({ store: new DatabaseKeyvStore(entries, { ttl, maxItems }), ttl, useKeyPrefix: false, namespace: undefined, throwOnErrors: true });
      break;
  }
  keyv.on('error', (err: unknown) => logger.debug(`cache store: ${err instanceof Error ? err.message : String(err)}`));
  return keyv;
}
