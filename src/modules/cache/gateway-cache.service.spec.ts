import { Logger } from '@nestjs/common';
import { createCache } from 'cache-manager';
import type { RedisService } from '../../common/redis/redis.service';
import type { Cache } from '@nestjs/cache-manager';
import { loadConfig } from '../../config/app-config';
import type { GatewayMetrics } from '../../observability/metrics/gateway-metrics.service';
import { type CatalogVersions, VERSIONED_KINDS } from './cache.model';
import type { CatalogCoherence } from './catalog-coherence.service';
import { GatewayCache } from './gateway-cache.service';
import type { CacheEntryRepository } from './repositories/cache-entry.repository';
import { createCacheStore } from './stores/cache-stores';

function setup(env: Record<string, string> = {}) {
  const config = loadConfig({ CACHE_MAX_ITEMS: '100', ...env });
  // The memory backend as the module builds it (the only collaborator used for real).
  const store = createCacheStore(config, {} as RedisService, {} as CacheEntryRepository);
  const manager = createCache({ ...(store ? { stores: [store] } : {}), ttl: config.cache.ttlMs });
  const versions = Object.fromEntries(VERSIONED_KINDS.map((k) => [k, `v-${k}`])) as CatalogVersions;
  const coherence = {
    salt: '',
    unavailable: false,
    settled: jest.fn(async () => undefined),
    currentVersions: jest.fn(async () => {
      if (coherence.unavailable) throw new Error('redis down');
      return { ...versions };
    }),
    invalidate: jest.fn(async () => undefined),
  };
  const lookups: Array<[string, boolean]> = [];
  const metrics = { cacheLookup: (cache: string, hit: boolean) => lookups.push([cache, hit]) };
  const cache = new GatewayCache(manager as unknown as Cache, coherence as unknown as CatalogCoherence, metrics as unknown as GatewayMetrics, config);
  return { cache, versions, coherence, lookups, manager };
}

describe('GatewayCache', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('computes once, then answers from the cache, counting hits and misses per namespace', async () => {
    const { cache, lookups } = setup();
    const compute = jest.fn(async () => ({ tools: ['a'] }));
    expect(await cache.wrap('catalog', 'tools', compute)).toEqual({ tools: ['a'] });
    expect(await cache.wrap('catalog', 'tools', compute)).toEqual({ tools: ['a'] });
    expect(compute).toHaveBeenCalledTimes(1);
    expect(lookups).toEqual([
      ['catalog', false],
      ['catalog', true],
    ]);
  });

  it('put stores a value computed elsewhere as the current one, replacing the cached value, without counting a lookup', async () => {
    const { cache, lookups } = setup();
    await cache.wrap('fetch', 'r1|url', async () => 'old');
    await cache.put('fetch', 'r1|url', 'new');
    const compute = jest.fn(async () => 'computed');
    expect(await cache.wrap('fetch', 'r1|url', compute)).toBe('new');
    expect(compute).not.toHaveBeenCalled();
    expect(lookups).toEqual([
      ['fetch', false],
      ['fetch', true],
    ]);
  });

  it('put is a no-op while the catalog versions are unavailable (never stores under a stale key)', async () => {
    const { cache, coherence, manager } = setup();
    coherence.unavailable = true;
    const set = jest.spyOn(manager, 'set');
    await cache.put('fetch', 'r1|url', 'new');
    expect(set).not.toHaveBeenCalled();
  });

  it('waits for this replica\'s own pending changes before reading the versions', async () => {
    const { cache, coherence } = setup();
    const order: string[] = [];
    coherence.settled.mockImplementation(async () => void order.push('settled'));
    coherence.currentVersions.mockImplementationOnce(async () => (order.push('versions'), Object.fromEntries(VERSIONED_KINDS.map((k) => [k, 'x'])) as CatalogVersions));
    await cache.wrap('peer', 'states', async () => 1);
    expect(order).toEqual(['settled', 'versions']);
  });

  it('recomputes after a version its namespace depends on changed, and only then', async () => {
    const { cache, versions } = setup();
    let n = 0;
    const compute = async () => ++n;
    expect(await cache.wrap('peer', 'states', compute)).toBe(1);
    versions.tool = 'v2';
    expect(await cache.wrap('peer', 'states', compute)).toBe(1);
    versions.gateway = 'v2';
    expect(await cache.wrap('peer', 'states', compute)).toBe(2);
    expect(await cache.wrap('catalog', 'tools', compute)).toBe(3);
    versions.prompt = 'v3';
    expect(await cache.wrap('catalog', 'tools', compute)).toBe(4);
  });

  it('returns copies: a caller changing its value does not change the cached one', async () => {
    const { cache } = setup();
    const first = await cache.wrap('catalog', 'k', async () => ({ list: [1] }));
    first.list.push(2);
    expect(await cache.wrap('catalog', 'k', async () => ({ list: [9] }))).toEqual({ list: [1] });
  });

  it('shares one computation between concurrent misses of a key', async () => {
    const { cache } = setup();
    let release!: (v: string) => void;
    const compute = jest.fn(() => new Promise<string>((r) => (release = r)));
    const both = Promise.all([cache.wrap('resource', 'r', compute), cache.wrap('resource', 'r', compute)]);
    await new Promise((r) => setImmediate(r));
    release('content');
    expect(await both).toEqual(['content', 'content']);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('computes without caching while the versions cannot be read, and does not swallow compute errors', async () => {
    const { cache, coherence, lookups } = setup();
    coherence.unavailable = true;
    let n = 0;
    expect(await cache.wrap('catalog', 'k', async () => ++n)).toBe(1);
    expect(await cache.wrap('catalog', 'k', async () => ++n)).toBe(2);
    expect(lookups).toEqual([]);
    coherence.unavailable = false;
    await expect(cache.wrap('catalog', 'k', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.wrap('catalog', 'k', async () => ++n)).toBe(3);
  });

  it("stores a value for its own TTL when shorter than CACHE_TTL, and for CACHE_TTL at most", async () => {
    const { cache, manager } = setup({ CACHE_TTL: '5' });
    const set = jest.spyOn(manager, 'set');
    await cache.wrap('fetch', 'short', async () => 'a', { ttlMs: 1000 });
    await cache.wrap('fetch', 'long', async () => 'b', { ttlMs: 60_000 });
    await cache.wrap('catalog', 'default', async () => 'c');
    expect(set.mock.calls.map((c) => [c[1], c[2]])).toEqual([
      ['a', 1000],
      ['b', 5000],
      ['c', 5000],
    ]);
  });

  it('hashes long keys and keeps them apart', async () => {
    const { cache } = setup();
    const long = (c: string) => `uri://${c.repeat(500)}`;
    expect(await cache.wrap('resource', long('a'), async () => 'A')).toBe('A');
    expect(await cache.wrap('resource', long('b'), async () => 'B')).toBe('B');
    expect(await cache.wrap('resource', long('a'), async () => 'changed')).toBe('A');
  });

  it('with CACHE_TYPE=none, always computes and records no lookups', async () => {
    const { cache, lookups, coherence } = setup({ CACHE_TYPE: 'none' });
    let n = 0;
    await cache.wrap('catalog', 'k', async () => ++n);
    expect(await cache.wrap('catalog', 'k', async () => ++n)).toBe(2);
    expect(lookups).toEqual([]);
    expect(coherence.currentVersions).not.toHaveBeenCalled();
  });
});
