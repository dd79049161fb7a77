import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { startGateway, type TestGateway } from '../support/gateway';
import { ROOT, stopChild } from '../support/process';
import { firstText, until } from '../support/mcp';

const TRANSLATE = join(ROOT, 'dist', 'src', 'cli', 'translate.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'everything-server.mjs');

/** Starts mcpgateway-translate around the stdio fixture on 127.0.0.1 and a free port. */
function startBridge(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [TRANSLATE, '--stdio', `"${process.execPath}" ${FIXTURE} --stdio --name 'stdio fixture'`, '--port', '0', '--keep-alive', '1'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge did not start: ${out}`)), 15000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

describe('mcpgateway-translate: a stdio server registered as a peer', () => {
  let gw: TestGateway;
  let bridge: { url: string; child: ChildProcess };

  beforeAll(async () => {
    [gw, bridge] = await Promise.all([startGateway(), startBridge()]);
  });
  afterAll(async () => {
    await gw.close();
    if (bridge) await stopChild(bridge.child);
  });

  it('answers /healthz and exposes the stdio server over Streamable HTTP and SSE, both registrable as peers', async () => {
    await request(bridge.url).get('/healthz').expect(200);
    const viaHttp = await request(gw.url).post('/gateways').send({ name: 'stdio over http', url: `${bridge.url}/mcp` }).expect(200);
    expect(viaHttp.body.serverInfo).toMatchObject({ name: 'stdio fixture' });
    const viaSse = await request(gw.url).post('/gateways').send({ name: 'stdio over sse', url: `${bridge.url}/sse` }).expect(200);
    expect(viaSse.body.transport).toBe('SSE');

    const client = new Client({ name: 'e2e', version: '1' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'from the client' }, model: 'm' }));
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
    try {
      expect(firstText(await client.callTool({ name: 'stdio-over-http-add', arguments: { a: 20, b: 22 } }))).toBe('42');
      expect(firstText(await client.callTool({ name: 'stdio-over-sse-echo', arguments: { text: 'through sse' } }))).toBe('through sse');
      const progress: number[] = [];
      await client.callTool({ name: 'stdio-over-http-test-tool-with-progress', arguments: {} }, undefined, { onprogress: (p) => void progress.push(p.progress) });
      expect(progress).toEqual([0, 50, 100]);
      expect(firstText(await client.callTool({ name: 'stdio-over-http-test-sampling', arguments: { prompt: 'p' } }))).toBe('LLM response: from the client');
    } finally {
      await client.close();
    }
  });

  it('sends each client its own sampling requests and log messages, even after a gateway’s health session opened', async () => {
    const connect = async (name: string) => {
      const client = new Client({ name, version: '1' }, { capabilities: { sampling: {} } });
      const logs: unknown[] = [];
      client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: `from ${name}` }, model: 'm' }));
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
      await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
      await client.setLoggingLevel('debug');
      return { client, logs };
    };
    const a = await connect('client A');
    const b = await connect('client B');
    const sample = async (c: { client: Client }) => firstText(await c.client.callTool({ name: 'stdio-over-http-test-sampling', arguments: { prompt: 'p' } }));
    // Client A's session to the bridge exists; then a gateway registers the bridge and, one health-check interval
    // later, its shared session (no sampling capability) is the bridge's newest session.
    await a.client.callTool({ name: 'stdio-over-http-echo', arguments: { text: 'a' } });
    const other = await startGateway({ HEALTH_CHECK_INTERVAL: '1' });
    try {
      const peer = (await request(other.url).post('/gateways').send({ name: 'bridge', url: `${bridge.url}/mcp` }).expect(200)).body;
      await until(async () => new Date((await request(other.url).get(`/gateways/${peer.id}`)).body.lastSeen).getTime() > new Date(peer.lastSeen).getTime(), 5000);

      expect(await sample(a)).toBe('LLM response: from client A');
      expect(await sample(b)).toBe('LLM response: from client B');
      expect(await sample(a)).toBe('LLM response: from client A');

      await a.client.callTool({ name: 'stdio-over-http-test-tool-with-logging', arguments: {} });
      expect(a.logs).toEqual(['Tool execution started', 'Tool processing data', 'Tool execution completed']);
      await b.client.callTool({ name: 'stdio-over-http-echo', arguments: { text: 'b' } });
      expect(b.logs).toEqual([]);
    } finally {
      await Promise.all([a.client.close(), b.client.close(), other.close()]);
    }
  });
});
