import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { Injectable, Module } from '@nestjs/common';
import request from 'supertest';
import WebSocket from 'ws';
import type { InvocationContext, ToolResult } from '../../src/modules/tools/execution/invocation-context';
import { type LocalToolProvider, LocalTools } from '../../src/modules/tools/local/local-tool';
import { ToolsModule } from '../../src/modules/tools/tools.module';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startGateway, type TestGateway } from '../support/gateway';
import { connectMcp, firstText } from '../support/mcp';

type CallResult = { content: Array<{ type: string; text: string }>; isError?: boolean; structuredContent?: Record<string, unknown> };

const PRINTF = '/usr/bin/printf';
// The SDK's WebSocket client transport expects the browser global (Node 20 has none).
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** Allowlisted, but not installed: a call fails with ENOENT. */
const MISSING = '/usr/bin/mcpgw-test-no-such-command';
const ALLOWED = [PRINTF, '/bin/sleep', '/usr/bin/yes', '/bin/ls', '/bin/pwd', '/usr/bin/env', MISSING];

/** Values a shell would interpret: they must reach the command verbatim, each as one argv element. */
const HOSTILE = ['two words', `"double" and 'single' quotes`, 'a; rm -rf /tmp/nothing', '$(id -u)', '`uname`', 'line1\nline2', '$HOME ~ * ? | & > /dev/null', '--help', ''];

const SHAPE_SCHEMA = { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] };

/** Test-only local tool (the documented mechanism: a provider registering itself): returns the shape it is asked for. */
@Injectable()
class ShapeTool implements LocalToolProvider {
  readonly definition = {
    name: 'test-shape',
    inputSchema: { type: 'object', properties: { shape: { enum: ['good', 'missing', 'wrong', 'array'] } }, required: ['shape'] },
    outputSchema: SHAPE_SCHEMA,
  };
  constructor(tools: LocalTools) {
    tools.register(this);
  }
  execute(args: Record<string, unknown>): ToolResult {
    const structured = { good: { count: 3 }, missing: undefined, wrong: { count: 'three' }, array: [1] }[args.shape as string];
    return { content: [{ type: 'text', text: JSON.stringify(structured ?? null) }], ...(structured !== undefined ? { structuredContent: structured as Record<string, unknown> } : {}) };
  }
}

/** Test-only local tool that never answers; it records whether the signal of its context was aborted. */
@Injectable()
class HangingTool implements LocalToolProvider {
  readonly definition = { name: 'test-hang', inputSchema: { type: 'object', properties: {} }, timeoutMs: 300 };
  readonly aborted: Array<{ reason: string }> = [];
  constructor(tools: LocalTools) {
    tools.register(this);
  }
  execute(_args: Record<string, unknown>, ctx: InvocationContext): Promise<ToolResult> {
    ctx.signal?.addEventListener('abort', () => this.aborted.push({ reason: String((ctx.signal?.reason as Error)?.name) }));
    return new Promise<ToolResult>(() => undefined);
  }
}

@Module({ imports: [ToolsModule], providers: [ShapeTool, HangingTool] })
class TestLocalToolsModule {}

describe('CLI tools and local tools', () => {
  let gw: TestGateway;
  let client: Client;
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as CallResult;
  const createTool = (body: Record<string, unknown>) => request(gw.url).post('/tools').send(body);

  beforeAll(async () => {
    gw = await startGateway({ CLI_TOOLS_ALLOWED_COMMANDS: ALLOWED.join(','), LOCAL_EXAMPLE_TOOLS_ENABLED: 'true' }, undefined, [], [TestLocalToolsModule]);
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

  it('turns JSON output into structuredContent for a tool with an outputSchema; other output is isError', async () => {
    await createTool({
      name: 'counter',
      integrationType: 'CLI',
      command: PRINTF,
      args: ['{"count": %s}', '{n}'],
      inputSchema: { type: 'object', properties: { n: { type: 'string' } }, required: ['n'] },
      outputSchema: SHAPE_SCHEMA,
    }).expect(200);
    const fresh = await connectMcp(`${gw.url}/mcp`); // knows the output schema, and would throw on a result without structuredContent
    try {
      await fresh.listTools();
      const ok = (await fresh.callTool({ name: 'counter', arguments: { n: '3' } })) as CallResult;
      expect(ok).toMatchObject({ structuredContent: { count: 3 }, content: [{ type: 'text', text: '{"count": 3}' }] });
      expect(ok.isError).toBeFalsy();
      const notJson = (await fresh.callTool({ name: 'counter', arguments: { n: 'three' } })) as CallResult;
      expect([notJson.isError, firstText(notJson)]).toEqual([true, 'Tool counter declares an outputSchema but its output is not JSON: {"count": three}']);
      const mismatch = (await fresh.callTool({ name: 'counter', arguments: { n: '"three"' } })) as CallResult;
      expect([mismatch.isError, firstText(mismatch)]).toEqual([true, 'Tool counter: the result does not match its outputSchema: /count: must be integer']);
    } finally {
      await fresh.close();
    }
  });

  it('validates a local tool result against its outputSchema: missing or mismatching structuredContent is isError', async () => {
    const fresh = await connectMcp(`${gw.url}/mcp`);
    try {
      expect((await fresh.listTools()).tools.find((t) => t.name === 'test-shape')?.outputSchema).toEqual(SHAPE_SCHEMA);
      const call = async (shape: string) => (await fresh.callTool({ name: 'test-shape', arguments: { shape } })) as CallResult;
      expect((await call('good')).structuredContent).toEqual({ count: 3 });
      expect(await call('missing')).toMatchObject({ isError: true, content: [{ text: 'Tool test-shape declares an outputSchema but its result has no structuredContent' }] });
      expect(await call('wrong')).toMatchObject({ isError: true, content: [{ text: 'Tool test-shape: the result does not match its outputSchema: /count: must be integer' }] });
      expect(await call('array')).toMatchObject({ isError: true, content: [{ text: 'Tool test-shape declares an outputSchema but its structuredContent is not a JSON object: [1]' }] });
    } finally {
      await fresh.close();
    }
  });

  it('ends a local tool that never answers at its timeout with isError, aborting the signal it was given', async () => {
    const hanging = gw.app.get(HangingTool);
    const started = Date.now();
    const result = await call('test-hang');
    const elapsed = Date.now() - started;
    expect([result.isError, firstText(result)]).toEqual([true, 'Tool test-hang: no result within 300 ms']);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    expect(hanging.aborted).toEqual([{ reason: 'TimeoutError' }]);
    const stored = (await request(gw.url).get('/tools').expect(200)).body.find((t: { name: string }) => t.name === 'test-hang');
    expect(stored).toMatchObject({ integrationType: 'LOCAL', timeoutMs: 300 });
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

  it('reports an allowlisted command that is not on disk as isError (ENOENT)', async () => {
    await createTool({ name: 'ghost', integrationType: 'CLI', command: MISSING }).expect(200);
    const result = await call('ghost');
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(new RegExp(`^Tool ghost: cannot run '${MISSING}': ENOENT`));
  });

  it('refuses a NUL byte in an argument value at every edge (HTTP and WebSocket), never a crash', async () => {
    // The gateway refuses NUL characters in any JSON body (HTTP) or frame (WebSocket) before it is dispatched;
    // the CLI adapter's own check (a unit spec) is the second line of defence.
    await expect(client.callTool({ name: 'argv', arguments: { a: 'before\0after' } })).rejects.toThrow(/params\.arguments\.a: strings must not contain NUL characters/);
    const ws = new Client({ name: 'ws', version: '1' });
    await ws.connect(new WebSocketClientTransport(new URL(`${gw.url.replace('http', 'ws')}/ws`)));
    try {
      await expect(ws.callTool({ name: 'argv', arguments: { a: 'before\0after' } })).rejects.toThrow(/-32600.*params\.arguments\.a: strings must not contain NUL characters/);
      await expect(ws.callTool({ name: 'argv', arguments: { a: 'x', b: { s: 'nul\0' } } })).rejects.toThrow(/params\.arguments\.b\.s: strings must not contain NUL/);
      // The session carries on.
      expect(firstText((await ws.callTool({ name: 'argv', arguments: { a: 'still fine' } })) as CallResult).split('\0')).toEqual(['fixed', 'still fine', 'still fine', '']);
    } finally {
      await ws.close();
    }
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

  it('ties argv placeholders to the input schema: undeclared ones are refused (422 args[i]), a missing schema is generated', async () => {
    const undeclared = await createTool({ name: 'p1', integrationType: 'CLI', command: PRINTF, args: ['%s', '{known}', '--x={unknown}'], inputSchema: { type: 'object', properties: { known: { type: 'string' } } } });
    expect([undeclared.status, undeclared.body.message]).toEqual([422, expect.stringMatching(/^args\[2\]: placeholder \{unknown\} is not a property of inputSchema/)]);
    const empty = await createTool({ name: 'p2', integrationType: 'CLI', command: PRINTF, args: ['{x}'], inputSchema: { type: 'object', properties: {} } });
    expect([empty.status, empty.body.message]).toEqual([422, expect.stringMatching(/^args\[0\]: placeholder \{x\}/)]);

    const generated = (await createTool({ name: 'greeter', integrationType: 'CLI', command: PRINTF, args: ['%s\\0', '{greeting}', '--to={who}', '{who}'] }).expect(200)).body;
    const schema = { type: 'object', properties: { greeting: { type: 'string' }, who: { type: 'string' } }, additionalProperties: false };
    expect(generated.inputSchema).toEqual(schema);
    expect(firstText(await call('greeter', { greeting: 'hi', who: 'Ada' })).split('\0')).toEqual(['hi', '--to=Ada', 'Ada', '']);
    // Only the placeholders, and only as strings.
    await expect(client.callTool({ name: 'greeter', arguments: { greeting: 'hi', extra: 'x' } })).rejects.toThrow(/additional properties 'extra'/);
    await expect(client.callTool({ name: 'greeter', arguments: { greeting: ['a', 'b'] } })).rejects.toThrow(/\/greeting: must be string/);

    // A generated schema follows the template on update; a given one must declare its placeholders.
    const regenerated = (await request(gw.url).put(`/tools/${generated.id}`).send({ args: ['{salutation}'] }).expect(200)).body;
    expect(regenerated.inputSchema).toEqual({ type: 'object', properties: { salutation: { type: 'string' } }, additionalProperties: false });
    const own = { type: 'object', properties: { salutation: { type: 'string', enum: ['hi', 'hello'] } }, required: ['salutation'] };
    await request(gw.url).put(`/tools/${generated.id}`).send({ inputSchema: own }).expect(200);
    const refused = await request(gw.url).put(`/tools/${generated.id}`).send({ args: ['{salutation}', '{name}'] }).expect(422);
    expect(refused.body.message).toMatch(/^args\[1\]: placeholder \{name\} is not a property of inputSchema/);
    const badSchema = await request(gw.url).put(`/tools/${generated.id}`).send({ inputSchema: { type: 'object', properties: { other: {} } } }).expect(422);
    expect(badSchema.body.message).toMatch(/^args\[0\]: placeholder \{salutation\}/);
    expect((await request(gw.url).get(`/tools/${generated.id}`).expect(200)).body).toMatchObject({ args: ['{salutation}'], inputSchema: own });
    // Posting the stored schema back unchanged (GET-then-PUT) still checks a given schema...
    const given = (await request(gw.url).put(`/tools/${generated.id}`).send({ args: ['{salutation}', '{name}'], inputSchema: own }).expect(422)).body;
    expect(given.message).toMatch(/^args\[1\]: placeholder \{name\} is not a property of inputSchema/);

    // ...and lets a generated one follow the template, even with its keys in another order.
    const echo = (await createTool({ name: 'echo_args', integrationType: 'CLI', command: PRINTF, args: ['%s', '{first}'] }).expect(200)).body;
    const stored = (await request(gw.url).get(`/tools/${echo.id}`).expect(200)).body;
    const postedBack = { additionalProperties: stored.inputSchema.additionalProperties, properties: stored.inputSchema.properties, type: stored.inputSchema.type };
    const grown = (await request(gw.url).put(`/tools/${echo.id}`).send({ version: stored.version, description: 'two args', args: ['%s %s', '{first}', '{second}'], inputSchema: postedBack }).expect(200)).body;
    expect(grown).toMatchObject({ version: stored.version + 1, args: ['%s %s', '{first}', '{second}'] });
    expect(grown.inputSchema).toEqual({ type: 'object', properties: { first: { type: 'string' }, second: { type: 'string' } }, additionalProperties: false });
    expect(firstText(await call('echo_args', { first: 'a', second: 'b' }))).toBe('a b');
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
  let db: TestDatabase;
  let gw: TestGateway;
  beforeAll(async () => {
    db = await createTestDatabase();
    // A CLI tool created while its command was allowed; the gateway then restarts without the allowlist.
    const before = await startGateway({ CLI_TOOLS_ALLOWED_COMMANDS: PRINTF }, db);
    try {
      await request(before.url).post('/tools').send({ name: 'was-allowed', integrationType: 'CLI', command: PRINTF, args: ['ran'] }).expect(200);
    } finally {
      await before.close();
    }
    gw = await startGateway({}, db);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  it('are disabled: creating one is refused with 422 naming command', async () => {
    const res = await request(gw.url).post('/tools').send({ name: 'echo', integrationType: 'CLI', command: '/bin/echo', args: ['{x}'] }).expect(422);
    expect(res.body.message).toMatch(/command.*CLI tools are disabled.*CLI_TOOLS_ALLOWED_COMMANDS/);
    // ...and no local example tool is registered by default.
    expect((await request(gw.url).get('/tools').expect(200)).body.map((t: { name: string }) => t.name)).toEqual(['was-allowed']);
  });

  it('refuses to run a tool whose command left CLI_TOOLS_ALLOWED_COMMANDS after it was created (isError)', async () => {
    const client = await connectMcp(`${gw.url}/mcp`);
    try {
      const result = (await client.callTool({ name: 'was-allowed', arguments: {} })) as CallResult;
      expect([result.isError, firstText(result)]).toEqual([true, `Tool was-allowed: command '${PRINTF}' is not in CLI_TOOLS_ALLOWED_COMMANDS`]);
    } finally {
      await client.close();
    }
  });
});
