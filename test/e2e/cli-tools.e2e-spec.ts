import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import request from 'supertest';
import { startGateway, type TestGateway } from '../support/gateway';
import { connectMcp, firstText } from '../support/mcp';

type CallResult = { content: Array<{ type: string; text: string }>; isError?: boolean; structuredContent?: Record<string, unknown> };

const PRINTF = '/usr/bin/printf';
const ALLOWED = [PRINTF, '/bin/sleep', '/usr/bin/yes', '/bin/ls', '/bin/pwd', '/usr/bin/env'];

/** Values a shell would interpret: they must reach the command verbatim, each as one argv element. */
const HOSTILE = ['two words', `"double" and 'single' quotes`, 'a; rm -rf /tmp/nothing', '$(id -u)', '`uname`', 'line1\nline2', '$HOME ~ * ? | & > /dev/null', '--help', ''];

describe('CLI tools and local tools', () => {
  let gw: TestGateway;
  let client: Client;
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as CallResult;
  const createTool = (body: Record<string, unknown>) => request(gw.url).post('/tools').send(body);

  beforeAll(async () => {
    gw = await startGateway({ CLI_TOOLS_ALLOWED_COMMANDS: ALLOWED.join(','), LOCAL_EXAMPLE_TOOLS_ENABLED: 'true' });
    // printf '%s\0' prints every argument it gets followed by a NUL byte: the output shows argv exactly.
    await createTool({
      name: 'argv',
      integrationType: 'CLI',
      command: PRINTF,
      args: ['%s\\0', 'fixed', '{a}', '--label={b}', '{a}'],
      inputSchema: { type: 'object', properties: { a: { type: 'string' }, b: {} }, required: ['a'] },
    }).expect(200);
    client = await connectMcp(`${gw.url}/mcp`);
  });
  afterAll(async () => {
    await client?.close();
    await gw?.close();
  });

  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('passes %s verbatim as one argv element, no shell involved', async (_label, value) => {
    const result = await call('argv', { a: value, b: value });
    expect(result.isError).toBeFalsy();
    expect(firstText(result).split('\0')).toEqual(['fixed', value, `--label=${value}`, value, '']);
  });

  it('renders non-string values as JSON, and leaves out an element whose argument is missing', async () => {
    expect(firstText(await call('argv', { a: 'x', b: { n: [1, 2] } })).split('\0')).toEqual(['fixed', 'x', '--label={"n":[1,2]}', 'x', '']);
    expect(firstText(await call('argv', { a: 'x' })).split('\0')).toEqual(['fixed', 'x', 'x', '']);
  });

  it('kills a command that outlives its timeout and returns isError quickly', async () => {
    await createTool({ name: 'sleeper', integrationType: 'CLI', command: '/bin/sleep', args: ['{seconds}'], timeoutMs: 300, inputSchema: { type: 'object', properties: { seconds: { type: 'string', pattern: '^[0-9]+$' } } } }).expect(200);
    const started = Date.now();
    const result = await call('sleeper', { seconds: '10' });
    const elapsed = Date.now() - started;
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/no result within 300 ms; the command was killed/);
    expect(elapsed).toBeLessThan(2000);
  });

  it('kills a command whose output exceeds the limit', async () => {
    await createTool({ name: 'chatty', integrationType: 'CLI', command: '/usr/bin/yes', maxResponseBytes: 64 * 1024, timeoutMs: 10_000 }).expect(200);
    const started = Date.now();
    const result = await call('chatty');
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/output exceeded 65536 bytes; the command was killed/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a non-zero exit with its code and stderr', async () => {
    await createTool({ name: 'lister', integrationType: 'CLI', command: '/bin/ls', args: ['--', '{path}'], inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }).expect(200);
    const result = await call('lister', { path: '/definitely/not/here' });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/exited with code 2: .*No such file or directory/);
  });

  it('runs in the working directory', async () => {
    await createTool({ name: 'where', integrationType: 'CLI', command: '/bin/pwd', workingDirectory: '/tmp' }).expect(200);
    expect(firstText(await call('where')).trim()).toBe('/tmp');
  });

  it("runs commands in a minimal environment that carries none of the gateway's", async () => {
    process.env.CLI_TEST_SECRET_MARKER = 'do-not-leak';
    try {
      await createTool({ name: 'environment', integrationType: 'CLI', command: '/usr/bin/env' }).expect(200);
      const lines = firstText(await call('environment')).trim().split('\n').sort();
      expect(lines).toEqual(['LANG=C.UTF-8', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    } finally {
      delete process.env.CLI_TEST_SECRET_MARKER;
    }
  });

  it('refuses commands outside the allowlist and misplaced fields with 422 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'c1', integrationType: 'CLI', command: '/bin/sh', args: ['-c', 'id'] }, /command.*not in CLI_TOOLS_ALLOWED_COMMANDS/],
      [{ name: 'c2', integrationType: 'CLI' }, /command.*required/],
      [{ name: 'c3', integrationType: 'CLI', command: PRINTF, url: 'http://127.0.0.1:1/' }, /url.*REST/],
      [{ name: 'c4', integrationType: 'CLI', command: PRINTF, workingDirectory: 'relative/dir' }, /workingDirectory.*absolute/],
      [{ name: 'c5', integrationType: 'CLI', command: PRINTF, auth: { authType: 'bearer', token: 't' } }, /auth/],
      [{ name: 'c6', integrationType: 'CLI', command: PRINTF, args: 'not-a-list' }, /args/],
    ];
    for (const [body, message] of cases) {
      const res = await createTool(body);
      expect([res.status, res.body.message]).toEqual([422, expect.stringMatching(message)]);
    }
  });

  it('serves the built-in local tools (LOCAL_EXAMPLE_TOOLS_ENABLED) and keeps them read-only', async () => {
    const tools = (await client.listTools()).tools;
    expect(tools.find((t) => t.name === 'gateway-echo')).toMatchObject({ inputSchema: { required: ['text'] } });
    expect(tools.find((t) => t.name === 'gateway-time')?.outputSchema).toBeDefined();
    expect(firstText(await call('gateway-echo', { text: 'hi $(there)' }))).toBe('hi $(there)');
    const time = await call('gateway-time');
    expect(Math.abs(Number(time.structuredContent?.epochMs) - Date.now())).toBeLessThan(5000);

    const stored = (await request(gw.url).get('/tools').expect(200)).body.find((t: { name: string }) => t.name === 'gateway-echo');
    expect(stored).toMatchObject({ integrationType: 'LOCAL', url: null });
    const renamed = await request(gw.url).put(`/tools/${stored.id}`).send({ name: 'other' }).expect(422);
    expect(renamed.body.message).toMatch(/integrationType/);
    await request(gw.url).put(`/tools/${stored.id}`).send({ displayName: 'Echo', tags: ['demo'] }).expect(200);
    await request(gw.url).post(`/tools/${stored.id}/state?activate=false`).expect(200);
    await expect(client.callTool({ name: 'gateway-echo', arguments: { text: 'x' } })).rejects.toThrow();
    const local = await createTool({ name: 'mine', integrationType: 'LOCAL' }).expect(422);
    expect(local.body.message).toMatch(/integrationType/);
  });
});

describe('CLI tools without an allowlist', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('are disabled: creating one is refused with 422 naming command', async () => {
    const res = await request(gw.url).post('/tools').send({ name: 'echo', integrationType: 'CLI', command: '/bin/echo', args: ['{x}'] }).expect(422);
    expect(res.body.message).toMatch(/command.*CLI tools are disabled.*CLI_TOOLS_ALLOWED_COMMANDS/);
    // ...and no local example tool is registered by default.
    expect((await request(gw.url).get('/tools').expect(200)).body).toEqual([]);
  });
});
