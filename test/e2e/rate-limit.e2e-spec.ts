import { randomBytes } from 'node:crypto';
import request from 'supertest';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from '../support/gateway';
import { echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { connectMcp, rpcError } from '../support/mcp';
import { scrape } from '../support/prometheus';

const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo_tool', arguments: {} } });

async function addTool(gw: TestGateway, upstream: HttpUpstream) {
  await request(gw.url).post('/tools').send({ name: 'echo_tool', url: `${upstream.url}/e`, requestType: 'GET' }).expect(200);
}

describe('rate limits', () => {
  let upstream: HttpUpstream;
  beforeAll(async () => {
    upstream = await startHttpUpstream(echo);
  });
  afterAll(() => upstream.close());

  describe('per gateway (in-memory counters)', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway({ MAX_TOOL_CALLS_PER_MINUTE: '3', RATE_LIMIT_PER_MINUTE: '1000' });
      await addTool(gw, upstream);
    });
    afterAll(() => gw.close());

    it('answers the 4th tool call in a minute with 429, Retry-After and a JSON-RPC error, on /rpc and /mcp alike', async () => {
      // Each client (IP here: no token) has its own budget; these calls share 127.0.0.1's.
      for (let i = 1; i <= 3; i++) await request(gw.url).post('/rpc').send(call(i)).expect(200);
      const over = await request(gw.url).post('/rpc').send(call(4)).expect(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(over.body).toMatchObject({ jsonrpc: '2.0', id: 4, error: { code: -32029, message: expect.stringMatching(/3 tool calls per minute/) } });
      // The reference shortcut (method = tool name) counts as a tool call too.
      await request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 5, method: 'echo_tool', params: {} }).expect(429);
      // Other methods are not tool calls.
      await request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 6, method: 'tools/list' }).expect(200);

      const mcp = await request(gw.url).post('/mcp').set('accept', 'application/json, text/event-stream').send(call(7)).expect(429);
      expect(mcp.headers['retry-after']).toBeDefined();
      const client = await connectMcp(`${gw.url}/mcp`);
      const err = await rpcError(client.callTool({ name: 'echo_tool', arguments: {} }));
      expect(String(err)).toMatch(/429|Rate limit/);
      await client.close();
      // Refused calls: /rpc twice, /mcp twice (raw POST and SDK client).
      expect((await scrape(gw.url)).value('rate_limit_rejections_total', { limit: 'tool_calls' })).toBe(4);
    });

    it('sends a -32029 JSON-RPC error on WebSocket, where no HTTP status can carry it', async () => {
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, 'mcp');
      await new Promise((r) => ws.once('open', r));
      const reply = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
      ws.send(JSON.stringify(call(8)));
      expect(JSON.parse(await reply)).toMatchObject({ id: 8, error: { code: -32029, data: { limit: 3 } } });
      ws.close();
    });
  });

  it('limits API requests per client with 429 and Retry-After, but never health probes', async () => {
    const gw = await startGateway({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      for (let i = 0; i < 5; i++) await request(gw.url).get('/tools').expect(200);
      const over = await request(gw.url).get('/tools').expect(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      for (let i = 0; i < 10; i++) await request(gw.url).get('/health').expect(200);
      // Scrapes are not limited either, and count the refusal.
      for (let i = 0; i < 3; i++) expect((await scrape(gw.url)).value('rate_limit_rejections_total', { limit: 'requests' })).toBe(1);
    } finally {
      await gw.close();
    }
  });

  it('counts tool calls across replicas that share Redis', async () => {
    const shared = { REDIS_URL: 'redis://127.0.0.1:6379/0', CACHE_PREFIX: `mcpgw-test-${randomBytes(4).toString('hex')}:`, MAX_TOOL_CALLS_PER_MINUTE: '4' };
    const a = await startGateway(shared);
    const b = await startGateway(shared, a.db);
    try {
      await addTool(a, upstream);
      await request(a.url).post('/rpc').send(call(1)).expect(200);
      await request(b.url).post('/rpc').send(call(2)).expect(200);
      await request(a.url).post('/rpc').send(call(3)).expect(200);
      await request(b.url).post('/rpc').send(call(4)).expect(200);
      await request(a.url).post('/rpc').send(call(5)).expect(429);
      await request(b.url).post('/rpc').send(call(6)).expect(429);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
