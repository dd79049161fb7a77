import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import request from 'supertest';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from '../support/gateway';
import { closedPort, echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { ROOT } from '../support/process';
import { rpcError, until } from '../support/mcp';

// Node 20 has no global WebSocket; the SDK's client transport expects one.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const WRAPPER = join(ROOT, 'dist', 'src', 'cli', 'wrapper.js');

/** Everything written to a piped stderr, as it arrives. */
function collect(stream: Readable | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

/** A wrapper process, as a desktop client would launch it. */
function wrapper(env: Record<string, string>): StdioClientTransport {
  return new StdioClientTransport({ command: process.execPath, args: [WRAPPER], env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'pipe' });
}

describe('MCP over Streamable HTTP, legacy SSE, WebSocket and stdio', () => {
  let gw: TestGateway;
  let upstream: HttpUpstream;
  let serverId: string;
  let notesId: string;
  /** Upstream requests to `/slow` that the gateway abandoned before they were answered. */
  const abandoned: string[] = [];

  beforeAll(async () => {
    [gw, upstream] = await Promise.all([
      startGateway({ SSE_KEEPALIVE_INTERVAL: '1' }),
      startHttpUpstream((req, res) => {
        if (req.path !== '/slow') return echo(req, res);
        // Answers after 6 s, unless the gateway gives up on the call first.
        const timer = setTimeout(() => echo(req, res), 6000);
        res.once('close', () => {
          clearTimeout(timer);
          if (!res.writableEnded) abandoned.push(req.query.n ?? '');
        });
      }),
    ]);
    const http = request(gw.url);
    const tool = (await http.post('/tools').send({ name: 'echo_get', url: `${upstream.url}/echo`, requestType: 'GET', inputSchema: { type: 'object', properties: { word: { type: 'string' } } } }).expect(200)).body;
    await http.post('/tools').send({ name: 'not_in_server', url: `${upstream.url}/other` }).expect(200);
    await http.post('/tools').send({ name: 'slow', url: `${upstream.url}/slow`, requestType: 'GET', inputSchema: { type: 'object', properties: { n: { type: 'string' } } } }).expect(200);
    await http.post('/prompts').send({ name: 'hello', template: 'Hello {{name}}' }).expect(200);
    const prompt = (await http.get('/prompts?limit=0')).body[0];
    notesId = (await http.post('/resources').send({ uri: 'docs://notes', name: 'Notes', content: 'first notes', mimeType: 'text/plain' }).expect(200)).body.id;
    serverId = (await http.post('/servers').send({ name: 'virtual', associatedTools: [tool.id], associatedPrompts: [prompt.id], associatedResources: [notesId] }).expect(201)).body.id;
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  /**
   * The same conversation over any transport: initialize, list, call, prompt, resource read, errors, and the
   * notifications a catalog change pushes (tools/list_changed, and resources/updated for a subscribed resource).
   */
  async function conversation(transport: Transport, label: string): Promise<void> {
    const client = new Client({ name: 'e2e', version: '1' });
    const seen: string[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void seen.push('tools/list_changed'));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void seen.push(`resources/updated ${n.params.uri}`));
    await client.connect(transport);
    try {
      expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: true }, resources: { subscribe: true, listChanged: true } });
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo_get']);
      const result = await client.callTool({ name: 'echo_get', arguments: { word: 'hi' } });
      expect(JSON.parse((result.content as Array<{ text: string }>)[0].text)).toMatchObject({ method: 'GET', path: '/echo', query: { word: 'hi' } });
      expect((await client.getPrompt({ name: 'hello', arguments: { name: 'Ada' } })).messages[0].content).toEqual({ type: 'text', text: 'Hello Ada' });
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['docs://notes']);
      expect((await client.readResource({ uri: 'docs://notes' })).contents).toEqual([{ uri: 'docs://notes', mimeType: 'text/plain', text: expect.any(String) }]);
      expect((await rpcError(client.readResource({ uri: 'docs://unknown' }))).code).toBe(-32002);
      const err = await rpcError(client.callTool({ name: 'not_in_server', arguments: {} }));
      expect(err.code).toBe(-32602);

      // Notifications travel outside any request (SSE stream, GET stream, WebSocket): that stream may attach a moment
      // after initialization, so the change is repeated until the client hears of one.
      await client.subscribeResource({ uri: 'docs://notes' });
      const http = request(gw.url);
      let n = 0;
      await until(async () => {
        if (seen.includes('tools/list_changed')) return true;
        await http.post('/tools').send({ name: `${label}_added_${++n}`, url: `${upstream.url}/x` }).expect(200);
        return false;
      }, 10_000, 300);
      await until(async () => {
        if (seen.includes('resources/updated docs://notes')) return true;
        await http.put(`/resources/${notesId}`).send({ content: `notes from ${label} #${++n}` }).expect(200);
        return false;
      }, 10_000, 300);
      expect((await client.readResource({ uri: 'docs://notes' })).contents[0]).toMatchObject({ text: expect.stringContaining(`notes from ${label}`) });
      await client.unsubscribeResource({ uri: 'docs://notes' });
    } finally {
      await client.close();
    }
  }

  it('Streamable HTTP: the same full conversation on /servers/{id}/mcp', async () => {
    await conversation(new StreamableHTTPClientTransport(new URL(`${gw.url}/servers/${serverId}/mcp`)), 'http');
  });

  it('legacy SSE: endpoint event with session_id, keep-alive comments, and a full conversation', async () => {
    const res = await fetch(`${gw.url}/servers/${serverId}/sse`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const started = Date.now();
    while (!text.includes(': keepalive') && Date.now() - started < 5000) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toMatch(new RegExp(`^event: endpoint\\ndata: /servers/${serverId}/message\\?session_id=[0-9a-f-]{36}\\n\\n`));
    expect(text).toContain(': keepalive\n\n');

    await conversation(new SSEClientTransport(new URL(`${gw.url}/servers/${serverId}/sse`)), 'sse');
    await request(gw.url).post(`/servers/${serverId}/message?session_id=unknown`).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);
  });

  it('WebSocket: a full conversation on /servers/{id}/ws, and list_changed pushed on /ws', async () => {
    await conversation(new WebSocketClientTransport(new URL(`${gw.url.replace('http', 'ws')}/servers/${serverId}/ws`)), 'ws');

    const client = new Client({ name: 'ws', version: '1' });
    await client.connect(new WebSocketClientTransport(new URL(`${gw.url.replace('http', 'ws')}/ws`)));
    try {
      const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
      await request(gw.url).post('/tools').send({ name: 'ws_new', url: `${upstream.url}/x` }).expect(200);
      await changed;
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('ws_new');
    } finally {
      await client.close();
    }
  });

  it('WebSocket: answers garbage with JSON-RPC errors and refuses unknown paths and servers', async () => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`);
    await new Promise((r) => ws.once('open', r));
    const replies: unknown[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    ws.send('{not json');
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 5, nonsense: true }));
    // The limits HTTP bodies have apply to frames too: nesting beyond MAX_JSON_DEPTH (64) and NUL characters.
    ws.send(`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"echo_get","arguments":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}}`);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo_get', arguments: { word: 'a\u0000b' } } }));
    await until(() => replies.length >= 4, 5000);
    ws.close();
    expect(replies).toEqual([
      { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32700 }) },
      { jsonrpc: '2.0', id: 5, error: { code: -32600, message: 'Invalid Request' } },
      { jsonrpc: '2.0', id: 6, error: { code: -32600, message: 'Invalid Request: JSON body nests deeper than 64 levels (MAX_JSON_DEPTH)' } },
      { jsonrpc: '2.0', id: 7, error: { code: -32600, message: 'Invalid Request: params.arguments.word: strings must not contain NUL characters' } },
    ]);
    for (const path of ['/nope', '/servers/unknown/ws']) {
      const failed = new WebSocket(`${gw.url.replace('http', 'ws')}${path}`);
      const status = await new Promise<number>((resolve) => failed.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
      expect(status).toBe(404);
    }
  });

  it('stdio through mcpgateway-wrapper: a full conversation against a virtual server', async () => {
    await conversation(wrapper({ MCP_SERVER_URL: `${gw.url}/servers/${serverId}`, MCP_WRAPPER_LOG_LEVEL: 'error' }), 'stdio');
  });

  it('stdio wrapper: answers a call the gateway is too slow for once, with an error, and cancels it at the gateway', async () => {
    const transport = wrapper({ MCP_SERVER_URL: gw.url, MCP_TOOL_CALL_TIMEOUT: '2', MCP_WRAPPER_LOG_LEVEL: 'warn' });
    const stderr = collect(transport.stderr as Readable);
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    // Every message the wrapper writes to stdout, whatever the SDK client makes of it.
    const received: JSONRPCMessage[] = [];
    const deliver = transport.onmessage!;
    transport.onmessage = (m) => {
      received.push(m);
      deliver(m);
    };
    try {
      const err = await rpcError(client.callTool({ name: 'slow', arguments: { n: 'late' } }));
      expect(err.message).toMatch(/no answer from the gateway within 2 s/);
      // The gateway got notifications/cancelled and dropped the upstream call; nothing else arrives for the request.
      await until(() => abandoned.includes('late'), 5000);
      await new Promise((r) => setTimeout(r, 1000));
      const answers = received.filter((m) => 'id' in m && ('result' in m || 'error' in m));
      expect(answers).toHaveLength(1);
      expect(stderr()).toMatch(/no answer to tools\/call \(request \d+\) within 2 s \(MCP_TOOL_CALL_TIMEOUT\): cancelling it/);
      // The session goes on.
      expect((await client.callTool({ name: 'echo_get', arguments: { word: 'after' } })).isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('stdio wrapper: opens a new gateway session transparently when its session is deleted', async () => {
    const transport = wrapper({ MCP_SERVER_URL: `${gw.url}/servers/${serverId}`, MCP_WRAPPER_LOG_LEVEL: 'debug' });
    const stderr = collect(transport.stderr as Readable);
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo_get']);
      const sessionId = await until(() => /gateway session ([0-9a-f-]{36})/.exec(stderr())?.[1]);
      await request(gw.url).delete(`/servers/${serverId}/mcp`).set('mcp-session-id', sessionId).set('mcp-protocol-version', '2025-06-18').expect(200);
      await request(gw.url).post(`/servers/${serverId}/mcp`).set('accept', 'application/json, text/event-stream').set('mcp-session-id', sessionId).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);

      const result = await client.callTool({ name: 'echo_get', arguments: { word: 'again' } });
      expect(JSON.parse((result.content as Array<{ text: string }>)[0].text)).toMatchObject({ query: { word: 'again' } });
      expect(stderr()).toMatch(/the gateway no longer knows this session \(HTTP 404\): opening a new one/);
      const next = /opened a new gateway session ([0-9a-f-]{36})/.exec(stderr())?.[1];
      expect(next).toBeDefined();
      expect(next).not.toBe(sessionId);
      expect((await client.getPrompt({ name: 'hello', arguments: { name: 'Bo' } })).messages[0].content).toEqual({ type: 'text', text: 'Hello Bo' });
    } finally {
      await client.close();
    }
  });

  it('stdio wrapper: a clear error when the gateway is unreachable, and exit code 2 without MCP_SERVER_URL', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [WRAPPER],
      env: { PATH: process.env.PATH ?? '', MCP_SERVER_URL: `http://127.0.0.1:${await closedPort()}/servers/x`, MCP_WRAPPER_LOG_LEVEL: 'silent' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e', version: '1' });
    const err = await client.connect(transport).catch((e: Error) => e);
    expect(String(err)).toMatch(/mcpgateway-wrapper: cannot reach the gateway.*ECONNREFUSED/);
    await client.close();

    const { spawnSync } = await import('node:child_process');
    const missing = spawnSync(process.execPath, [WRAPPER], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/MCP_SERVER_URL is required/);
    const badTimeout = spawnSync(process.execPath, [WRAPPER], { env: { PATH: process.env.PATH ?? '', MCP_SERVER_URL: gw.url, MCP_TOOL_CALL_TIMEOUT: 'soon' }, encoding: 'utf8' });
    expect(badTimeout.status).toBe(2);
    expect(badTimeout.stderr).toMatch(/MCP_TOOL_CALL_TIMEOUT must be a positive number of seconds, got 'soon'/);
  });
});
