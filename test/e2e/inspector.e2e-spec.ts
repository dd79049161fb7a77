import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { startGateway, type TestGateway } from '../support/gateway';
import { echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { ROOT } from '../support/process';

const run = promisify(execFile);
const WRAPPER = join(ROOT, 'dist', 'src', 'cli', 'wrapper.js');
const TOKEN_CLI = join(ROOT, 'dist', 'src', 'cli', 'token.js');
const SECRET = 'inspector-test-secret-that-is-long-enough-for-production';

interface ToolList {
  tools: Array<{ name: string; inputSchema: unknown }>;
}
interface ToolResult {
  content: Array<{ type: string; text: string }>;
  isError?: boolean;
}

/**
 * The MCP Inspector CLI (@modelcontextprotocol/inspector 2.12.0, which needs Node 22: both fetched into .cache by
 * scripts/ensure-node22.sh and scripts/ensure-inspector.sh) lists and calls a REST-backed tool through every transport
 * it speaks: Streamable HTTP, legacy SSE and stdio (through mcpgateway-wrapper), against a freshly started gateway
 * with authentication on and a token minted by mcpgateway-token. (The inspector has no WebSocket transport.)
 */
describe('MCP Inspector CLI against the gateway', () => {
  let gw: TestGateway;
  let upstream: HttpUpstream;
  let node22: string;
  let inspector: string;
  let token: string;
  let serverId: string;
  let home: string;

  beforeAll(async () => {
    node22 = (await run('bash', [join(ROOT, 'scripts', 'ensure-node22.sh')], { cwd: ROOT })).stdout.trim();
    inspector = (await run('bash', [join(ROOT, 'scripts', 'ensure-inspector.sh')], { cwd: ROOT, timeout: 300_000 })).stdout.trim();
    home = mkdtempSync(join(tmpdir(), 'mcpgw-inspector-'));
    [gw, upstream] = await Promise.all([startGateway({ AUTH_REQUIRED: 'true', JWT_SECRET_KEY: SECRET }), startHttpUpstream(echo)]);
    token = (await run(process.execPath, [TOKEN_CLI, '--username', 'inspector', '--exp', '30', '--secret', SECRET], { cwd: home, env: { PATH: process.env.PATH ?? '' } })).stdout.trim();
    const http = (method: 'post' | 'get', path: string) => request(gw.url)[method](path).set('authorization', `Bearer ${token}`);
    const tool = (
      await http('post', '/tools')
        .send({
          name: 'weather',
          description: 'Current weather for a city',
          url: `${upstream.url}/weather`,
          requestType: 'GET',
          inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        })
        .expect(200)
    ).body;
    serverId = (await http('post', '/servers').send({ name: 'inspected', associatedTools: [tool.id] }).expect(201)).body.id;
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
    await upstream?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Runs `inspector --cli <args>` with Node 22; its JSON output. */
  async function inspect<T>(args: string[]): Promise<T> {
    const { stdout } = await run(node22, [inspector, '--cli', ...args], {
      cwd: ROOT,
      timeout: 60_000,
      // A private home and catalog: the inspector must not read or write the user's ~/.mcp-inspector.
      env: { PATH: process.env.PATH ?? '', HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') },
    });
    return JSON.parse(stdout) as T;
  }

  /** tools/list and tools/call through one transport: the tool is listed, the call reaches the upstream and comes back. */
  async function listAndCall(target: string[], city: string): Promise<void> {
    const [list, call] = await Promise.all([
      inspect<ToolList>(['--method', 'tools/list', ...target]),
      inspect<ToolResult>(['--method', 'tools/call', '--tool-name', 'weather', '--tool-arg', `city=${city}`, ...target]),
    ]);
    expect(list.tools.map((t) => t.name)).toEqual(['weather']);
    expect(list.tools[0].inputSchema).toMatchObject({ required: ['city'] });
    expect(call.isError).toBeFalsy();
    expect(JSON.parse(call.content[0].text)).toMatchObject({ method: 'GET', path: '/weather', query: { city } });
    expect(upstream.requests.filter((r) => r.path === '/weather' && r.query.city === city)).toHaveLength(1);
  }

  const auth = () => ['--header', `Authorization: Bearer ${token}`];

  it('Streamable HTTP at /mcp', async () => {
    await listAndCall([...auth(), '--transport', 'http', `${gw.url}/mcp`], 'via /mcp');
  }, 120_000);

  it('Streamable HTTP at /servers/{id}/mcp', async () => {
    await listAndCall([...auth(), '--transport', 'http', `${gw.url}/servers/${serverId}/mcp`], 'via virtual server');
  }, 120_000);

  it('legacy SSE at /servers/{id}/sse', async () => {
    await listAndCall([...auth(), '--transport', 'sse', `${gw.url}/servers/${serverId}/sse`], 'via SSE');
  }, 120_000);

  it('stdio through mcpgateway-wrapper', async () => {
    await listAndCall(['-e', `MCP_SERVER_URL=${gw.url}/servers/${serverId}`, '-e', `MCP_AUTH=${token}`, '-e', 'MCP_WRAPPER_LOG_LEVEL=error', process.execPath, WRAPPER], 'via stdio');
  }, 120_000);

  it('is refused without the token', async () => {
    const before = upstream.requests.length;
    const failed = await inspect(['--method', 'tools/list', '--transport', 'http', `${gw.url}/mcp`]).catch((err: { code?: number; stderr?: string }) => err);
    expect(failed).toMatchObject({ code: expect.any(Number) });
    // The gateway answers 401 with a Bearer challenge; the inspector reports that it needs credentials.
    expect((failed as { stderr: string }).stderr).toMatch(/"code":"auth_required"/);
    expect(upstream.requests.length).toBe(before);
  }, 120_000);
});
