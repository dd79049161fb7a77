import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ErrorCode,
  McpError,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import request from 'supertest';
import { startGateway, type TestGateway } from '../support/gateway';
import { echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { connectMcp, rpcError, until } from '../support/mcp';



describe('MCP over Streamable HTTP', () => {
  let gw: TestGateway;
  let upstream: HttpUpstream;
  let http: ReturnType<typeof request>;
  let toolIds: Record<string, string> = {};

  beforeAll(async () => {
    [gw, upstream] = await Promise.all([
      startGateway(),
      startHttpUpstream((req, res) => {
        if (req.path !== '/fail') return echo(req, res);
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('maintenance window');
      }),
    ]);
    http = request(gw.url);
    const mk = async (body: Record<string, unknown>) => (await http.post('/tools').send(body).expect(200)).body.id as string;
    toolIds = {
      search: await mk({
        name: 'search',
        description: 'Search things',
        url: `${upstream.url}/items/{category}`,
        requestType: 'GET',
        inputSchema: { type: 'object', properties: { category: { type: 'string' }, q: { type: 'string' }, limit: { type: 'integer', minimum: 1 } }, required: ['category', 'q'] },
        auth: { authType: 'bearer', token: 'upstream-token' },
        annotations: { readOnlyHint: true },
      }),
      create: await mk({ name: 'create_item', url: `${upstream.url}/items`, requestType: 'POST', inputSchema: { type: 'object', properties: { name: { type: 'string' } } } }),
      failing: await mk({ name: 'failing', url: `${upstream.url}/fail`, requestType: 'GET' }),
      dead: await mk({ name: 'dead', url: 'http://127.0.0.1:1/nothing', requestType: 'GET' }),
    };
    await http.post('/resources').send({ uri: 'docs://readme', name: 'README', content: '# Read me', mimeType: 'text/markdown' }).expect(200);
    await http.post('/resources').send({ uri: 'docs://logo', name: 'Logo', blob: Buffer.from('PNG').toString('base64'), mimeType: 'image/png' }).expect(200);
    await http.post('/resources').send({ uri: 'docs://logs/{day}', name: 'Daily log', uriTemplate: 'docs://logs/{day}' }).expect(200);
    await http.post('/prompts').send({ name: 'summarize', description: 'Summarize a text', template: 'Summarize in {{style}} style:\n{{text}}' }).expect(200);
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  it('initializes, announces capabilities, and lists tools, resources, templates and prompts', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: true }, resources: { subscribe: true }, prompts: {}, logging: {}, completions: {} });
      expect(client.getServerVersion()?.name).toBe('MCP Gateway');
      const { tools } = await client.listTools();
      const search = tools.find((t) => t.name === 'search')!;
      expect(search).toMatchObject({ description: 'Search things', annotations: { readOnlyHint: true }, inputSchema: { required: ['category', 'q'] } });
      expect(tools.every((t) => t.description && t.inputSchema)).toBe(true);
      expect((await client.listResources()).resources.map((r) => r.uri).sort()).toEqual(['docs://logo', 'docs://readme']);
      expect((await client.listResourceTemplates()).resourceTemplates).toEqual([expect.objectContaining({ uriTemplate: 'docs://logs/{day}', name: 'Daily log' })]);
      expect((await client.listPrompts()).prompts).toContainEqual(
        expect.objectContaining({ name: 'summarize', arguments: [{ name: 'style', required: true }, { name: 'text', required: true }] }),
      );
      await client.ping();
    } finally {
      await client.close();
    }
  });

  it('calls a REST tool: path parameter, query string, upstream credentials, and the body as content', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      const result = await client.callTool({ name: 'search', arguments: { category: 'books & maps', q: 'dune', limit: 3 } });
      expect(result.isError).toBeFalsy();
      const echoed = JSON.parse((result.content as Array<{ text: string }>)[0].text);
      expect(echoed).toEqual({ method: 'GET', path: '/items/books%20%26%20maps', query: { q: 'dune', limit: '3' }, body: null, auth: 'Bearer upstream-token' });

      const posted = await client.callTool({ name: 'create_item', arguments: { name: 'lamp' } });
      expect(JSON.parse((posted.content as Array<{ text: string }>)[0].text)).toMatchObject({ method: 'POST', path: '/items', body: { name: 'lamp' } });
    } finally {
      await client.close();
    }
  });

  it('rejects invalid arguments with -32602 naming the field, before calling upstream', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    const before = upstream.requests.length;
    try {
      const err = await rpcError(client.callTool({ name: 'search', arguments: { category: 'x', q: 5 } }));
      expect(err).toBeInstanceOf(McpError);
      expect(err.code).toBe(ErrorCode.InvalidParams);
      expect(err.message).toMatch(/\/q: must be string/);
      const missing = await rpcError(client.callTool({ name: 'search', arguments: { q: 'x' } }));
      expect(missing.message).toMatch(/must have required property 'category'/);
      const unknown = await rpcError(client.callTool({ name: 'no_such_tool', arguments: {} }));
      expect(unknown.code).toBe(ErrorCode.InvalidParams);
      expect(unknown.message).toMatch(/Unknown tool: no_such_tool/);
      expect(upstream.requests.length).toBe(before);
    } finally {
      await client.close();
    }
  });

  it('turns upstream failures into isError results, never protocol errors or hangs', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      const failed = await client.callTool({ name: 'failing', arguments: {} });
      expect(failed).toMatchObject({ isError: true, content: [{ type: 'text', text: 'HTTP 503 from failing: maintenance window' }] });
      const dead = await client.callTool({ name: 'dead', arguments: {} });
      expect(dead.isError).toBe(true);
      expect((dead.content as Array<{ text: string }>)[0].text).toMatch(/Calling dead failed (after 3 attempts)?: ECONNREFUSED/);
    } finally {
      await client.close();
    }
  });

  it('reads text and binary resources, and renders prompts (missing argument: -32602)', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      expect((await client.readResource({ uri: 'docs://readme' })).contents).toEqual([{ uri: 'docs://readme', mimeType: 'text/markdown', text: '# Read me' }]);
      expect((await client.readResource({ uri: 'docs://logo' })).contents).toEqual([{ uri: 'docs://logo', mimeType: 'image/png', blob: Buffer.from('PNG').toString('base64') }]);
      const missing = await rpcError(client.readResource({ uri: 'docs://nope' }));
      expect(missing.code).toBe(-32002);
      const prompt = await client.getPrompt({ name: 'summarize', arguments: { style: 'terse', text: 'long text' } });
      expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Summarize in terse style:\nlong text' } }]);
      const err = await rpcError(client.getPrompt({ name: 'summarize', arguments: { style: 'terse' } }));
      expect(err.code).toBe(ErrorCode.InvalidParams);
      expect(err.message).toMatch(/arguments.text: is required/);
      expect(await client.complete({ ref: { type: 'ref/prompt', name: 'summarize' }, argument: { name: 'style', value: 't' } })).toEqual({ completion: { values: [], total: 0, hasMore: false } });
      expect(await client.setLoggingLevel('warning')).toEqual({});
    } finally {
      await client.close();
    }
  });

  it('pushes list_changed when the catalog changes, and resources/updated to subscribers', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    const seen: string[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void seen.push('tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void seen.push('resources'));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void seen.push(`updated:${n.params.uri}`));
    try {
      // The SDK client opens the GET stream after initialization; give it a moment to attach.
      await new Promise((r) => setTimeout(r, 200));
      await client.subscribeResource({ uri: 'docs://readme' });
      await http.post('/tools').send({ name: 'brand_new', url: `${upstream.url}/x` }).expect(200);
      await until(() => (seen.includes('tools') ? true : undefined));
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('brand_new');

      const readme = (await http.get('/resources?limit=0')).body.find((r: { uri: string }) => r.uri === 'docs://readme');
      await http.put(`/resources/${readme.id}`).send({ content: '# Updated' }).expect(200);
      await until(() => (seen.includes('updated:docs://readme') ? true : undefined));
      expect((await client.readResource({ uri: 'docs://readme' })).contents[0]).toMatchObject({ text: '# Updated' });
    } finally {
      await client.close();
    }
  });

  it('scopes /servers/{id}/mcp to the virtual server, and 404s unknown servers and sessions', async () => {
    const server = (await http.post('/servers').send({ name: 'search-only', associatedTools: [toolIds.search] }).expect(201)).body;
    const client = await connectMcp(`${gw.url}/servers/${server.id}/mcp`);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['search']);
      expect((await client.listResources()).resources).toEqual([]);
      const err = await rpcError(client.callTool({ name: 'create_item', arguments: {} }));
      expect(err.message).toMatch(/Unknown tool: create_item/);
    } finally {
      await client.close();
    }
    await request(gw.url)
      .post('/servers/nope/mcp')
      .set('accept', 'application/json, text/event-stream')
      .send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } })
      .expect(404);
    await request(gw.url)
      .post('/mcp')
      .set('accept', 'application/json, text/event-stream')
      .set('mcp-session-id', 'not-a-session')
      .send({ jsonrpc: '2.0', id: 1, method: 'tools/list' })
      .expect(404);
  });

  it('ends a session on DELETE (then 404), and refuses an unsupported MCP-Protocol-Version', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`));
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    const bad = await request(gw.url)
      .post('/mcp')
      .set('accept', 'application/json, text/event-stream')
      .set('mcp-session-id', sessionId)
      .set('mcp-protocol-version', '1999-01-01')
      .send({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
    expect(bad.status).toBe(400);
    await transport.terminateSession();
    await client.close();
    await request(gw.url).post('/mcp').set('accept', 'application/json, text/event-stream').set('mcp-session-id', sessionId).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);
  });

  it('handles concurrent requests on one session', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.callTool({ name: 'create_item', arguments: { name: `n${i}` } })));
      expect(results.map((r) => JSON.parse((r.content as Array<{ text: string }>)[0].text).body.name)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
    } finally {
      await client.close();
    }
  });

  it('serves a stateless POST without a session, and refuses foreign Host or Origin headers', async () => {
    const res = await request(gw.url)
      .post('/mcp')
      .set('accept', 'application/json, text/event-stream')
      .send({ jsonrpc: '2.0', id: 3, method: 'tools/list' })
      .expect(200);
    expect(res.body.result.tools.map((t: { name: string }) => t.name)).toContain('search');
    await request(gw.url).post('/mcp').set('host', 'evil.example.com').send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(403);
    await request(gw.url).post('/mcp').set('origin', 'http://evil.example.com').send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(403);
    await request(gw.url)
      .post('/mcp')
      .set('origin', 'http://localhost:3000')
      .set('accept', 'application/json, text/event-stream')
      .send({ jsonrpc: '2.0', id: 1, method: 'ping' })
      .expect(200);
    const parse = await request(gw.url).post('/mcp').set('content-type', 'application/json').send('{"jsonrpc":').expect(400);
    expect(parse.body.error.code).toBe(-32700);
  });
});
