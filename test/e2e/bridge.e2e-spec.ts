import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { startGateway, type TestGateway } from '../support/gateway';
import { ROOT, stopChild } from '../support/process';
import { firstText } from '../support/mcp';

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
});
