import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SignJWT } from 'jose';
import request from 'supertest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startGateway, type TestGateway } from '../support/gateway';
import { connectMcp, until } from '../support/mcp';
import { ROOT } from '../support/process';

const SECRET = 'auth-test-secret-that-is-long-enough-for-production';
// The tests here fail authentication on purpose many times from one address: the lockout that would follow
// (AUTH_FAILURES_PER_MINUTE) has its own tests in rate-limit.e2e-spec.ts.
const AUTH_ENV = { AUTH_REQUIRED: 'true', JWT_SECRET_KEY: SECRET, BASIC_AUTH_USER: 'ops', BASIC_AUTH_PASSWORD: 'correct horse', AUTH_FAILURES_PER_MINUTE: '0' };
/** Routes anyone may call. Everything else must answer 401 without credentials. */
const PUBLIC_ROUTES = new Set(['GET /health', 'GET /ready']);
/** The admin UI's sign-in page (a POST without its CSRF cookie is refused with 403). */
const ADMIN_LOGIN_ROUTES = new Map([
  ['GET /admin/login', 200],
  ['POST /admin/login', 403],
]);

const key = (secret = SECRET) => new TextEncoder().encode(secret);
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A token signed as the tests need it (expired, another key, no jti...). */
async function craft(claims: Record<string, unknown>, options: { secret?: string; exp?: number | null; jti?: string | null; aud?: string; iat?: number | null } = {}): Promise<string> {
  const jwt = new SignJWT({ username: 'crafted', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('crafted').setIssuer('mcpgateway').setAudience(options.aud ?? 'mcpgateway-api');
  if (options.iat !== null) jwt.setIssuedAt(options.iat);
  if (options.jti !== null) jwt.setJti(options.jti ?? 'crafted-jti');
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600);
  return jwt.sign(key(options.secret));
}

/** Attempts a WebSocket upgrade (subprotocol mcp): 101 when it opened, else the refusal's status and headers. */
function wsUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'mcp', { headers });
    ws.on('error', () => undefined);
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, headers: {} });
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
  });
}

describe('authentication', () => {
  let gw: TestGateway;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    gw = await startGateway(AUTH_ENV);
    http = request(gw.url);
  });
  afterAll(() => gw.close());

  it('refuses every registered route without credentials, except the explicitly public probes', async () => {
    const express = gw.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
    // Wildcard layers are Nest middleware (request logging), not endpoints.
    const routes = express.router.stack.filter((l) => l.route && !l.route.path.includes('*')).map((l) => l.route!);
    expect(routes.length).toBeGreaterThan(50);
    const checked: string[] = [];
    for (const route of routes) {
      const all = Object.keys(route.methods).length > 10; // @All(): try the methods MCP uses
      for (const method of all ? ['get', 'post', 'delete'] : Object.keys(route.methods)) {
        const path = route.path.replace(/:[A-Za-z]+/g, 'some-id');
        const res = await (http as unknown as Record<string, (p: string) => request.Test>)[method](path).set('accept', 'application/json, text/event-stream');
        const label = `${method.toUpperCase()} ${route.path}`;
        checked.push(label);
        if (PUBLIC_ROUTES.has(label)) expect([label, res.status]).not.toEqual([label, 401]);
        else if (ADMIN_LOGIN_ROUTES.has(label)) expect([label, res.status]).toEqual([label, ADMIN_LOGIN_ROUTES.get(label)]);
        // Admin UI pages send a browser without a session to the sign-in page instead of answering 401.
        else if (route.path.startsWith('/admin')) expect([label, res.status, res.headers.location]).toEqual([label, 303, expect.stringMatching(/^\/admin\/login/)]);
        else expect([label, res.status]).toEqual([label, 401]);
      }
    }
    expect(checked.length).toBeGreaterThan(60);
    expect((await http.get('/tools')).headers['www-authenticate']).toBe('Bearer realm="mcp-gateway"');

    // WebSocket upgrades are not Express routes: /ws and /servers/{id}/ws (for a server that exists, and one that
    // does not) answer 401 before anything else, without credentials and with wrong ones.
    const server = (await http.post('/servers').auth('ops', 'correct horse').send({ name: 'ws-auth-target' }).expect(201)).body;
    for (const path of ['/ws', `/servers/${server.id}/ws`, '/servers/some-id/ws']) {
      for (const headers of [{}, { Authorization: 'Bearer forged' }, { Authorization: 'Basic b3BzOndyb25n' }] as Array<Record<string, string>>) {
        const refused = await wsUpgrade(`${gw.url.replace('http', 'ws')}${path}`, headers);
        expect([path, headers, refused.status]).toEqual([path, headers, 401]);
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="mcp-gateway"');
      }
    }
    const basic = `Basic ${Buffer.from('ops:correct horse').toString('base64')}`;
    expect((await wsUpgrade(`${gw.url.replace('http', 'ws')}/servers/${server.id}/ws`, { Authorization: basic })).status).toBe(101);
  });

  it('accepts Basic credentials and refuses wrong ones', async () => {
    await http.get('/tools').auth('ops', 'correct horse').expect(200);
    const wrong = await http.get('/tools').auth('ops', 'wrong').expect(401);
    expect(wrong.body.message).toBe('Invalid user name or password');
    await http.get('/tools').auth('root', 'correct horse').expect(401);
  });

  it('accepts a token from the token command, and refuses expired, tampered, alg:none, foreign and incomplete tokens', async () => {
    const cli = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/token.js'), '--username', 'cli-user', '--exp', '10'], { env: { PATH: process.env.PATH, JWT_SECRET_KEY: SECRET }, encoding: 'utf8' });
    expect(cli.status).toBe(0);
    const token = cli.stdout.trim();
    const ok = await http.post('/tools').set('authorization', `Bearer ${token}`).send({ name: 'by_cli_user', url: 'http://127.0.0.1:9/x' }).expect(200);
    expect(ok.body.createdBy).toBe('cli-user');

    const cases: Array<[string, string, RegExp]> = [
      ['expired', await craft({}, { exp: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
      ['signed with another key', await craft({}, { secret: 'another-secret-of-sufficient-length-000000' }), /signature is invalid/],
      ['alg:none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'admin', exp: Math.floor(Date.now() / 1000) + 600, jti: 'x', iss: 'mcpgateway', aud: 'mcpgateway-api' })}.`, /algorithm|malformed/i],
      ['tampered payload', `${token.split('.')[0]}.${b64({ sub: 'root', username: 'root', exp: Math.floor(Date.now() / 1000) + 600, jti: 'y' })}.${token.split('.')[2]}`, /signature is invalid/],
      ['without exp', await craft({}, { exp: null }), /'exp'/],
      ['without jti', await craft({}, { jti: null }), /'jti'/],
      ['for another audience', await craft({}, { aud: 'someone-else' }), /'aud'/],
      ['without iat', await craft({}, { iat: null }), /'iat'/],
      ['issued an hour in the future', await craft({}, { iat: now() + 3600 }), /^Token claim 'iat' is invalid: issued in the future$/],
      ['issued 40 s in the future', await craft({}, { iat: now() + 40 }), /'iat' is invalid: issued in the future/],
      ['with a non-numeric iat', await craft({ iat: 'yesterday' }, { iat: null }), /'iat'/],
      ['garbage', 'not-a-jwt', /malformed/i],
    ];
    for (const [label, bad, message] of cases) {
      const res = await http.get('/tools').set('authorization', `Bearer ${bad}`);
      expect([label, res.status]).toEqual([label, 401]);
      expect(res.body.message).toMatch(message);
    }
    // Clock skew of up to 30 s is tolerated.
    await http.get('/tools').set('authorization', `Bearer ${await craft({}, { iat: now() + 20 })}`).expect(200);
  });

  it('mints tokens over the API and revokes them by jti (also tokens it did not mint)', async () => {
    const minted = await http.post('/tokens').auth('ops', 'correct horse').send({ name: 'ci', expiresInMinutes: 30 }).expect(201);
    expect(minted.body).toMatchObject({ name: 'ci', subject: 'ops' });
    await http.get('/tools').set('authorization', `Bearer ${minted.body.token}`).expect(200);
    const listed = await http.get('/tokens').set('authorization', `Bearer ${minted.body.token}`).expect(200);
    expect(listed.body[0]).toMatchObject({ jti: minted.body.jti, revoked: false });
    expect(JSON.stringify(listed.body)).not.toContain(minted.body.token);

    await http.delete(`/tokens/${minted.body.jti}`).auth('ops', 'correct horse').expect(200);
    const refused = await http.get('/tools').set('authorization', `Bearer ${minted.body.token}`).expect(401);
    expect(refused.body.message).toBe('Token has been revoked');

    const external = await craft({}, { jti: 'minted-elsewhere' });
    await http.get('/tools').set('authorization', `Bearer ${external}`).expect(200);
    await http.delete('/tokens/minted-elsewhere').auth('ops', 'correct horse').expect(200);
    await http.get('/tools').set('authorization', `Bearer ${external}`).expect(401);
  });

  it('requires credentials on MCP transports: Streamable HTTP, WebSocket upgrade and the stdio wrapper', async () => {
    await expect(connectMcp(`${gw.url}/mcp`)).rejects.toThrow(/401|Unauthorized/);
    const token = (await http.post('/tokens').auth('ops', 'correct horse').send({}).expect(201)).body.token as string;
    const client = await connectMcp(`${gw.url}/mcp`, { headers: { Authorization: `Bearer ${token}` } });
    await client.listTools();
    await client.close();

    const denied = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`);
    expect(await new Promise<number>((r) => denied.once('unexpected-response', (_q, res) => r(res.statusCode ?? 0)))).toBe(401);
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, 'mcp', { headers: { Authorization: `Bearer ${token}` } });
    await new Promise((r) => ws.once('open', r));
    const reply = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    expect(JSON.parse(await reply)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    ws.close();

    const wrapper = (auth: string) =>
      new StdioClientTransport({
        command: process.execPath,
        args: [join(ROOT, 'dist/src/cli/wrapper.js')],
        env: { PATH: process.env.PATH ?? '', MCP_SERVER_URL: gw.url, MCP_AUTH: auth, MCP_WRAPPER_LOG_LEVEL: 'silent' },
        stderr: 'pipe',
      });
    const viaStdio = new Client({ name: 'desktop', version: '1' });
    await viaStdio.connect(wrapper(token));
    expect((await viaStdio.listTools()).tools.length).toBeGreaterThanOrEqual(0);
    await viaStdio.close();
    const rejected = new Client({ name: 'desktop', version: '1' });
    await expect(rejected.connect(wrapper('bad-token'))).rejects.toThrow(/rejected the credentials \(HTTP 401\): check MCP_AUTH/);
    await rejected.close();
  });
});

describe('authentication across replicas', () => {
  let db: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    [a, b] = [await startGateway(AUTH_ENV, db), await startGateway(AUTH_ENV, db)];
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await db.drop();
  });

  it('refuses on every replica a token revoked on one of them', async () => {
    const token = (await request(a.url).post('/tokens').auth('ops', 'correct horse').send({ name: 'shared' }).expect(201)).body;
    await request(b.url).get('/tools').set('authorization', `Bearer ${token.token}`).expect(200);
    await request(a.url).delete(`/tokens/${token.jti}`).auth('ops', 'correct horse').expect(200);
    const started = Date.now();
    await until(async () => (await request(b.url).get('/tools').set('authorization', `Bearer ${token.token}`)).status === 401, 10_000, 200);
    expect(Date.now() - started).toBeLessThan(7000);
  });
});
