import request from 'supertest';
import { startGateway, type TestGateway } from '../support/gateway';
import { echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';

describe('POST /rpc (JSON-RPC 2.0 over HTTP)', () => {
  let gw: TestGateway;
  let upstream: HttpUpstream;
  let rpc: (body: unknown) => request.Test;

  beforeAll(async () => {
    [gw, upstream] = await Promise.all([startGateway({ RPC_MAX_BATCH_SIZE: '30' }), startHttpUpstream(echo)]);
    rpc = (body) => request(gw.url).post('/rpc').send(body as object);
    await request(gw.url)
      .post('/tools')
      .send({ name: 'time-server-get-time', url: `${upstream.url}/time`, requestType: 'GET', inputSchema: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] } })
      .expect(200);
  });
  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  it('answers initialize, ping and tools/list', async () => {
    const init = await rpc({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } }).expect(200);
    expect(init.body).toMatchObject({ jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-06-18', serverInfo: { name: 'MCP Gateway' }, capabilities: { tools: {} } } });
    expect((await rpc({ jsonrpc: '2.0', id: 'p', method: 'ping' })).body).toEqual({ jsonrpc: '2.0', id: 'p', result: {} });
    const list = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' }).expect(200);
    expect(list.body.result.tools.map((t: { name: string }) => t.name)).toEqual(['time-server-get-time']);
    expect((await rpc({ jsonrpc: '2.0', id: 3, method: 'list_tools' })).body.result.tools).toHaveLength(1);
  });

  it('calls tools with tools/call and with the method-is-the-tool-name fallback', async () => {
    const call = await rpc({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'time-server-get-time', arguments: { timezone: 'Europe/Dublin' } } }).expect(200);
    expect(JSON.parse(call.body.result.content[0].text)).toMatchObject({ path: '/time', query: { timezone: 'Europe/Dublin' } });
    const fallback = await rpc({ jsonrpc: '2.0', id: 5, method: 'time-server-get-time', params: { timezone: 'UTC' } }).expect(200);
    expect(fallback.body.error).toBeUndefined();
    expect(JSON.parse(fallback.body.result.content[0].text).query).toEqual({ timezone: 'UTC' });
  });

  it.each([
    [{ jsonrpc: '2.0', id: 6, method: 'no_such_thing' }, -32601, /Method not found: no_such_thing/],
    [{ jsonrpc: '1.0', id: 7, method: 'ping' }, -32600, /jsonrpc must be "2.0"/],
    [{ jsonrpc: '2.0', id: 8 }, -32600, /method must be a non-empty string/],
    [{ jsonrpc: '2.0', id: { x: 1 }, method: 'ping' }, -32600, /id must be a string or a number/],
    [{ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { arguments: {} } }, -32602, /./],
    [{ jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'time-server-get-time', arguments: { timezone: 5 } } }, -32602, /\/timezone: must be string/],
    [{ jsonrpc: '2.0', id: 11, method: 'prompts/get', params: { name: 'missing' } }, -32602, /Unknown prompt: missing/],
    [{ jsonrpc: '2.0', id: 12, method: 'tools/list', params: 'x' }, -32602, /params must be an object/],
  ])('answers %p with JSON-RPC error %d (HTTP 200)', async (body, code, message) => {
    const res = await rpc(body).expect(200);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
  });

  it('answers malformed JSON with -32700, and handles batches (an empty one is invalid)', async () => {
    const parse = await request(gw.url).post('/rpc').set('content-type', 'application/json').send('{"jsonrpc": "2.0", "method": ').expect(200);
    expect(parse.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    const batch = await rpc([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'nope' },
    ]).expect(200);
    expect(batch.body).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found: nope' } },
    ]);
    expect((await rpc([]).expect(200)).body.error.code).toBe(-32600);
    await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }).expect(204);
  });

  it('refuses a batch larger than RPC_MAX_BATCH_SIZE with -32600 before running any of it', async () => {
    const before = upstream.requests.length;
    const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'time-server-get-time', arguments: { timezone: 'UTC' } } });
    const res = await rpc(Array.from({ length: 31 }, (_, i) => call(i))).expect(200);
    expect(res.body).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringMatching(/at most 30 messages \(RPC_MAX_BATCH_SIZE\); this one has 31/) } });
    expect(upstream.requests.length).toBe(before);
  });

  it('runs the elements of a batch with bounded concurrency, answering in order', async () => {
    let inFlight = 0;
    let most = 0;
    upstream.handle(async (req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 60));
      inFlight -= 1;
      echo(req, res);
    });
    try {
      const batch = Array.from({ length: 30 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'time-server-get-time', arguments: { timezone: `Zone/${i}` } } }));
      const res = await rpc(batch).expect(200);
      expect(res.body.map((r: { id: number }) => r.id)).toEqual(batch.map((b) => b.id));
      expect(res.body.map((r: { result: { content: Array<{ text: string }> } }) => JSON.parse(r.result.content[0].text).query.timezone)).toEqual(batch.map((_, i) => `Zone/${i}`));
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(8);
    } finally {
      upstream.handle(echo);
    }
  });

  it('refuses foreign Host and Origin headers (DNS-rebinding protection, as on the MCP endpoints)', async () => {
    const before = upstream.requests.length;
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'time-server-get-time', arguments: { timezone: 'UTC' } } };
    const host = await request(gw.url).post('/rpc').set('host', 'attacker.example.com').send(call).expect(403);
    expect(host.body.message).toMatch(/Host 'attacker.example.com' is not allowed \(ALLOWED_HOSTS\)/);
    await request(gw.url).post('/rpc').set('origin', 'http://attacker.example.com').send(call).expect(403);
    expect(upstream.requests.length).toBe(before);
    await request(gw.url).post('/rpc').set('origin', 'http://localhost:3000').send({ jsonrpc: '2.0', id: 2, method: 'ping' }).expect(200);
  });
});
