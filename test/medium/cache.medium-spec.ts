import type { INestApplication } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import request from 'supertest';
import { VERSIONED_KINDS } from '../../src/modules/cache/cache.model';
import { CacheEntryRepository, TypeOrmCacheEntryRepository } from '../../src/modules/cache/repositories/cache-entry.repository';
import { CatalogVersionRepository, TypeOrmCatalogVersionRepository } from '../../src/modules/cache/repositories/catalog-version.repository';
import { DatabaseKeyvStore } from '../../src/modules/cache/stores/database-keyv.store';
import { TypeOrmUnitOfWork } from '../../src/database/typeorm-unit-of-work';
import { ToolRepository } from '../../src/modules/tools/repositories/tool.repository';
import { makeTool } from '../factories/catalog.factory';
import { createTestDatabase, testDialect, type TestDatabase } from '../support/databases';
import { createTestApp, startGateway, type TestGateway } from '../support/gateway';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`database cache backend on ${testDialect()}`, () => {
  let app: INestApplication;
  let db: TestDatabase;
  let entries: CacheEntryRepository;
  let versions: CatalogVersionRepository;

  beforeAll(async () => {
    ({ app, db } = await createTestApp({ CACHE_TYPE: 'database' }));
    await app.init();
    entries = app.get(CacheEntryRepository);
    versions = app.get(CatalogVersionRepository);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });
  beforeEach(() => entries.clear());

  describe('cache entries (repository)', () => {
    it('stores, replaces and returns values, unicode and large ones included', async () => {
      const big = JSON.stringify({ text: 'zażółć 🚀 "q" \\ '.repeat(20_000) });
      await entries.put('k1', big, 2_000, 1);
      expect(await entries.get('k1', 1_000, 2)).toBe(big);
      await entries.put('k1', 'second', 2_000, 3);
      expect(await entries.get('k1', 1_000, 4)).toBe('second');
      expect(await entries.count()).toBe(1);
      expect(await entries.delete('k1')).toBe(true);
      expect(await entries.get('k1', 1_000, 5)).toBeUndefined();
    });

    it('treats an entry as gone from its expiry time on, and trims expired entries', async () => {
      await entries.put('short', 'v', 1_000, 1);
      expect(await entries.get('short', 999, 2)).toBe('v');
      expect(await entries.get('short', 1_000, 3)).toBeUndefined();
      expect(await entries.trim(10, 1_000)).toBe(1);
      expect(await entries.count()).toBe(0);
    });

    it('evicts the least recently used entries beyond the limit: reads count as use', async () => {
      for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) await entries.put(key, key, 10_000, 10 + i);
      expect(await entries.get('a', 0, 20)).toBe('a');
      expect(await entries.trim(2, 0)).toBe(2);
      expect(await entries.get('b', 0, 21)).toBeUndefined();
      expect(await entries.get('c', 0, 22)).toBeUndefined();
      expect(await entries.get('a', 0, 23)).toBe('a');
      expect(await entries.get('d', 0, 24)).toBe('d');
    });

    it('keeps keys case- and byte-exact', async () => {
      await entries.put('Key', 'upper', 10_000, 1);
      await entries.put('key', 'lower', 10_000, 2);
      expect(await entries.get('Key', 0, 3)).toBe('upper');
      expect(await entries.get('key', 0, 4)).toBe('lower');
    });
  });

  describe('catalog versions (repository)', () => {
    it('creates a token per kind on first read, once, even when replicas race for it', async () => {
      const unitOfWork = app.get(TypeOrmUnitOfWork);
      await unitOfWork.run((m) => m.query('DELETE FROM catalog_versions'));
      const [a, b] = await Promise.all([new TypeOrmCatalogVersionRepository(unitOfWork).read(), new TypeOrmCatalogVersionRepository(unitOfWork).read()]);
      expect(Object.keys(a).sort()).toEqual([...VERSIONED_KINDS].sort());
      expect(b).toEqual(a);
      expect(await versions.read()).toEqual(a);
    });

    it('replaces the tokens of the kinds written, and only those', async () => {
      const before = await versions.read();
      await versions.write(['tool', 'server'], 'fresh-token');
      const after = await versions.read();
      expect(after).toEqual({ ...before, tool: 'fresh-token', server: 'fresh-token' });
    });
  });

  describe('Keyv store through cache-manager', () => {
    const manager = (ttl: number, maxItems: number) => {
      const keyv = new Keyv({ store: new DatabaseKeyvStore(entries, { ttl, maxItems }), ttl, useKeyPrefix: false, namespace: undefined });
      return createCache({ stores: [keyv], ttl });
    };

    it('returns cached values and expires them after the TTL', async () => {
      const cache = manager(400, 10);
      await cache.set('list', { tools: ['a', 'b'] });
      expect(await cache.get('list')).toEqual({ tools: ['a', 'b'] });
      await sleep(450);
      expect(await cache.get('list')).toBeUndefined();
    });

    it('evicts the least recently used value when over the limit', async () => {
      const cache = manager(10_000, 2);
      await cache.set('a', 1);
      await cache.set('b', 2);
      expect(await cache.get('a')).toBe(1);
      await cache.set('c', 3);
      expect(await cache.get('b')).toBeUndefined();
      expect(await cache.get('a')).toBe(1);
      expect(await cache.get('c')).toBe(3);
      expect(await entries.count()).toBe(2);
    });
  });
});

describe(`CACHE_TYPE=database serving two replicas on ${testDialect()}`, () => {
  let db: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;
  const toolNames = async (url: string) =>
    ((await request(url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/list' }).expect(200)).body.result.tools as Array<{ name: string; description: string }>)
      .map((t) => `${t.name}:${t.description}`)
      .sort();

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startGateway({ CACHE_TYPE: 'database' }, db);
    b = await startGateway({ CACHE_TYPE: 'database' }, db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db.drop();
  });

  it('answers from the shared table (a row written underneath is not seen) until a change through the API', async () => {
    const created = (await request(a.url).post('/tools').send({ name: 'first', url: 'http://127.0.0.1:9/x', description: 'one' }).expect(200)).body;
    expect(await toolNames(a.url)).toEqual(['first:one']);
    // Written straight into the table, without an event: replicas keep serving the cached listing.
    await a.app.get(ToolRepository).insert(makeTool({ name: 'sneaked_in' }));
    expect(await toolNames(a.url)).toEqual(['first:one']);
    expect(await toolNames(b.url)).toEqual(['first:one']);
    expect(await a.app.get(CacheEntryRepository).count()).toBeGreaterThan(0);

    // A change through replica B: both replicas see the whole current catalog at once.
    await request(b.url).put(`/tools/${created.id}`).send({ description: 'two' }).expect(200);
    expect(await toolNames(a.url)).toEqual(['first:two', 'sneaked_in:a tool']);
    expect(await toolNames(b.url)).toEqual(['first:two', 'sneaked_in:a tool']);
  });

  it('uses the TypeORM implementations of both repositories', () => {
    expect(a.app.get(CacheEntryRepository)).toBeInstanceOf(TypeOrmCacheEntryRepository);
    expect(a.app.get(CatalogVersionRepository)).toBeInstanceOf(TypeOrmCatalogVersionRepository);
  });
});
