import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import request from 'supertest';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from '../support/gateway';
import { closedPort, echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { ROOT } from '../support/process';
import { rpcError } from '../support/mcp';

// Node 20 has no global WebSocket; the SDK's client transport expects one.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const WRAPPER = join(ROOT, 'dist', 'src', 'cli', 'wrapper.js');

describe('MCP over legacy SSE, WebSocket and stdio', () => {
  let gw: TestGateway;
  let upstream: HttpUpstream;
  let serverId: string;

  beforeAll(async () => {
    [gw, upstream] = await Promise.all([startGateway({ SSE_KEEPALIVE_INTERVAL: '1' }), startHttpUpstream(echo)]);
    const http = request(gw.url);
    const tool = (await http.post('/tools').send({ name: 'echo_get', url: `${upstream.url}/echo`, requestType: 'GET', inputSchema: { type: 'object', properties: { word: { type: 'string' } } } }).expect(200)).body;
    await http.post('/tools').send({ name: 'not_in_server', url: `${upstream.url}/other` }).expect(200);
    await http.post('/prompts').send({ name: 'hello', template: 'Hello {{name}}' }).expect(200);
    const prompt = (await http.get('/prompts?limit=0')).body[0];
    serverId = (await http.post('/servers').send({ name: 'virtual', associatedTools: [tool.id], associatedPrompts: [prompt.id] }).expect(201)).body.id;
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  /** The same conversation over any transport: list, call, prompt, error. */
  async function conversation(transport: Transport): Promise<void> {
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo_get']);
      const result = await client.callTool({ name: 'echo_get', arguments: { word: 'hi' } });
      expect(JSON.parse((result.content as Array<{ text: string }>)[0].text)).toMatchObject({ method: 'GET', path: '/echo', query: { word: 'hi' } });
      expect((await client.getPrompt({ name: 'hello', arguments: { name: 'Ada' } })).messages[0].content).toEqual({ type: 'text', text: 'Hello Ada' });
      const err = await rpcError(client.callTool({ name: 'not_in_server', arguments: {} }));
      expect(err.code).toBe(-32602);
    } finally {
      await client.close();
    }
  }

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

    await conversation(new SSEClientTransport(new URL(`${gw.url}/servers/${serverId}/sse`)));
    await request(gw.url).post(`/servers/${serverId}/message?session_id=unknown`).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);
  });

  it('WebSocket: a full conversation on /servers/{id}/ws, and list_changed pushed on /ws', async () => {
    await conversation(new WebSocketClientTransport(new URL(`${gw.url.replace('http', 'ws')}/servers/${serverId}/ws`)));

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
    await new Promise((r) => setTimeout(r, 200));
    ws.close();
    expect(replies).toEqual([
      { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32700 }) },
      { jsonrpc: '2.0', id: 5, error: { code: -32600, message: 'Invalid Request' } },
    ]);
    for (const path of ['/nope', '/servers/unknown/ws']) {
      const failed = new WebSocket(`${gw.url.replace('http', 'ws')}${path}`);
      const status = await new Promise<number>((resolve) => failed.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
      expect(status).toBe(404);
    }
  });

  it('stdio through mcpgateway-wrapper: a full conversation against a virtual server', async () => {
    await conversation(
      new StdioClientTransport({
        command: process.execPath,
        args: [WRAPPER],
        env: { PATH: process.env.PATH ?? '', MCP_SERVER_URL: `${gw.url}/servers/${serverId}`, MCP_WRAPPER_LOG_LEVEL: 'error' },
        stderr: 'pipe',
      }),
    );
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
  });
});
