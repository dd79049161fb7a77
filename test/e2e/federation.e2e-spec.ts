import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  type McpError,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import request from 'supertest';
import WebSocket from 'ws';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { closedPort } from '../support/http-upstream';
import { connectMcp, firstText, rpcError, until } from '../support/mcp';
import { scrape } from '../support/prometheus';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;




describe('federation: registering peers, syncing and forwarding', () => {
  let gw: TestGateway;
  let alpha: FixtureServer;
  let beta: FixtureServer;
  let http: ReturnType<typeof request>;
  let alphaId: string;

  beforeAll(async () => {
    [gw, alpha, beta] = await Promise.all([startGateway({ TOOL_TIMEOUT: '2', HEALTH_CHECK_INTERVAL: '3600' }), startFixture({ name: 'alpha' }), startFixture({ name: 'beta' })]);
    http = request(gw.url);
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all([alpha.stop(), beta.stop()]);
  });

  it('registers a Streamable HTTP peer and stores its catalog under namespaced names', async () => {
    const res = await http.post('/gateways').send({ name: 'Alpha Peer', url: alpha.mcpUrl, tags: ['upstream'] }).expect(200);
    alphaId = res.body.id;
    expect(res.body).toMatchObject({
      slug: 'alpha-peer',
      transport: 'STREAMABLEHTTP',
      namespaced: true,
      reachable: true,
      serverInfo: { name: 'alpha', version: '1.0.0' },
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true } },
    });
    const tools = (await http.get(`/tools?gateway_id=${alphaId}&limit=0`)).body as Array<Record<string, unknown>>;
    expect(tools.map((t) => t.name)).toContain('alpha-peer-test-simple-text');
    expect(tools.find((t) => t.name === 'alpha-peer-echo')).toMatchObject({
      originalName: 'echo',
      integrationType: 'MCP',
      requestType: 'STREAMABLEHTTP',
      federationSource: 'Alpha Peer',
      createdVia: 'federation',
      gatewayId: alphaId,
      annotations: { readOnlyHint: true },
    });
    const resources = (await http.get(`/resources?gateway_id=${alphaId}&limit=0`)).body as Array<Record<string, unknown>>;
    expect(resources.map((r) => r.uri).sort()).toEqual(['test://static-binary', 'test://static-text', 'test://template/{id}/data', 'test://watched-resource']);
    const prompts = (await http.get(`/prompts?gateway_id=${alphaId}&limit=0`)).body as Array<{ name: string }>;
    expect(prompts.map((p) => p.name)).toContain('alpha-peer-test-prompt-with-arguments');
    const audit = await http.get(`/audit?entity_type=tool&action=create&limit=500`);
    expect(audit.body.items.filter((e: { via: string }) => e.via === 'federation').length).toBeGreaterThanOrEqual(tools.length);
  });

  it('refuses an unreachable peer with 502 naming the cause, and a duplicate with 409; nothing is stored', async () => {
    const before = (await http.get('/tools?limit=0&include_inactive=true')).body.length;
    const down = await http.post('/gateways').send({ name: 'Nowhere', url: `http://127.0.0.1:${await closedPort()}/mcp` }).expect(502);
    expect(down.body.message).toMatch(/Cannot connect to peer 'Nowhere' at http:\/\/127\.0\.0\.1:\d+\/mcp: .*ECONNREFUSED/);
    await http.post('/gateways').send({ name: 'alpha again', url: alpha.mcpUrl }).expect(409);
    await http.post('/gateways').send({ name: 'alpha_peer', url: beta.mcpUrl }).expect(409);
    expect((await http.get('/gateways')).body).toHaveLength(1);
    expect((await http.get('/tools?limit=0&include_inactive=true')).body.length).toBe(before);
  });

  it('registers an SSE peer with verbatim names, and refuses a second one whose names would clash', async () => {
    const res = await http.post('/gateways').send({ name: 'Beta SSE', url: beta.sseUrl, namespaced: false }).expect(200);
    expect(res.body.transport).toBe('SSE');
    // Resource URIs cannot be namespaced: the ones Alpha already serves are skipped and reported, not shadowed.
    expect(res.body.lastError).toMatch(/Peer 'Beta SSE' exposes resource 'test:\/\/static-text', which conflicts with an existing resource of that name \(from peer 'Alpha Peer'\)/);
    expect((await http.get(`/resources?gateway_id=${res.body.id}&limit=0`)).body).toEqual([]);
    expect((await http.get(`/tools?gateway_id=${res.body.id}&limit=0`)).body.map((t: { name: string }) => t.name)).toContain('test_simple_text');
    const clash = await http.post('/gateways').send({ name: 'Beta again', url: beta.mcpUrl, namespaced: false }).expect(409);
    expect(clash.body.message).toMatch(/Peer 'Beta again' exposes (tool|resource|prompt) '.+', which conflicts with an existing .* \(from peer 'Beta SSE'\)/);
    expect((await http.get('/gateways')).body).toHaveLength(2);
  });

  it('forwards calls over every transport, with the upstream name, reusing one upstream session per client', async () => {
    const before = await alpha.admin('stats');
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      for (let i = 0; i < 5; i++) expect(firstText(await client.callTool({ name: 'alpha-peer-echo', arguments: { text: `hi ${i}` } }))).toBe(`hi ${i}`);
      expect(firstText(await client.callTool({ name: 'test_simple_text', arguments: {} }))).toBe('This is a simple text response for testing.');
    } finally {
      await client.close();
    }
    // five calls from one client: one upstream handshake, not five
    expect((await alpha.admin('stats')).initializes - before.initializes).toBe(1);

    const rpc = await http.post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'alpha-peer-add', params: { a: 2, b: 40 } }).expect(200);
    expect(rpc.body.result.content[0].text).toBe('42');

    for (const transport of [new SSEClientTransport(new URL(`${gw.url}/sse`)), new WebSocketClientTransport(new URL(`${gw.url.replace('http', 'ws')}/ws`))]) {
      const c = new Client({ name: 'e2e', version: '1' });
      await c.connect(transport);
      expect(firstText(await c.callTool({ name: 'alpha-peer-add', arguments: { a: 1, b: 1 } }))).toBe('2');
      await c.close();
    }
  });

  it('preserves content types and isError, reads resources and templates, and renders peer prompts', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      expect((await client.callTool({ name: 'alpha-peer-test-image-content', arguments: {} })).content).toEqual([expect.objectContaining({ type: 'image', mimeType: 'image/png' })]);
      expect(await client.callTool({ name: 'alpha-peer-test-error-handling', arguments: {} })).toMatchObject({ isError: true, content: [{ text: 'This tool intentionally returns an error for testing' }] });
      expect((await client.readResource({ uri: 'test://static-text' })).contents[0]).toMatchObject({ text: 'This is the content of the static text resource.' });
      expect(JSON.parse(((await client.readResource({ uri: 'test://template/42/data' })).contents[0] as { text: string }).text)).toMatchObject({ id: '42' });
      const prompt = await client.getPrompt({ name: 'alpha-peer-test-prompt-with-arguments', arguments: { arg1: 'a', arg2: 'b' } });
      expect(prompt.messages[0].content).toEqual({ type: 'text', text: "Prompt with arguments: arg1='a', arg2='b'" });
    } finally {
      await client.close();
    }
    // The REST API reads and renders federated entities at their peer too.
    const res = (await http.get(`/resources?gateway_id=${alphaId}&limit=0`)).body.find((r: { uri: string }) => r.uri === 'test://static-text');
    expect((await http.get(`/resources/${res.id}`).expect(200)).body).toMatchObject({ uri: 'test://static-text', text: 'This is the content of the static text resource.' });
    const rendered = await http.post('/prompts/alpha-peer-test-prompt-with-arguments').send({ arg1: 'x', arg2: 'y' }).expect(200);
    expect(rendered.body.messages[0].content.text).toBe("Prompt with arguments: arg1='x', arg2='y'");
  });

  it('forwards logging/setLevel to the peer sessions a client has, and new ones inherit the level', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    const late = await connectMcp(`${gw.url}/mcp`);
    try {
      await client.callTool({ name: 'alpha-peer-echo', arguments: { text: 'open a session to the peer' } });
      await client.setLoggingLevel('warning');
      expect((await alpha.admin('stats')).logLevel).toBe('warning');
      // No session to the peer yet: the level is applied when one opens.
      await late.setLoggingLevel('critical');
      expect((await alpha.admin('stats')).logLevel).toBe('warning');
      await late.callTool({ name: 'alpha-peer-echo', arguments: { text: 'x' } });
      expect((await alpha.admin('stats')).logLevel).toBe('critical');
    } finally {
      await Promise.all([client.close(), late.close()]);
    }
  });

  it('forwards completion/complete under the upstream names and returns the peer’s values', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      const prompt = await client.complete({ ref: { type: 'ref/prompt', name: 'alpha-peer-test-prompt-with-arguments' }, argument: { name: 'arg1', value: 'par' } });
      expect(prompt.completion).toEqual({ values: ['paris', 'park', 'party'], total: 3, hasMore: false });
      const template = await client.complete({ ref: { type: 'ref/resource', uri: 'test://template/{id}/data' }, argument: { name: 'id', value: '12' } });
      expect(template.completion.values).toEqual(['12', '123']);
      expect((await alpha.admin('stats')).completions.slice(-2)).toEqual([
        { ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg1', value: 'par' } },
        { ref: { type: 'ref/resource', uri: 'test://template/{id}/data' }, argument: { name: 'id', value: '12' } },
      ]);
    } finally {
      await client.close();
    }
  });

  it('names the peer in its JSON-RPC errors: an isError result for tools, the error with its code for resources and prompts', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      const tool = await client.callTool({ name: 'alpha-peer-mcp-error', arguments: {} });
      expect(tool).toEqual({ isError: true, content: [{ type: 'text', text: "Tool alpha-peer-mcp-error failed: Peer 'Alpha Peer': tool failed on purpose in alpha" }] });
      const resource = await rpcError(client.readResource({ uri: 'test://template/error/data' }));
      expect(resource).toMatchObject({ code: -32042, message: "MCP error -32042: Peer 'Alpha Peer': resource failed on purpose in alpha" });
      const prompt = await rpcError(client.getPrompt({ name: 'alpha-peer-failing-prompt' }));
      expect(prompt).toMatchObject({ code: -32042, message: "MCP error -32042: Peer 'Alpha Peer': prompt failed on purpose in alpha" });
    } finally {
      await client.close();
    }
    const rpc = await http.post('/rpc').send({ jsonrpc: '2.0', id: 9, method: 'resources/read', params: { uri: 'test://template/error/data' } }).expect(200);
    expect(rpc.body.error).toMatchObject({ code: -32042, message: "Peer 'Alpha Peer': resource failed on purpose in alpha" });
  });

  it('relays in-call logging and progress to the caller, and sampling/elicitation requests both ways', async () => {
    const client = await connectMcp(`${gw.url}/mcp`, { capabilities: { sampling: {}, elicitation: {} } });
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      role: 'assistant',
      content: { type: 'text', text: `sampled: ${(req.params.messages[0].content as { text: string }).text}` },
      model: 'test-model',
    }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }));
    try {
      await client.setLoggingLevel('debug');
      await client.callTool({ name: 'alpha-peer-test-tool-with-logging', arguments: {} });
      expect(logs).toEqual(['Tool execution started', 'Tool processing data', 'Tool execution completed']);

      const progress: number[] = [];
      await client.callTool({ name: 'alpha-peer-test-tool-with-progress', arguments: {} }, undefined, { onprogress: (p) => void progress.push(p.progress) });
      expect(progress).toEqual([0, 50, 100]);

      expect(firstText(await client.callTool({ name: 'alpha-peer-test-sampling', arguments: { prompt: 'hello' } }))).toBe('LLM response: sampled: hello');
      expect(firstText(await client.callTool({ name: 'alpha-peer-test-elicitation', arguments: { message: 'who?' } }))).toMatch(/User response: action=accept.*ada@example.com/);
    } finally {
      await client.close();
    }
    // A client without the sampling capability gets the peer's own answer for that case.
    const plain = await connectMcp(`${gw.url}/mcp`);
    expect(await plain.callTool({ name: 'alpha-peer-test-sampling', arguments: { prompt: 'x' } })).toMatchObject({ isError: true, content: [{ text: 'Client does not support sampling' }] });
    await plain.close();
  });

  it('reports upstream errors with the peer named, and a slow upstream as an isError timeout', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      const bad = await rpcError(client.callTool({ name: 'alpha-peer-echo', arguments: { text: 5 } }));
      expect(bad.code).toBe(-32602); // our own validation, before any upstream call
      const slow = await client.callTool({ name: 'alpha-peer-slow', arguments: { ms: 5000 } });
      expect(slow).toMatchObject({ isError: true, content: [{ text: "Peer 'Alpha Peer' did not answer alpha-peer-slow within 2 s" }] });
      const missing = await rpcError(client.readResource({ uri: 'test://template/x/nothing' }));
      expect(missing.code).toBe(-32002);
    } finally {
      await client.close();
    }
  });

  it('stops a call at TOOL_TIMEOUT even while the peer keeps reporting progress', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    const progress: number[] = [];
    try {
      const started = Date.now();
      const result = await client.callTool({ name: 'alpha-peer-long-progress', arguments: { seconds: 10, intervalMs: 500 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
      const elapsed = Date.now() - started;
      expect(result).toMatchObject({ isError: true, content: [{ text: "Peer 'Alpha Peer' did not answer alpha-peer-long-progress within 2 s" }] });
      expect(elapsed).toBeGreaterThanOrEqual(1900);
      expect(elapsed).toBeLessThan(3500);
      expect(progress.length).toBeGreaterThanOrEqual(2);
    } finally {
      await client.close();
    }
  });

  it('sends the caller’s X-Request-ID to the peer, and counts federated calls under the peer’s name', async () => {
    const labels = { tool: 'alpha-peer-echo', server: 'Alpha Peer' };
    const before = await scrape(gw.url);
    await http.post('/rpc').set('x-request-id', 'fed-1').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'alpha-peer-echo', arguments: { text: 'traced' } } }).expect(200);
    expect((await alpha.admin('stats')).requestIds).toContainEqual({ tool: 'echo', requestId: 'fed-1' });
    for (let i = 0; i < 2; i++) await http.post('/rpc').send({ jsonrpc: '2.0', id: 2 + i, method: 'alpha-peer-echo', params: { text: `n${i}` } }).expect(200);
    const after = await scrape(gw.url);
    const moved = (name: string, extra: Record<string, string> = {}) => after.value(name, { ...labels, ...extra }) - before.value(name, { ...labels, ...extra });
    expect(moved('tool_calls_total', { status: 'success' })).toBe(3);
    expect(moved('tool_call_duration_seconds_count')).toBe(3);
  });

  it('propagates a peer’s list_changed to connected clients, and resources/updated to subscribers', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    let listChanged = 0;
    const updated: string[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    try {
      await new Promise((r) => setTimeout(r, 200));
      await client.subscribeResource({ uri: 'test://watched-resource' });
      // Pool a session to the peer for this client so its notifications can flow.
      await client.callTool({ name: 'alpha-peer-echo', arguments: { text: 'x' } });
      await alpha.admin('tools', { name: 'late_tool' });
      await until(() => listChanged > 0);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('alpha-peer-late-tool');
      await alpha.admin('touch', { uri: 'test://watched-resource' });
      await until(() => updated.includes('test://watched-resource'));
    } finally {
      await client.close();
    }
  });

  it('refreshes on demand and reports counts; tests a peer without changing it', async () => {
    await beta.admin('tools', { name: 'beta_extra' });
    const betaId = (await http.get('/gateways/Beta SSE')).body.id;
    const refreshed = await http.post(`/gateways/${betaId}/tools/refresh`).expect(200);
    expect(refreshed.body).toMatchObject({ success: true, toolsAdded: 1, toolsRemoved: 0 });
    expect(refreshed.body.durationMs).toBeGreaterThanOrEqual(0);
    const probe = await http.post(`/gateways/${alphaId}/test`).expect(200);
    expect(probe.body).toMatchObject({ reachable: true, serverInfo: { name: 'alpha' } });
    expect(probe.body.tools).toContain('echo');
  });

  it('federates a second gateway instance as a peer', async () => {
    const inner = await startGateway();
    try {
      const upstream = await startFixture({ name: 'inner-rest' });
      try {
        await request(inner.url).post('/gateways').send({ name: 'inner fixture', url: upstream.mcpUrl }).expect(200);
        await http.post('/gateways').send({ name: 'Inner Gateway', url: `${inner.url}/mcp` }).expect(200);
        const client = await connectMcp(`${gw.url}/mcp`);
        expect(firstText(await client.callTool({ name: 'inner-gateway-inner-fixture-add', arguments: { a: 3, b: 4 } }))).toBe('7');
        await client.close();
      } finally {
        await upstream.stop();
      }
    } finally {
      await inner.close();
    }
  });

  it('deletes a peer with every entity synced from it', async () => {
    const tools = (await http.get(`/tools?gateway_id=${alphaId}&limit=0`)).body.length;
    expect(tools).toBeGreaterThan(10);
    await http.delete(`/gateways/${alphaId}`).expect(200);
    expect((await http.get(`/tools?gateway_id=${alphaId}&limit=0&include_inactive=true`)).body).toEqual([]);
    expect((await http.get(`/resources?gateway_id=${alphaId}&limit=0&include_inactive=true`)).body).toEqual([]);
    expect((await http.get(`/prompts?gateway_id=${alphaId}&limit=0&include_inactive=true`)).body).toEqual([]);
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      expect((await client.listPrompts()).prompts.map((p) => p.name).filter((n) => n.startsWith('alpha-peer-'))).toEqual([]);
      expect(await rpcError(client.getPrompt({ name: 'alpha-peer-test-simple-prompt' }))).toMatchObject({ message: expect.stringContaining('Unknown prompt') });
    } finally {
      await client.close();
    }
    const trail = await http.get(`/audit?entity_type=tool&action=delete&limit=500`);
    expect(trail.body.items.length).toBeGreaterThanOrEqual(tools);
  });
});
