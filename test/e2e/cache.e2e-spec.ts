import Redis from 'ioredis';
import request from 'supertest';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { connectMcp } from '../support/mcp';
import { scrape } from '../support/prometheus';
import { startDedicatedRedis, type DedicatedRedis } from '../support/redis';

type Backend = 'memory' | 'redis' | 'database';
type Namespace = 'catalog' | 'resource' | 'fetch' | 'peer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one JSON-RPC request to /rpc and returns its result (fails on a JSON-RPC error). */
async function rpc<T = Record<string, unknown>>(url: string, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const res = await request(url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method, params }).expect(200);
  if (res.body.error) throw new Error(`${method}: ${JSON.stringify(res.body.error)}`);
  return res.body.result as T;
}

async function lookups(url: string, cache: Namespace): Promise<{ hits: number; misses: number }> {
  const s = await scrape(url);
  return { hits: s.value('cache_hits_total', { cache }), misses: s.value('cache_misses_total', { cache }) };
}

/** Runs `work` and returns how many hits and misses of `cache` it caused. */
async function counted(url: string, cache: Namespace, work: () => Promise<unknown>): Promise<{ hits: number; misses: number }> {
  const before = await lookups(url, cache);
  await work();
  const after = await lookups(url, cache);
  return { hits: after.hits - before.hits, misses: after.misses - before.misses };
}

const readText = async (url: string, uri: string) => (await rpc<{ contents: Array<{ text: string }> }>(url, 'resources/read', { uri })).contents[0].text;
const toolList = async (url: string) => (await rpc<{ tools: Array<{ name: string; description: string }> }>(url, 'tools/list')).tools.map((t) => `${t.name}:${t.description}`).sort();

describe.each<Backend>(['memory', 'redis', 'database'])('CACHE_TYPE=%s', (backend) => {
  let redis: DedicatedRedis | undefined;
  const env = (extra: Record<string, string>) => ({ CACHE_TYPE: backend, ...(redis ? { REDIS_URL: redis.url } : {}), ...extra });

  beforeAll(async () => {
    if (backend === 'redis') redis = await startDedicatedRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  describe('hits, TTL and LRU (CACHE_TTL=1, CACHE_MAX_ITEMS=2)', () => {
    let gw: TestGateway;

    beforeAll(async () => {
      gw = await startGateway(env({ CACHE_TTL: '1', CACHE_MAX_ITEMS: '2' }));
      for (const name of ['a', 'b', 'c']) await request(gw.url).post('/resources').send({ uri: `file:///${name}.txt`, name, content: `content ${name}` }).expect(200);
    });
    afterAll(() => gw.close());

    it('answers a repeated listing and a repeated read from the cache', async () => {
      expect(await counted(gw.url, 'catalog', () => rpc(gw.url, 'prompts/list'))).toEqual({ hits: 0, misses: 1 });
      expect(await counted(gw.url, 'catalog', () => rpc(gw.url, 'prompts/list'))).toEqual({ hits: 1, misses: 0 });
      expect(await counted(gw.url, 'resource', () => readText(gw.url, 'file:///a.txt'))).toEqual({ hits: 0, misses: 1 });
      expect(await counted(gw.url, 'resource', async () => expect(await readText(gw.url, 'file:///a.txt')).toBe('content a'))).toEqual({ hits: 1, misses: 0 });
    });

    it('expires a value after CACHE_TTL', async () => {
      await readText(gw.url, 'file:///b.txt');
      expect(await counted(gw.url, 'resource', () => readText(gw.url, 'file:///b.txt'))).toEqual({ hits: 1, misses: 0 });
      await sleep(1100);
      expect(await counted(gw.url, 'resource', () => readText(gw.url, 'file:///b.txt'))).toEqual({ hits: 0, misses: 1 });
    });

    it('evicts the least recently used value beyond CACHE_MAX_ITEMS (not the oldest written)', async () => {
      await sleep(1100); // everything cached before has expired
      const read = (n: string) => counted(gw.url, 'resource', () => readText(gw.url, `file:///${n}.txt`));
      expect(await read('a')).toEqual({ hits: 0, misses: 1 });
      expect(await read('b')).toEqual({ hits: 0, misses: 1 });
      expect(await read('a')).toEqual({ hits: 1, misses: 0 }); // a is now the most recently used
      expect(await read('c')).toEqual({ hits: 0, misses: 1 }); // evicts b
      expect(await read('a')).toEqual({ hits: 1, misses: 0 });
      expect(await read('b')).toEqual({ hits: 0, misses: 1 });
    });
  });

  describe("a value's own TTL longer than CACHE_TTL (CACHE_TTL=1, a resource's cacheTtl=60)", () => {
    let gw: TestGateway;
    let up: HttpUpstream;
    let fetches = 0;

    beforeAll(async () => {
      up = await startHttpUpstream((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`fetch ${++fetches}`);
      });
      gw = await startGateway(env({ CACHE_TTL: '1', CACHE_PREFIX: 'ttlcap:' }));
    });
    afterAll(async () => {
      await gw.close();
      await up.close();
    });

    it('is capped at CACHE_TTL: fetched content is served from the cache for CACHE_TTL only', async () => {
      await request(gw.url).post('/resources').send({ uri: 'web://long', name: 'long', contentUrl: `${up.url}/doc`, cacheTtl: 60 }).expect(200);
      const first = await readText(gw.url, 'web://long');
      expect(await counted(gw.url, 'fetch', async () => expect(await readText(gw.url, 'web://long')).toBe(first))).toEqual({ hits: 1, misses: 0 });

      if (redis) {
        // Every value in Redis expires within CACHE_TTL and is tracked by the LRU index (so CACHE_MAX_ITEMS holds).
        const client = new Redis(redis.url);
        try {
          const keys = await client.keys('ttlcap:cache:entry:*');
          expect(keys.length).toBeGreaterThan(0);
          for (const key of keys) {
            const ttl = await client.pttl(key);
            expect([key, ttl > 0 && ttl <= 1000]).toEqual([key, true]);
            expect([key, await client.zscore('ttlcap:cache:lru', key.slice('ttlcap:cache:entry:'.length))]).toEqual([key, expect.any(String)]);
          }
        } finally {
          client.disconnect();
        }
      }

      await sleep(1100);
      const later = await counted(gw.url, 'fetch', async () => expect(await readText(gw.url, 'web://long')).not.toBe(first));
      expect(later).toEqual({ hits: 0, misses: 1 });
    });
  });

  describe('never stale after a change through the API (CACHE_TTL=300)', () => {
    let gw: TestGateway;
    let peer: FixtureServer;

    beforeAll(async () => {
      [gw, peer] = await Promise.all([startGateway(env({ HEALTH_CHECK_INTERVAL: '3600' })), startFixture({ name: 'cachepeer' })]);
    });
    afterAll(async () => {
      await gw.close();
      await peer.stop();
    });

    it('lists tools created, updated, disabled and deleted, right after each change', async () => {
      const http = request(gw.url);
      await toolList(gw.url);
      const tool = (await http.post('/tools').send({ name: 'weather', url: 'http://127.0.0.1:9/w', description: 'v1' }).expect(200)).body;
      expect(await toolList(gw.url)).toEqual(['weather:v1']);
      expect(await counted(gw.url, 'catalog', () => toolList(gw.url))).toEqual({ hits: 1, misses: 0 });
      for (let i = 2; i <= 6; i++) {
        await http.put(`/tools/${tool.id}`).send({ description: `v${i}` }).expect(200);
        expect(await toolList(gw.url)).toEqual([`weather:v${i}`]);
        expect((await http.get(`/tools/${tool.id}`).expect(200)).body.description).toBe(`v${i}`);
      }
      await http.post(`/tools/${tool.id}/state?activate=false`).expect(200);
      expect(await toolList(gw.url)).toEqual([]);
      await http.post(`/tools/${tool.id}/state?activate=true`).expect(200);
      expect(await toolList(gw.url)).toEqual(['weather:v6']);
      await http.delete(`/tools/${tool.id}`).expect(200);
      expect(await toolList(gw.url)).toEqual([]);
    });

    it('reads the new content of a resource right after an update, and nothing after its deletion', async () => {
      const http = request(gw.url);
      const r = (await http.post('/resources').send({ uri: 'file:///doc.md', name: 'doc', content: 'first' }).expect(200)).body;
      expect(await readText(gw.url, 'file:///doc.md')).toBe('first');
      expect(await readText(gw.url, 'file:///doc.md')).toBe('first');
      await http.put(`/resources/${r.id}`).send({ content: 'second' }).expect(200);
      expect(await readText(gw.url, 'file:///doc.md')).toBe('second');
      await http.delete(`/resources/${r.id}`).expect(200);
      const gone = await request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///doc.md' } }).expect(200);
      expect(gone.body.error.code).toBe(-32002);
    });

    it("follows a virtual server's membership in its own listing", async () => {
      const http = request(gw.url);
      const t1 = (await http.post('/tools').send({ name: 'member_one', url: 'http://127.0.0.1:9/1' }).expect(200)).body;
      const t2 = (await http.post('/tools').send({ name: 'member_two', url: 'http://127.0.0.1:9/2' }).expect(200)).body;
      const server = (await http.post('/servers').send({ name: 'cached_vs', associatedTools: [t1.id] }).expect(201)).body;
      const client = await connectMcp(`${gw.url}/servers/${server.id}/mcp`);
      try {
        const list = async () => (await client.listTools()).tools.map((t) => t.name).sort();
        expect((await toolList(gw.url)).length).toBeGreaterThanOrEqual(2);
        expect(await list()).toEqual(['member_one']);
        expect(await counted(gw.url, 'catalog', async () => expect(await list()).toEqual(['member_one']))).toEqual({ hits: 1, misses: 0 });
        await http.put(`/servers/${server.id}`).send({ associatedTools: [t1.id, t2.id] }).expect(200);
        expect(await list()).toEqual(['member_one', 'member_two']);
        await http.delete(`/tools/${t1.id}`).expect(200);
        expect(await list()).toEqual(['member_two']);
      } finally {
        await client.close();
      }
    });

    it("caches a peer's call targets and state, and hides a disabled peer's tools at once", async () => {
      const http = request(gw.url);
      const gateway = (await http.post('/gateways').send({ name: 'cachepeer', url: peer.mcpUrl }).expect(200)).body;
      const echo = (text: string) => rpc<{ content: Array<{ text: string }>; isError?: boolean }>(gw.url, 'tools/call', { name: 'cachepeer-echo', arguments: { text } });
      expect((await echo('one')).content[0].text).toBe('one');
      const second = await counted(gw.url, 'peer', async () => expect((await echo('two')).content[0].text).toBe('two'));
      expect(second).toEqual({ hits: 2, misses: 0 }); // peer states (is it usable?) and call targets (whom to call)
      expect((await toolList(gw.url)).filter((t) => t.startsWith('cachepeer-'))).not.toEqual([]);

      await http.post(`/gateways/${gateway.id}/state?activate=false`).expect(200);
      expect((await toolList(gw.url)).filter((t) => t.startsWith('cachepeer-'))).toEqual([]);
      const refused = await request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'cachepeer-echo', arguments: { text: 'x' } } });
      expect(JSON.stringify(refused.body)).toMatch(/Unknown tool|disabled/);

      await http.post(`/gateways/${gateway.id}/state?activate=true`).expect(200);
      expect((await echo('three')).content[0].text).toBe('three');
      await http.delete(`/gateways/${gateway.id}`).expect(200);
      expect((await toolList(gw.url)).filter((t) => t.startsWith('cachepeer-'))).toEqual([]);
    });
  });
});
