import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { AdminSession } from '../../src/modules/admin/web/admin-session.service';
import { ANONYMOUS } from '../../src/modules/auth/auth.guard';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from '../support/databases';
import { startGateway, type TestGateway } from '../support/gateway';
import { type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { connectMcp, firstText, until } from '../support/mcp';
import { spawnGateway } from '../support/process';
import { parseExposition, scrape } from '../support/prometheus';
import { type DedicatedRedis, startDedicatedRedis } from '../support/redis';

const rpc = (id: number, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/**
 * An SDK client over Streamable HTTP that counts the HTTP requests it makes, by method and answered status (so the
 * gateway's http_requests_total can be checked exactly).
 */
async function countingClient(url: string): Promise<{ client: Client; sent: Map<string, number> }> {
  const sent = new Map<string, number>();
  const counting = async (input: string | URL, init?: RequestInit) => {
    const res = await fetch(input, init);
    const key = `${init?.method ?? 'GET'} ${res.status}`;
    sent.set(key, (sent.get(key) ?? 0) + 1);
    return res;
  };
  const client = new Client({ name: 'counting', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: counting, reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 100, reconnectionDelayGrowFactor: 1, maxRetries: 0 } }));
  return { client, sent };
}

/** Upstream for REST tools: `/ok` answers 200, `/fail` 500. */
async function upstream(): Promise<HttpUpstream> {
  return startHttpUpstream((req, res) => {
    res.writeHead(req.path === '/fail' ? 500 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.path, requestId: req.headers['x-request-id'] ?? null }));
  });
}

describe('observability', () => {
  let api: HttpUpstream;
  beforeAll(async () => {
    api = await upstream();
  });
  afterAll(() => api.close());

  describe('metrics', () => {
    let gw: TestGateway;
    let http: ReturnType<typeof request>;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      gw = await startGateway({ METRICS_FLUSH_INTERVAL: '3600' });
      http = request(gw.url);
      ids.ok = (await http.post('/tools').send({ name: 'obs_ok', url: `${api.url}/ok`, requestType: 'GET' }).expect(200)).body.id;
      ids.fail = (await http.post('/tools').send({ name: 'obs_fail', url: `${api.url}/fail`, requestType: 'GET' }).expect(200)).body.id;
      ids.resource = (await http.post('/resources').send({ uri: 'obs://doc', name: 'doc', content: 'hello' }).expect(200)).body.id;
      ids.prompt = (await http.post('/prompts').send({ name: 'obs_prompt', template: 'Hi {{who}}' }).expect(200)).body.id;
      ids.server = (
        await http
          .post('/servers')
          .send({ name: 'obs', associatedTools: [ids.ok], associatedResources: [ids.resource], associatedPrompts: [ids.prompt] })
          .expect(201)
      ).body.id;
    });
    afterAll(() => gw.close());

    it('moves counters and histograms by exactly the calls made over /rpc and /mcp, in valid exposition format', async () => {
      const before = await scrape(gw.url);
      await http.post('/rpc').send(rpc(1, 'obs_ok')).expect(200);
      await http.post('/rpc').send(rpc(2, 'obs_ok')).expect(200);
      const failed = await http.post('/rpc').send(rpc(3, 'obs_fail')).expect(200);
      expect(failed.body.result.isError).toBe(true);
      // Refused before execution (unknown tool, bad JSON-RPC): not a tool call.
      await http.post('/rpc').send(rpc(4, 'no_such_tool')).expect(200);

      const { client, sent: global } = await countingClient(`${gw.url}/mcp`);
      const { client: scoped, sent: perServer } = await countingClient(`${gw.url}/servers/${ids.server}/mcp`);
      const during = await scrape(gw.url);
      expect(during.value('mcp_sessions_active', { transport: 'streamable-http' })).toBe(2);
      expect(during.value('mcp_sessions_active', { transport: 'websocket' })).toBe(0);
      await client.callTool({ name: 'obs_ok', arguments: {} });
      await scoped.callTool({ name: 'obs_ok', arguments: {} });
      expect((await scoped.readResource({ uri: 'obs://doc' })).contents).toEqual([{ uri: 'obs://doc', mimeType: 'text/plain', text: 'hello' }]);
      expect((await scoped.getPrompt({ name: 'obs_prompt', arguments: { who: 'Ada' } })).messages[0].content).toMatchObject({ text: 'Hi Ada' });
      for (const c of [client, scoped]) {
        await (c.transport as unknown as { terminateSession(): Promise<void> }).terminateSession();
        await c.close();
      }

      const after = await scrape(gw.url);
      const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
      expect(delta('tool_calls_total', { tool: 'obs_ok', server: 'local', status: 'success' })).toBe(4);
      expect(delta('tool_calls_total', { tool: 'obs_fail', server: 'local', status: 'error' })).toBe(1);
      expect(delta('tool_calls_total', { tool: 'obs_fail', server: 'local', status: 'success' })).toBe(0);
      expect(after.series('tool_calls_total').some((s) => s.labels.tool === 'no_such_tool')).toBe(false);
      expect(delta('tool_call_duration_seconds_count', { tool: 'obs_ok', server: 'local' })).toBe(4);
      expect(delta('tool_call_duration_seconds_sum', { tool: 'obs_ok', server: 'local' })).toBeGreaterThan(0);
      expect(delta('tool_call_duration_seconds_bucket', { tool: 'obs_ok', server: 'local', le: '+Inf' })).toBe(4);
      expect(delta('http_requests_total', { method: 'POST', route: '/rpc', status: '200' })).toBe(4);
      expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/rpc', status: '200' })).toBe(4);
      // Every POST the clients made, by status, counted exactly once: requests (initialize, then a call; a call, a
      // read and a prompt) are answered 200, the `initialized` notification 202.
      expect([global.get('POST 200'), global.get('POST 202')]).toEqual([2, 1]);
      expect([perServer.get('POST 200'), perServer.get('POST 202')]).toEqual([4, 1]);
      for (const [route, sent] of [['/mcp', global], ['/servers/:id/mcp', perServer]] as const) {
        const posts = [...sent].filter(([key]) => key.startsWith('POST '));
        for (const [key, count] of posts) {
          const labels = { method: 'POST', route, status: key.split(' ')[1] };
          expect([labels, delta('http_requests_total', labels)]).toEqual([labels, count]);
          expect([labels, delta('http_request_duration_seconds_count', labels)]).toEqual([labels, count]);
        }
        expect(delta('http_requests_total', { method: 'DELETE', route, status: '200' })).toBe(sent.get('DELETE 200'));
      }
      expect(after.value('mcp_sessions_active', { transport: 'streamable-http' })).toBe(0);
      // Route patterns, never raw paths: ids do not become series.
      expect(after.text).not.toContain(ids.server);
      // Node process metrics are there too.
      expect(after.families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
      expect(after.families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
      for (const name of ['tool_calls_total', 'tool_call_duration_seconds', 'http_requests_total', 'http_request_duration_seconds', 'mcp_sessions_active', 'gateway_up', 'cache_hits_total', 'cache_misses_total', 'rate_limit_rejections_total']) {
        expect([name, after.families.has(name)]).toEqual([name, true]);
      }
      expect((await http.get('/metrics/prometheus').expect(200)).text).toContain('tool_calls_total');
    });

    it('reports per-entity metrics in entity responses and the summary, and resets them', async () => {
      const tool = (await http.get(`/tools/${ids.ok}`).expect(200)).body;
      expect(tool.metrics).toMatchObject({ totalExecutions: 4, successfulExecutions: 4, failedExecutions: 0, failureRate: 0 });
      expect(tool.metrics.minResponseTime).toBeGreaterThan(0);
      expect(tool.metrics.minResponseTime).toBeLessThanOrEqual(tool.metrics.avgResponseTime);
      expect(tool.metrics.avgResponseTime).toBeLessThanOrEqual(tool.metrics.maxResponseTime);
      expect(Date.parse(tool.metrics.lastExecutionTime)).toBeGreaterThan(Date.now() - 60_000);
      const fail = (await http.get(`/tools/${ids.fail}`).expect(200)).body.metrics;
      expect(fail).toMatchObject({ totalExecutions: 1, failedExecutions: 1, failureRate: 1, lastError: expect.stringMatching(/500/) });
      const list = (await http.get('/tools').expect(200)).body as Array<{ id: string; metrics: { totalExecutions: number } }>;
      expect(Object.fromEntries(list.map((t) => [t.id, t.metrics.totalExecutions]))).toEqual({ [ids.ok]: 4, [ids.fail]: 1 });
      // Executions through the virtual server count for it: one tool call, one read, one prompt.
      expect((await http.get(`/servers/${ids.server}`).expect(200)).body.metrics).toMatchObject({ totalExecutions: 3, failedExecutions: 0 });
      expect((await http.get(`/servers/${ids.server}/tools`).expect(200)).body[0].metrics.totalExecutions).toBe(4);
      expect((await http.get(`/resources/${ids.resource}/info`).expect(200)).body.metrics.totalExecutions).toBe(1);
      expect((await http.get(`/prompts/${ids.prompt}/info`).expect(200)).body.metrics.totalExecutions).toBe(1);
      // Content routes carry content only.
      expect((await http.get(`/resources/${ids.resource}`).expect(200)).body.metrics).toBeUndefined();

      const summary = (await http.get('/metrics/summary').expect(200)).body;
      expect(summary.tools).toMatchObject({ totalExecutions: 5, successfulExecutions: 4, failedExecutions: 1, failureRate: 0.2 });
      expect(summary.resources.totalExecutions).toBe(1);
      expect(summary.prompts.totalExecutions).toBe(1);
      expect(summary.servers.totalExecutions).toBe(3);
      expect(summary.topTools[0]).toMatchObject({ id: ids.ok, metrics: { totalExecutions: 4 } });

      const bad = await http.post('/metrics/reset?entity=gizmo').expect(422);
      expect(bad.body.message).toBe('entity: must be one of tool, resource, prompt, server');
      expect((await http.post(`/metrics/reset?entity_id=${ids.ok}`).expect(422)).body.message).toMatch(/entity/);
      expect((await http.post(`/metrics/reset?entity=tools&entity_id=${ids.ok}`).expect(200)).body.removed).toBe(1);
      expect((await http.get(`/tools/${ids.ok}`).expect(200)).body.metrics).toMatchObject({ totalExecutions: 0, avgResponseTime: null, lastExecutionTime: null });
      expect((await http.get(`/tools/${ids.fail}`).expect(200)).body.metrics.totalExecutions).toBe(1);
      await http.post('/metrics/reset').expect(200);
      expect((await http.get('/metrics/summary').expect(200)).body.tools.totalExecutions).toBe(0);
    });

    it('counts an open legacy SSE session under mcp_sessions_active{transport="sse"} until it closes', async () => {
      expect((await scrape(gw.url)).value('mcp_sessions_active', { transport: 'sse' })).toBe(0);
      const client = new Client({ name: 'sse', version: '1.0.0' });
      await client.connect(new SSEClientTransport(new URL(`${gw.url}/servers/${ids.server}/sse`)));
      expect(firstText(await client.callTool({ name: 'obs_ok', arguments: {} }))).toContain('/ok');
      const open = await scrape(gw.url);
      expect(open.value('mcp_sessions_active', { transport: 'sse' })).toBe(1);
      expect(open.value('mcp_sessions_active', { transport: 'streamable-http' })).toBe(0);
      expect(open.series('mcp_sessions_active').map((s) => s.labels.transport).sort()).toEqual(['sse', 'streamable-http', 'websocket']);
      await client.close();
      await until(async () => (await scrape(gw.url)).value('mcp_sessions_active', { transport: 'sse' }) === 0);
    });

    it('keeps per-entity metrics across restarts (written at shutdown) and drops them with the entity', async () => {
      const db = await createTestDatabase();
      const first = await startGateway({ METRICS_FLUSH_INTERVAL: '3600' }, db);
      let second: TestGateway | undefined;
      try {
        const id = (await request(first.url).post('/tools').send({ name: 'kept', url: `${api.url}/ok`, requestType: 'GET' }).expect(200)).body.id;
        for (let i = 0; i < 3; i++) await request(first.url).post('/rpc').send(rpc(i, 'kept')).expect(200);
        await first.close();
        second = await startGateway({}, db);
        expect((await request(second.url).get(`/tools/${id}`).expect(200)).body.metrics.totalExecutions).toBe(3);
        await request(second.url).delete(`/tools/${id}`).expect(200);
        expect((await request(second.url).get('/metrics/summary').expect(200)).body.tools.totalExecutions).toBe(0);
      } finally {
        await second?.close();
        await db.drop();
      }
    });

    it('propagates X-Request-ID: echoed to the caller and sent upstream, generated when absent', async () => {
      const given = await http.post('/rpc').set('x-request-id', 'trace-abc.123').send(rpc(10, 'obs_ok')).expect(200);
      expect(given.headers['x-request-id']).toBe('trace-abc.123');
      expect(JSON.parse(given.body.result.content[0].text).requestId).toBe('trace-abc.123');
      const generated = await http.post('/rpc').send(rpc(11, 'obs_ok')).expect(200);
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.parse(generated.body.result.content[0].text).requestId).toBe(generated.headers['x-request-id']);
      // A malformed id is replaced, not propagated.
      const bad = await http.post('/rpc').set('x-request-id', 'bad id\twith spaces').send(rpc(12, 'obs_ok')).expect(200);
      expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      // Over Streamable HTTP, the id of the POST carrying the call reaches the upstream.
      const client = await connectMcp(`${gw.url}/mcp`, { headers: { 'x-request-id': 'mcp-call-7' } });
      expect(JSON.parse(firstText(await client.callTool({ name: 'obs_ok', arguments: {} }))).requestId).toBe('mcp-call-7');
      await client.close();
    });

    it('sends the checked X-Request-ID from resource fetches, the admin tool test and WebSocket sessions', async () => {
      const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      // An HTTP-backed resource, fetched on every read: the upstream sees the id of the read's request.
      await http.post('/resources').send({ uri: 'obs://fetched', name: 'fetched', contentUrl: `${api.url}/ok`, cacheTtl: 0 }).expect(200);
      const read = async (id?: string) => {
        const req = http.post('/rpc');
        if (id) req.set('x-request-id', id);
        const res = await req.send({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'obs://fetched' } }).expect(200);
        return { header: res.headers['x-request-id'] as string, sent: JSON.parse(res.body.result.contents[0].text).requestId as string };
      };
      expect((await read('resource-read-1')).sent).toBe('resource-read-1');
      const replaced = await read('not valid!');
      expect(replaced.sent).toMatch(UUID);
      expect(replaced.sent).toBe(replaced.header);

      // The admin UI's "test tool" sends the checked id, never the raw header.
      const csrf = gw.app.get(AdminSession).csrfToken(ANONYMOUS);
      const before = api.requests.length;
      await http.post(`/admin/tools/${ids.ok}/test`).set('x-csrf-token', csrf).set('x-request-id', 'raw id\twith tab').type('form').send({}).expect(200);
      const tested = api.requests.slice(before).map((r) => r.headers['x-request-id']);
      expect(tested).toHaveLength(1);
      expect(tested[0]).toMatch(UUID);

      // WebSocket: the id is checked once at the upgrade and used for every message of the connection.
      const callsOver = async (headers: Record<string, string>) => {
        const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, 'mcp', { headers });
        const replies = new Map<number, { result?: { content: Array<{ text: string }> } }>();
        ws.on('message', (data) => {
          const m = JSON.parse(data.toString());
          if (typeof m.id === 'number') replies.set(m.id, m);
        });
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ws-test', version: '1' } } }));
        await until(() => replies.has(0));
        ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
        for (const id of [1, 2]) ws.send(JSON.stringify(rpc(id, 'obs_ok')));
        await until(() => replies.has(1) && replies.has(2));
        ws.close();
        return [1, 2].map((id) => JSON.parse(replies.get(id)!.result!.content[0].text).requestId as string);
      };
      expect(await callsOver({ 'x-request-id': 'ws-conn-5' })).toEqual(['ws-conn-5', 'ws-conn-5']);
      const [first, second] = await callsOver({ 'x-request-id': 'bad id with spaces' });
      expect(first).toMatch(UUID);
      expect(second).toBe(first);
    });

    it('sends the X-Request-ID of a call to the peer gateway that serves it', async () => {
      // A stateless SDK peer whose tool answers with the X-Request-ID of the HTTP request that carried the call.
      const peer = createServer((req, res) => {
        const server = new McpServer({ name: 'idpeer', version: '1.0.0' });
        server.registerTool('whoami', {}, async (extra) => ({ content: [{ type: 'text', text: String(extra.requestInfo?.headers['x-request-id']) }] }));
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        res.on('close', () => void server.close());
        void server.connect(transport).then(() => transport.handleRequest(req, res));
      });
      await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
      try {
        const port = (peer.address() as { port: number }).port;
        const gateway = (await http.post('/gateways').send({ name: 'idpeer', url: `http://127.0.0.1:${port}/mcp` }).expect(200)).body;
        const call = await http.post('/rpc').set('x-request-id', 'peer-call-3').send(rpc(20, 'idpeer-whoami')).expect(200);
        expect(call.body.result.content[0].text).toBe('peer-call-3');
        await http.delete(`/gateways/${gateway.id}`).expect(200);
      } finally {
        peer.closeAllConnections();
        await new Promise((r) => peer.close(r));
      }
    });
  });

  describe('per-entity metrics reset on two replicas sharing Redis and PostgreSQL', () => {
    let db: TestDatabase;
    let redis: DedicatedRedis;
    let a: TestGateway;
    let b: TestGateway;
    const tools: Record<string, string> = {};
    const executions = async (gw: TestGateway, id: string) => (await request(gw.url).get(`/tools/${id}`).expect(200)).body.metrics.totalExecutions as number;
    const call = async (gw: TestGateway, name: string, times: number) => {
      for (let i = 0; i < times; i++) expect((await request(gw.url).post('/rpc').send(rpc(i, name)).expect(200)).body.result.isError).toBeFalsy();
    };

    beforeAll(async () => {
      [db, redis] = await Promise.all([createTestDatabase('postgres'), startDedicatedRedis()]);
      // Executions stay unwritten until a read or shutdown writes them.
      const env = { REDIS_URL: redis.url, METRICS_FLUSH_INTERVAL: '3600' };
      a = await startGateway(env, db);
      b = await startGateway(env, db);
      for (const name of ['reset_one', 'reset_two']) tools[name] = (await request(a.url).post('/tools').send({ name, url: `${api.url}/ok`, requestType: 'GET' }).expect(200)).body.id;
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await redis?.stop();
      await db?.drop();
    });

    it("drops the other replica's unwritten executions from before a reset, and keeps counting after it", async () => {
      await call(b, 'reset_one', 3);
      await call(b, 'reset_two', 2);
      // One entity: B forgets its unwritten calls of reset_one only.
      await request(a.url).post(`/metrics/reset?entity=tool&entity_id=${tools.reset_one}`).expect(200);
      await until(async () => (await executions(b, tools.reset_one)) === 0);
      expect(await executions(b, tools.reset_two)).toBe(2);
      expect(await executions(a, tools.reset_one)).toBe(0);
      expect(await executions(a, tools.reset_two)).toBe(2);

      // Everything: B's unwritten calls are dropped, whatever the tool.
      await call(b, 'reset_one', 1);
      await call(b, 'reset_two', 4);
      await request(a.url).post('/metrics/reset').expect(200);
      await until(async () => (await executions(b, tools.reset_two)) === 0);
      expect(await executions(b, tools.reset_one)).toBe(0);
      expect((await request(a.url).get('/metrics/summary').expect(200)).body.tools.totalExecutions).toBe(0);

      // Calls after the reset count, on every replica.
      await call(b, 'reset_one', 1);
      expect(await executions(b, tools.reset_one)).toBe(1);
      expect(await executions(a, tools.reset_one)).toBe(1);
      expect((await request(a.url).get('/metrics/summary').expect(200)).body.tools).toMatchObject({ totalExecutions: 1, successfulExecutions: 1 });
    });
  });

  describe('access to /metrics', () => {
    const AUTH = { AUTH_REQUIRED: 'true', JWT_SECRET_KEY: 'observability-test-secret-0123456789abcdef', BASIC_AUTH_USER: 'ops', BASIC_AUTH_PASSWORD: 'pw-123456' };
    const basic = `Basic ${Buffer.from('ops:pw-123456').toString('base64')}`;

    it('needs credentials unless METRICS_PUBLIC, and the JSON summary always does', async () => {
      const closed = await startGateway(AUTH);
      try {
        await request(closed.url).get('/metrics').expect(401);
        await scrape(closed.url, { authorization: basic });
      } finally {
        await closed.close();
      }
      const open = await startGateway({ ...AUTH, METRICS_PUBLIC: 'true' });
      try {
        await scrape(open.url);
        await request(open.url).get('/metrics/summary').expect(401);
        await request(open.url).post('/metrics/reset').expect(401);
      } finally {
        await open.close();
      }
    });

    it('answers 503 when ENABLE_METRICS=false', async () => {
      const gw = await startGateway({ ENABLE_METRICS: 'false' });
      try {
        expect((await request(gw.url).get('/metrics').expect(503)).body.message).toMatch(/ENABLE_METRICS/);
      } finally {
        await gw.close();
      }
    });
  });

  describe('tracing', () => {
    it('exports a span per tool call to an OTLP/HTTP collector when enabled', async () => {
      const received: Array<{ path?: string; body: string; headers: Record<string, unknown> }> = [];
      const collector: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ path: req.url, body: Buffer.concat(chunks).toString(), headers: req.headers });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
      const port = (collector.address() as { port: number }).port;
      const gw = await startGateway({ OTEL_ENABLE_OBSERVABILITY: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k1', OTEL_SERVICE_NAME: 'gw-under-test' });
      try {
        await request(gw.url).post('/tools').send({ name: 'traced', url: `${api.url}/fail`, requestType: 'GET' }).expect(200);
        await request(gw.url).post('/rpc').send(rpc(1, 'traced')).expect(200);
        const batch = await until(() => received.find((r) => r.body.includes('tools/call traced')), 10_000);
        expect(batch.path).toBe('/v1/traces');
        expect(batch.headers['x-api-key']).toBe('k1');
        const payload = JSON.parse(batch.body);
        const resource = payload.resourceSpans[0].resource.attributes;
        expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'gw-under-test' } });
        const span = payload.resourceSpans[0].scopeSpans[0].spans.find((s: { name: string }) => s.name === 'tools/call traced');
        expect(span.attributes).toContainEqual({ key: 'mcp.server', value: { stringValue: 'local' } });
        // The upstream answered 500: an isError result, so the span is marked failed.
        expect(span.status.code).toBe(2);
      } finally {
        await gw.close();
        await new Promise((r) => collector.close(r));
      }
    });
  });

  describe('health probes', () => {
    it('/health is liveness: up while the event loop runs, down right after it was blocked, and independent of dependencies', async () => {
      const gw = await startGateway({ EVENT_LOOP_MAX_DELAY: '200' });
      try {
        const ok = (await request(gw.url).get('/health').expect(200)).body;
        expect(ok).toMatchObject({ status: 'ok', details: { eventLoop: { status: 'up', limitMs: 200 }, database: { status: 'up', reachable: true, latencyMs: expect.any(Number) } } });
        const deadline = Date.now() + 400;
        while (Date.now() < deadline); // block this process's event loop for 400 ms
        const blocked = (await request(gw.url).get('/health').expect(503)).body;
        expect(blocked).toMatchObject({ status: 'error', error: { eventLoop: { status: 'down', message: expect.stringMatching(/blocked for \d+ ms/) } } });
        expect((await request(gw.url).get('/health').expect(200)).body.status).toBe('ok');
      } finally {
        await gw.close();
      }
    });

    it('/ready reports Redis down while it is stopped and up again when it returns; /health stays up', async () => {
      const redis = await startDedicatedRedis();
      const gw = await startGateway({ REDIS_URL: redis.url, HEALTH_PROBE_TIMEOUT: '1' });
      try {
        expect((await request(gw.url).get('/ready').expect(200)).body).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, redis: { status: 'up' }, migrations: { status: 'up' } } });
        await redis.stop();
        const down = await until(async () => {
          const res = await request(gw.url).get('/ready');
          return res.status === 503 && res.body;
        });
        expect(down).toMatchObject({ status: 'error', error: { redis: { status: 'down' } }, info: { database: { status: 'up' } } });
        await request(gw.url).get('/health').expect(200);
        await redis.start();
        await until(async () => (await request(gw.url).get('/ready')).status === 200, 15_000);
      } finally {
        await gw.close();
        await redis.stop();
      }
    });

    it('/ready reports the database down while PostgreSQL refuses connections, within the probe timeout, and recovers', async () => {
      const db = await createTestDatabase('postgres');
      const name = new URL(db.url).pathname.slice(1);
      const admin = new DataSource({ type: 'postgres', url: PG_ADMIN_URL });
      await admin.initialize();
      const gw = await startGateway({ HEALTH_PROBE_TIMEOUT: '2' }, db);
      try {
        expect((await request(gw.url).get('/ready').expect(200)).body.details.database.status).toBe('up');
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        const started = Date.now();
        const res = await request(gw.url).get('/ready').expect(503);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(res.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
        // Liveness stays 200 (a database outage must not restart pods) and tells that the database is unreachable.
        const liveStarted = Date.now();
        const live = (await request(gw.url).get('/health').expect(200)).body;
        expect(Date.now() - liveStarted).toBeLessThan(5000);
        expect(live).toMatchObject({ status: 'degraded', info: { eventLoop: { status: 'up' }, database: { status: 'degraded', reachable: false, message: expect.any(String) } } });
        expect(live.error).toEqual({});
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
        await until(async () => (await request(gw.url).get('/ready')).status === 200, 15_000);
        expect((await request(gw.url).get('/health').expect(200)).body).toMatchObject({ status: 'ok', details: { database: { reachable: true } } });
      } finally {
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
        await gw.close();
        await admin.destroy();
        await db.drop();
      }
    });
  });

  describe('a gateway process', () => {
    it('logs JSON lines with the request id and no credentials, serves a scrape and both probes, and drains on SIGTERM', async () => {
      const db = await createTestDatabase('sqlite');
      const gw = await spawnGateway({
        DATABASE_URL: db.url,
        ENVIRONMENT: 'production',
        JWT_SECRET_KEY: 'process-test-secret-0123456789abcdefghij',
        AUTH_ENCRYPTION_SECRET: 'process-test-encryption-secret-0123456789',
        BASIC_AUTH_USER: 'ops',
        BASIC_AUTH_PASSWORD: 'hunter2-very-secret',
        METRICS_PUBLIC: 'true',
        LOG_LEVEL: 'info',
        SHUTDOWN_GRACE_PERIOD: '2',
      });
      try {
        await request(gw.url).get('/tools').set('x-request-id', 'log-line-42').auth('ops', 'hunter2-very-secret').expect(200);
        await request(gw.url).get('/tools').set('authorization', 'Bearer not.a.valid-token').expect(401);
        parseExposition((await request(gw.url).get('/metrics').expect(200)).text);
        await request(gw.url).get('/health').expect(200);
        await request(gw.url).get('/ready').expect(200);

        const lines = await until(() => {
          const parsed = gw.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
          return parsed.some((l) => (l.req as { id?: string } | undefined)?.id === 'log-line-42') && parsed;
        });
        const line = lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'log-line-42')!;
        expect(line).toMatchObject({ level: 30, msg: 'request completed', req: { method: 'GET', url: '/tools' }, res: { statusCode: 200 } });
        expect(lines.some((l) => (l.req as { url?: string } | undefined)?.url === '/health')).toBe(false);
        expect(gw.output()).not.toContain('hunter2-very-secret');
        expect(gw.output()).not.toContain(Buffer.from('ops:hunter2-very-secret').toString('base64'));
        expect(gw.output()).not.toContain('not.a.valid-token');

        gw.child.kill('SIGTERM');
        const draining = await until(async () => {
          const res = await request(gw.url).get('/ready');
          return res.status === 503 && res.body;
        });
        expect(draining.status).toBe('shutting_down');
        await new Promise<void>((resolve) => (gw.child.exitCode !== null || gw.child.signalCode !== null ? resolve() : gw.child.once('exit', () => resolve())));
        // Nest re-raises the signal once its shutdown hooks ran.
        expect([gw.child.exitCode, gw.child.signalCode]).toContainEqual(gw.child.exitCode === 0 ? 0 : 'SIGTERM');
      } finally {
        await gw.stop();
        await db.drop();
      }
    });
  });
});
