import { randomBytes } from 'node:crypto';
import request from 'supertest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startGateway, type TestGateway } from '../support/gateway';
import { echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { connectMcp, rpcError } from '../support/mcp';
import { type GatewayProcess, spawnGateway } from '../support/process';
import { scrape } from '../support/prometheus';

const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo_tool', arguments: {} } });

async function addTool(url: string, upstream: HttpUpstream, auth?: [string, string]) {
  const req = request(url).post('/tools');
  if (auth) req.auth(...auth);
  await req.send({ name: 'echo_tool', url: `${upstream.url}/e`, requestType: 'GET' }).expect(200);
}

/** Opens a WebSocket to /ws: the HTTP status (101 when it opened) and body of the answer. */
function wsUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; retryAfter?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, 'mcp', { headers });
    ws.on('error', () => undefined);
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after'] }));
    });
  });
}

describe('rate limits', () => {
  let upstream: HttpUpstream;
  beforeAll(async () => {
    upstream = await startHttpUpstream(echo);
  });
  afterAll(() => upstream.close());

  describe('per gateway (in-memory counters)', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway({ MAX_TOOL_CALLS_PER_MINUTE: '3', RATE_LIMIT_PER_MINUTE: '1000' });
      await addTool(gw.url, upstream);
    });
    afterAll(() => gw.close());

    it('answers the 4th tool call in a minute with 429, Retry-After and a JSON-RPC error, on /rpc and /mcp alike', async () => {
      // Each client (IP here: no token) has its own budget; these calls share 127.0.0.1's.
      for (let i = 1; i <= 3; i++) await request(gw.url).post('/rpc').send(call(i)).expect(200);
      const over = await request(gw.url).post('/rpc').send(call(4)).expect(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(over.body).toMatchObject({ jsonrpc: '2.0', id: 4, error: { code: -32029, message: expect.stringMatching(/3 tool calls per minute/) } });
      // The reference shortcut (method = tool name) counts as a tool call too.
      await request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 5, method: 'echo_tool', params: {} }).expect(429);
      // Other methods are not tool calls.
      await request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 6, method: 'tools/list' }).expect(200);

      const mcp = await request(gw.url).post('/mcp').set('accept', 'application/json, text/event-stream').send(call(7)).expect(429);
      expect(mcp.headers['retry-after']).toBeDefined();
      const client = await connectMcp(`${gw.url}/mcp`);
      const err = await rpcError(client.callTool({ name: 'echo_tool', arguments: {} }));
      expect(String(err)).toMatch(/429|Rate limit/);
      await client.close();
      // Refused calls: /rpc twice, /mcp twice (raw POST and SDK client).
      expect((await scrape(gw.url)).value('rate_limit_rejections_total', { limit: 'tool_calls' })).toBe(4);
    });

    it('sends a -32029 JSON-RPC error on WebSocket, where no HTTP status can carry it; a forwarded client has its own budget', async () => {
      const callOver = async (headers: Record<string, string>, id: number) => {
        const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, 'mcp', { headers });
        await new Promise((r) => ws.once('open', r));
        const reply = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
        ws.send(JSON.stringify(call(id)));
        const answer = JSON.parse(await reply);
        ws.close();
        return answer;
      };
      expect(await callOver({}, 8)).toMatchObject({ id: 8, error: { code: -32029, data: { limit: 3 } } });
      // Behind the trusted (loopback) proxy, the client is the forwarded address: its budget is untouched.
      expect(await callOver({ 'X-Forwarded-For': '10.6.0.1' }, 9)).toMatchObject({ id: 9, result: { content: expect.any(Array) } });
    });
  });

  it('limits API requests per client across all routes (one budget, not one per route), with 429 and Retry-After, never health probes', async () => {
    const gw = await startGateway({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      for (const path of ['/tools', '/resources', '/prompts', '/servers', '/gateways']) await request(gw.url).get(path).expect(200);
      for (const path of ['/tokens', '/tools/no-such-id', '/servers']) {
        const over = await request(gw.url).get(path).expect(429);
        expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
      }
      await request(gw.url).post('/tools').send({ name: 'too_late', url: `${upstream.url}/x` }).expect(429);
      // Other clients have budgets of their own: another address, and an authenticated subject.
      await request(gw.url).get('/tools').set('x-forwarded-for', '10.20.0.1').expect(200);
      await request(gw.url).get('/prompts').auth('admin', 'changeme').expect(200);
      for (let i = 0; i < 10; i++) await request(gw.url).get('/health').expect(200);
      // Scrapes are not limited either, and count the refusals.
      for (let i = 0; i < 3; i++) expect((await scrape(gw.url)).value('rate_limit_rejections_total', { limit: 'requests' })).toBe(4);
    } finally {
      await gw.close();
    }
  });

  describe('failed authentication (AUTH_FAILURES_PER_MINUTE=3, per client address)', () => {
    const PASSWORD = 'correct horse battery staple';
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway({ AUTH_REQUIRED: 'true', BASIC_AUTH_USER: 'ops', BASIC_AUTH_PASSWORD: PASSWORD, AUTH_FAILURES_PER_MINUTE: '3' });
    });
    afterAll(() => gw.close());

    const from = (ip: string) => ({ 'x-forwarded-for': ip });

    it('API and /mcp: after 3 wrong passwords on any routes, every password from that address is refused with 429 and Retry-After, right or wrong', async () => {
      await request(gw.url).get('/tools').set(from('10.1.0.1')).auth('ops', 'wrong').expect(401);
      await request(gw.url).get('/resources').set(from('10.1.0.1')).auth('ops', 'also wrong').expect(401);
      await request(gw.url).post('/rpc').set(from('10.1.0.1')).auth('root', PASSWORD).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(401);

      const locked = await request(gw.url).get('/tools').set(from('10.1.0.1')).auth('ops', PASSWORD).expect(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(locked.headers['www-authenticate']).toBeUndefined();
      expect(locked.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many failed authentication attempts from this address \(limit 3 per minute\): retry in \d+ s$/) });
      await request(gw.url).get('/tools').set(from('10.1.0.1')).auth('ops', 'still wrong').expect(429);
      const mcp = await request(gw.url).post('/mcp').set(from('10.1.0.1')).set('accept', 'application/json, text/event-stream').auth('ops', PASSWORD).send({ jsonrpc: '2.0', id: 1, method: 'ping' });
      expect(mcp.status).toBe(429);
      // Public probes do not look at credentials' failures; other addresses are unaffected.
      await request(gw.url).get('/health').set(from('10.1.0.1')).expect(200);
      await request(gw.url).get('/tools').set(from('10.1.0.2')).auth('ops', PASSWORD).expect(200);
      await request(gw.url).get('/tools').set(from('10.1.0.2')).auth('ops', 'wrong').expect(401);
    });

    it('admin sign-in form: failed logins count, then the right password is refused too (429 page), and admin pages do not serve that address', async () => {
      const ip = '10.1.0.3';
      const page = await request(gw.url).get('/admin/login').set(from(ip)).expect(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      const cookie = page.headers['set-cookie'] as unknown as string[];
      const login = (password: string) => request(gw.url).post('/admin/login').set(from(ip)).set('Cookie', cookie).type('form').send({ _csrf: csrf, username: 'ops', password, next: '/admin' });
      for (let i = 0; i < 3; i++) expect((await login('guess')).status).toBe(401);
      const refused = await login(PASSWORD);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.text).toMatch(/Too many failed authentication attempts/);
      // Basic credentials on an admin page from the locked address: sent to sign in, not served.
      const admin = await request(gw.url).get('/admin').set(from(ip)).auth('ops', PASSWORD);
      expect([admin.status, admin.headers.location]).toEqual([303, expect.stringMatching(/^\/admin\/login/)]);
      // Another address signs in with the same form.
      const other = await request(gw.url).get('/admin/login').set(from('10.1.0.4')).expect(200);
      const ok = await request(gw.url)
        .post('/admin/login')
        .set(from('10.1.0.4'))
        .set('Cookie', other.headers['set-cookie'] as unknown as string[])
        .type('form')
        .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(other.text)![1], username: 'ops', password: PASSWORD, next: '/admin' });
      expect([ok.status, ok.headers.location]).toEqual([303, '/admin']);
    });

    it('WebSocket upgrades: failures count, and share the budget with HTTP requests from the same address', async () => {
      const basic = { Authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}` };
      const wrong = { Authorization: `Basic ${Buffer.from('ops:guess').toString('base64')}` };
      expect((await wsUpgrade(gw.url, basic)).status).toBe(101);
      for (let i = 0; i < 3; i++) expect((await wsUpgrade(gw.url, wrong)).status).toBe(401);
      const locked = await wsUpgrade(gw.url, basic);
      expect(locked.status).toBe(429);
      expect(Number(locked.retryAfter)).toBeGreaterThan(0);
      expect(locked.body).toMatch(/Too many failed authentication attempts from this address/);
      // The same address over HTTP (no X-Forwarded-For: the WebSocket client's own address) is locked too.
      const http = await request(gw.url).get('/tools').auth('ops', PASSWORD).expect(429);
      expect(Number(http.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('WebSocket upgrades through the trusted proxy count against the forwarded address, as HTTP requests do', async () => {
      const basic = { Authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}` };
      const wrong = { Authorization: `Basic ${Buffer.from('ops:guess').toString('base64')}` };
      for (let i = 0; i < 3; i++) expect((await wsUpgrade(gw.url, { ...wrong, ...from('10.5.0.1') })).status).toBe(401);
      expect((await wsUpgrade(gw.url, { ...basic, ...from('10.5.0.1') })).status).toBe(429);
      expect((await wsUpgrade(gw.url, { ...basic, ...from('10.5.0.2') })).status).toBe(101);
      await request(gw.url).get('/tools').set(from('10.5.0.1')).auth('ops', PASSWORD).expect(429);
      await request(gw.url).get('/tools').set(from('10.5.0.2')).auth('ops', PASSWORD).expect(200);
    });

    it('two clients behind the trusted proxy: one guessing passwords does not lock out the other', async () => {
      for (let i = 0; i < 5; i++) await request(gw.url).get('/tools').set(from('10.2.0.1')).auth('ops', `guess ${i}`);
      await request(gw.url).get('/tools').set(from('10.2.0.1')).auth('ops', PASSWORD).expect(429);
      for (let i = 0; i < 5; i++) await request(gw.url).get('/tools').set(from('10.2.0.2')).auth('ops', PASSWORD).expect(200);
      // A chain of proxies: the client is the nearest untrusted address, whatever a client wrote before it.
      await request(gw.url).get('/tools').set(from('10.2.0.1, 10.2.0.2')).auth('ops', PASSWORD).expect(200);
      await request(gw.url).get('/tools').set(from('10.2.0.2, 10.2.0.1')).auth('ops', PASSWORD).expect(429);
    });

    it('never locks out for bad tokens: invalid, expired or forged JWTs are a plain 401, over HTTP and WebSocket', async () => {
      const expired = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', iat: 1, exp: 2, jti: 'j' })).toString('base64url')}.c2ln`;
      for (const token of ['not-a-jwt', expired, 'a.b.c', 'forged'.repeat(3)]) {
        for (let i = 0; i < 3; i++) {
          const res = await request(gw.url).get('/tools').set(from('10.7.0.1')).set('authorization', `Bearer ${token}`).expect(401);
          expect(res.headers['www-authenticate']).toBe('Bearer realm="mcp-gateway"');
          expect((await wsUpgrade(gw.url, { Authorization: `Bearer ${token}`, ...from('10.7.0.1') })).status).toBe(401);
        }
      }
      await request(gw.url).get('/tools').set(from('10.7.0.1')).auth('ops', PASSWORD).expect(200);
      expect((await wsUpgrade(gw.url, { Authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}`, ...from('10.7.0.1') })).status).toBe(101);
    });
  });

  describe('failed authentication behind an untrusted proxy (TRUST_PROXY excludes loopback)', () => {
    const PASSWORD = 'correct horse battery staple';
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway({ AUTH_REQUIRED: 'true', BASIC_AUTH_USER: 'ops', BASIC_AUTH_PASSWORD: PASSWORD, AUTH_FAILURES_PER_MINUTE: '3', TRUST_PROXY: '10.0.0.0/8' });
    });
    afterAll(() => gw.close());

    it('ignores X-Forwarded-For from a client that is not a trusted proxy: every guess counts against its own address', async () => {
      for (let i = 0; i < 3; i++) await request(gw.url).get('/tools').set('x-forwarded-for', `10.8.0.${i}`).auth('ops', 'guess').expect(401);
      const locked = await request(gw.url).get('/tools').set('x-forwarded-for', '10.8.0.99').auth('ops', PASSWORD).expect(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await wsUpgrade(gw.url, { Authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}`, 'X-Forwarded-For': '10.8.0.100' })).status).toBe(429);
    });
  });

  describe('two gateway processes sharing Redis', () => {
    const PASSWORD = 'shared replicas password';
    let db: TestDatabase;
    let a: GatewayProcess;
    let b: GatewayProcess;
    beforeAll(async () => {
      db = await createTestDatabase('postgres');
      const env = {
        DATABASE_URL: db.url,
        REDIS_URL: 'redis://127.0.0.1:6379/0',
        CACHE_PREFIX: `mcpgw-test-${randomBytes(4).toString('hex')}:`,
        LOG_LEVEL: 'info',
        AUTH_REQUIRED: 'true',
        BASIC_AUTH_USER: 'ops',
        BASIC_AUTH_PASSWORD: PASSWORD,
        MAX_TOOL_CALLS_PER_MINUTE: '4',
        AUTH_FAILURES_PER_MINUTE: '2',
      };
      a = await spawnGateway(env, { timeoutMs: 45_000 });
      b = await spawnGateway(env, { timeoutMs: 45_000 }); // after A: A has run the migrations
    }, 100_000);
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await db?.drop();
    });

    it('counts tool calls and failed logins across both processes', async () => {
      expect(a.child.pid).not.toBe(b.child.pid);
      await addTool(a.url, upstream, ['ops', PASSWORD]);
      const rpc = (gw: GatewayProcess, id: number) => request(gw.url).post('/rpc').auth('ops', PASSWORD).send(call(id));
      expect((await rpc(a, 1)).status).toBe(200);
      expect((await rpc(b, 2)).status).toBe(200);
      expect((await rpc(a, 3)).status).toBe(200);
      expect((await rpc(b, 4)).status).toBe(200);
      expect((await rpc(a, 5)).status).toBe(429);
      const overOnB = await rpc(b, 6);
      expect(overOnB.status).toBe(429);
      expect(Number(overOnB.headers['retry-after'])).toBeGreaterThan(0);

      await request(a.url).get('/tools').set('x-forwarded-for', '10.3.0.1').auth('ops', 'wrong').expect(401);
      await request(b.url).get('/tools').set('x-forwarded-for', '10.3.0.1').auth('ops', 'wrong').expect(401);
      await request(a.url).get('/tools').set('x-forwarded-for', '10.3.0.1').auth('ops', PASSWORD).expect(429);
      await request(b.url).get('/tools').set('x-forwarded-for', '10.3.0.1').auth('ops', PASSWORD).expect(429);
      await request(b.url).get('/tools').set('x-forwarded-for', '10.3.0.2').auth('ops', PASSWORD).expect(200);
    });
  });
});
