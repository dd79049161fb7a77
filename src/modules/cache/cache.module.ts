import { CacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RedisService } from '../../common/redis/redis.service';
import { AppConfig } from '../../config/app-config';
import { TypeOrmUnitOfWork } from '../../database/typeorm-unit-of-work';
import { CacheCoherenceInterceptor } from './cache-coherence.interceptor';
import { CatalogCoherence } from './catalog-coherence.service';
import { GatewayCache } from './gateway-cache.service';
import { CacheEntryEntity } from './persistence/cache-entry.entity';
import { CatalogVersionEntity } from './persistence/catalog-version.entity';
import { CacheEntryRepository, TypeOrmCacheEntryRepository } from './repositories/cache-entry.repository';
import { CatalogVersionRepository, RedisCatalogVersionRepository, TypeOrmCatalogVersionRepository } from './repositories/catalog-version.repository';
import { createCacheStore } from './stores/cache-stores';

/**
 * Caching of catalog listings, resource reads and peer lookups (GatewayCache), kept coherent across replicas by
 * versioned keys and a relay of catalog changes (CatalogCoherence) over Redis pub/sub (ClusterRelay, from the Redis
 * module). Global: any module may cache through it.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([CacheEntryEntity, CatalogVersionEntity]),
    CacheModule.registerAsync({
      extraProviders: [{ provide: CacheEntryRepository, useClass: TypeOrmCacheEntryRepository }],
      inject: [AppConfig, RedisService, CacheEntryRepository],
      useFactory: (config: AppConfig, redis: RedisService, entries: CacheEntryRepository) => {
        const store = createCacheStore(config, redis, entries);
        return { ttl: config.cache.ttlMs, ...(store ? { stores: [store] } : {}) };
      },
    }),
  ],
  providers: [
    {
      provide: CatalogVersionRepository,
      inject: [RedisService, TypeOrmUnitOfWork],
      useFactory: (redis: RedisService, db: TypeOrmUnitOfWork) =>
        redis.client ? new RedisCatalogVersionRepository(redis.client, redis.prefix) : new TypeOrmCatalogVersionRepository(db),
    },
    CatalogCoherence,
    GatewayCache,
    { provide: APP_INTERCEPTOR, useClass: CacheCoherenceInterceptor },
  ],
  exports: [GatewayCache, CatalogCoherence],
})
export class GatewayCacheModule {}
