import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { PromptListChangedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { EntityKind } from '../../src/common/catalog/catalog.model';
import { CatalogVersionRepository, RedisCatalogVersionRepository } from '../../src/modules/cache/repositories/catalog-version.repository';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { type FixtureServer, startFixture } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { connectMcp, until } from '../support/mcp';
import { type GatewayProcess, spawnGateway } from '../support/process';
import { scrape } from '../support/prometheus';
import { startDedicatedRedis, type DedicatedRedis } from '../support/redis';

interface Setup {
  name: string;
  cache: 'memory' | 'redis' | 'database';
  redis: boolean;
}

/**
 * Two gateway processes (the built dist/src/main.js) sharing one PostgreSQL database and, in some setups, one Redis.
 * A change made through either is seen by the other at once, in MCP listings and reads as in REST, with no sleep in
 * between; and MCP sessions on the other process are told (list_changed).
 */
const SETUPS: Setup[] = [
  { name: 'per-process memory caches, Redis for versions and events', cache: 'memory', redis: true },
  { name: 'one Redis cache', cache: 'redis', redis: true },
  { name: 'one database cache, no Redis', cache: 'database', redis: false },
  { name: 'per-process memory caches, no Redis', cache: 'memory', redis: false },
];

const ROUNDS = 15;

async function rpc<T = Record<string, unknown>>(url: string, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const res = await request(url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method, params }).expect(200);
  if (res.body.error) throw new Error(`${method} on ${url}: ${JSON.stringify(res.body.error)}`);
  return res.body.result as T;
}

const descriptions = async (url: string) => (await rpc<{ tools: Array<{ name: string; description: string }> }>(url, 'tools/list')).tools.map((t) => `${t.name}:${t.description}`).sort();
const readText = async (url: string, uri: string) => (await rpc<{ contents: Array<{ text: string }> }>(url, 'resources/read', { uri })).contents[0].text;

// One MCP peer (the fixture server) for every setup: each registers it in its own database.
let peer: FixtureServer;
beforeAll(async () => {
  peer = await startFixture({ name: 'replicated-peer' });
});
afterAll(async () => {
  await peer?.stop();
});

describe.each(SETUPS)('two gateway processes: $name', (setup) => {
  let db: TestDatabase;
  let redis: DedicatedRedis | undefined;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let session: Client;
  const notified = { tools: 0, prompts: 0 };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    if (setup.redis) redis = await startDedicatedRedis();
    const env = {
      DATABASE_URL: db.url,
      AUTH_REQUIRED: 'false',
      LOG_LEVEL: 'info',
      CACHE_TYPE: setup.cache,
      CACHE_PREFIX: `t${randomBytes(4).toString('hex')}:`,
      ...(redis ? { REDIS_URL: redis.url } : {}),
    };
    // Together: the database lock lets exactly one of them apply the migrations.
    [a, b] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
    session = await connectMcp(`${b.url}/mcp`);
    session.setNotificationHandler(ToolListChangedNotificationSchema, () => void notified.tools++);
    session.setNotificationHandler(PromptListChangedNotificationSchema, () => void notified.prompts++);
  }, 60_000);

  afterAll(async () => {
    await session?.close().catch(() => undefined);
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await db?.drop();
  });

  it('serves the current tool list and REST view on one process right after each change through the other', async () => {
    const tool = (await request(a.url).post('/tools').send({ name: 'shared', url: 'http://127.0.0.1:9/s', description: 'd0' }).expect(200)).body;
    for (const url of [a.url, b.url]) {
      expect(await descriptions(url)).toEqual(['shared:d0']);
      expect(await descriptions(url)).toEqual(['shared:d0']);
    }
    const hits = (await scrape(b.url)).value('cache_hits_total', { cache: 'catalog' });
    expect(hits).toBeGreaterThan(0);

    for (let round = 1; round <= ROUNDS; round++) {
      const [writer, reader] = round % 2 ? [a, b] : [b, a];
      await request(writer.url).put(`/tools/${tool.id}`).send({ description: `d${round}` }).expect(200);
      // No wait of any kind: the answer to the update means every replica has it.
      expect(await descriptions(reader.url)).toEqual([`shared:d${round}`]);
      expect((await session.listTools()).tools.map((t) => t.description)).toEqual([`d${round}`]);
      expect((await request(reader.url).get(`/tools/${tool.id}`).expect(200)).body.description).toBe(`d${round}`);
      // And the reader's cache is in use again for the new version.
      expect(await descriptions(reader.url)).toEqual([`shared:d${round}`]);
    }
    expect((await scrape(b.url)).value('cache_hits_total', { cache: 'catalog' })).toBeGreaterThan(hits);

    await request(a.url).delete(`/tools/${tool.id}`).expect(200);
    expect(await descriptions(b.url)).toEqual([]);
  });

  it('reads the current content of a resource on one process right after an update through the other', async () => {
    const r = (await request(b.url).post('/resources').send({ uri: 'file:///shared.md', name: 'shared', content: 'c0' }).expect(200)).body;
    for (let round = 1; round <= ROUNDS; round++) {
      const [writer, reader] = round % 2 ? [a, b] : [b, a];
      expect(await readText(reader.url, 'file:///shared.md')).toBe(`c${round - 1}`);
      await request(writer.url).put(`/resources/${r.id}`).send({ content: `c${round}` }).expect(200);
      expect(await readText(reader.url, 'file:///shared.md')).toBe(`c${round}`);
    }
  });

  it('tells an MCP session on one process about changes made through the other (list_changed)', async () => {
    const before = { ...notified };
    await request(a.url).post('/tools').send({ name: 'announced', url: 'http://127.0.0.1:9/a' }).expect(200);
    await until(() => notified.tools > before.tools, 10_000);
    // Exact relay over Redis: only the list that changed; the coarser database relay may also name others.
    if (setup.redis) expect(notified.prompts).toBe(before.prompts);
    await request(a.url).post('/prompts').send({ name: 'announced_prompt', template: 'hi' }).expect(200);
    await until(() => notified.prompts > before.prompts, 10_000);
    expect((await session.listTools()).tools.map((t) => t.name)).toContain('announced');
  });

  it("drops a peer disabled through one process from the other's tools/list at once, and refuses its tools there", async () => {
    const peerTools = async (url: string) => (await descriptions(url)).filter((t) => t.startsWith('fed-'));
    const echo = (url: string, text: string) => request(url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'fed-echo', arguments: { text } } }).expect(200);
    const gateway = (await request(a.url).post('/gateways').send({ name: 'fed', url: peer.mcpUrl }).expect(200)).body;
    // B lists and calls the peer's tools, twice: the second time from its cached listing and peer lookups.
    for (let i = 0; i < 2; i++) {
      expect(await peerTools(b.url)).toContainEqual(expect.stringMatching(/^fed-echo:/));
      expect((await echo(b.url, `hello ${i}`)).body.result.content[0].text).toBe(`hello ${i}`);
    }
    const hits = (await scrape(b.url)).value('cache_hits_total', { cache: 'peer' });
    expect(hits).toBeGreaterThan(0);

    await request(a.url).post(`/gateways/${gateway.id}/state?activate=false`).expect(200);
    // No wait of any kind: B's next listing and call already know.
    expect(await peerTools(b.url)).toEqual([]);
    const refused = (await echo(b.url, 'after disable')).body;
    expect(refused.result?.content?.[0]?.text).not.toBe('after disable');
    expect(JSON.stringify(refused)).toMatch(/Unknown tool|disabled/);

    await request(b.url).post(`/gateways/${gateway.id}/state?activate=true`).expect(200);
    expect(await peerTools(a.url)).toContainEqual(expect.stringMatching(/^fed-echo:/));
    expect((await echo(a.url, 'back')).body.result.content[0].text).toBe('back');
    await request(a.url).delete(`/gateways/${gateway.id}`).expect(200);
    expect(await peerTools(b.url)).toEqual([]);
  });
});

/**
 * The answer to a change waits for its new version tokens: with token writes slowed down to 300 ms on replica A,
 * replica B (serving from its own memory cache) still never returns the old listing to a client that saw A's answer.
 */
describe('a change is answered only once its versions are written', () => {
  let db: TestDatabase;
  let redis: DedicatedRedis;
  let tokens: Redis;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase('postgres'), startDedicatedRedis()]);
    tokens = new Redis(redis.url);
    const env = { CACHE_TYPE: 'memory', REDIS_URL: redis.url, CACHE_PREFIX: 'slow:' };
    class SlowWrites extends RedisCatalogVersionRepository {
      override async write(kinds: readonly EntityKind[], token: string): Promise<void> {
        await new Promise((r) => setTimeout(r, 300));
        return super.write(kinds, token);
      }
    }
    a = await startGateway(env, db, [{ provide: CatalogVersionRepository, useValue: new SlowWrites(tokens, 'slow:') }]);
    b = await startGateway(env, db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    tokens?.disconnect();
    await redis?.stop();
    await db?.drop();
  });

  it('holds the answer to the update until the tokens are written, so the other replica is already current', async () => {
    const tool = (await request(a.url).post('/tools').send({ name: 'slowly', url: 'http://127.0.0.1:9/s', description: 'old' }).expect(200)).body;
    expect(await descriptions(b.url)).toEqual(['slowly:old']);
    expect(await descriptions(b.url)).toEqual(['slowly:old']);
    const started = Date.now();
    await request(a.url).put(`/tools/${tool.id}`).send({ description: 'new' }).expect(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await descriptions(b.url)).toEqual(['slowly:new']);
  });
});
