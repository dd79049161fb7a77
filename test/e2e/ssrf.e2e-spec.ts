import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import request from 'supertest';
import { request as undiciRequest } from 'undici';
import { blockedCause } from '../../src/common/http/outbound-http';
import { UpstreamPool } from '../../src/modules/federation/upstream/upstream-pool.service';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { echo, type HttpUpstream, type Handler, startHttpUpstream } from '../support/http-upstream';
import { firstText, connectMcp } from '../support/mcp';
import { installNetworkGuard, type NetworkGuard } from '../support/network-guard';

/**
 * Names the tests use, served by the network guard instead of real DNS (anything else is ENOTFOUND). The guard
 * also refuses, at the socket layer of this process, any connection outside loopback: even a broken SSRF check
 * cannot make this file open a connection to another machine.
 */
const ZONE = {
  'loopback.test': ['127.0.0.1'],
  'sneaky.test': ['93.184.216.34', '127.0.0.1'],
  'internal.test': ['10.0.0.5'],
  'metadata-alias.test': ['169.254.169.254'],
  // DNS rebinding: a public address on the first lookup, loopback on every later one.
  'rebind.test': (previous: number) => (previous === 0 ? ['93.184.216.34'] : ['127.0.0.1']),
  'rebind-peer.test': (previous: number) => (previous === 0 ? ['93.184.216.34'] : ['127.0.0.1']),
};

const uniqueName = () => `t${Math.random().toString(36).slice(2, 8)}`;

/** Sends every request to `location` with the given redirect status. */
const redirectTo =
  (location: string, status = 302): Handler =>
  (_req, res) => {
    res.writeHead(status, { location, 'content-type': 'text/plain' });
    res.end('moved');
  };

describe('SSRF protection (no connection leaves loopback)', () => {
  let guard: NetworkGuard;
  let strict: TestGateway;
  let upstream: HttpUpstream;
  let peer: FixtureServer;

  beforeAll(async () => {
    guard = installNetworkGuard(ZONE);
    [upstream, peer] = await Promise.all([startHttpUpstream(echo), startFixture({ name: 'local-peer' })]);
    strict = await startGateway({ SSRF_ALLOW_LOCALHOST: 'false' });
  });
  afterAll(async () => {
    await strict?.close();
    await Promise.all([upstream?.close(), peer?.stop()]);
    guard.restore();
    // Tests that provoke a refusal on purpose check and clear it; any other one is a connection the gateway tried.
    expect(guard.refused).toEqual([]);
    expect(guard.connected.filter((c) => !/^(127\.|localhost:|::1:|\[::1\])/.test(c))).toEqual([]);
  });

  it('the network guard itself refuses sockets outside loopback and answers names only from its fake zone', async () => {
    expect(() => net.connect(80, '10.0.0.1')).toThrow(/TEST NETWORK GUARD: refused to connect to 10\.0\.0\.1:80/);
    expect(() => net.createConnection({ host: '169.254.169.254', port: 80 })).toThrow(/TEST NETWORK GUARD/);
    expect(() => new net.Socket().connect({ host: '10.0.0.1', port: 81 })).toThrow(/TEST NETWORK GUARD/);
    expect(() => new net.Socket().connect(82, '10.0.0.1')).toThrow(/TEST NETWORK GUARD/);
    expect(() => tls.connect({ host: '93.184.216.34', port: 443, servername: 'example.com' })).toThrow(/TEST NETWORK GUARD/);
    expect(() => net.connect({ host: 'example.com', port: 80 })).toThrow(/TEST NETWORK GUARD/); // a name could resolve anywhere
    // Real HTTP clients go through the same layer: undici (what the gateway uses) and Node's fetch.
    await expect(undiciRequest('http://10.0.0.1:83/')).rejects.toThrow(/TEST NETWORK GUARD/);
    await expect(fetch('http://10.0.0.1:84/')).rejects.toMatchObject({ cause: { message: expect.stringMatching(/TEST NETWORK GUARD/) } });
    expect(guard.refused).toEqual(['10.0.0.1:80', '169.254.169.254:80', '10.0.0.1:81', '10.0.0.1:82', '93.184.216.34:443', 'example.com:80', '10.0.0.1:83', '10.0.0.1:84']);
    guard.refused.length = 0;

    await expect(dns.promises.lookup('example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(dns.promises.resolve4('example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(new dns.promises.Resolver().resolve6('example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(new Promise((resolve, reject) => dns.resolveAny('example.com', (err, r) => (err ? reject(err) : resolve(r))))).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(await dns.promises.lookup('sneaky.test', { all: true })).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(await new Promise((resolve) => dns.lookup('loopback.test', (_err, address, family) => resolve([address, family])))).toEqual(['127.0.0.1', 4]);
    expect(await dns.promises.resolve4('internal.test')).toEqual(['10.0.0.5']);
  });

  it.each([
    ['http://127.0.0.1:9/x', /127\.0\.0\.1 is a loopback address/],
    ['http://[::1]:9/x', /::1 is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata host/],
    ['http://10.1.2.3/', /private network/],
    ['http://[::ffff:0:7f00:1]:9/x', /127\.0\.0\.1 is a loopback address/],
    ['http://[2002:7f00:1::1]:9/x', /127\.0\.0\.1 is a loopback address/],
    ['http://[64:ff9b::a00:1]/', /10\.0\.0\.1 is a private network/],
  ])('refuses a REST tool at %s with a 422 naming the url', async (url, reason) => {
    const res = await request(strict.url).post('/tools').send({ name: uniqueName(), url }).expect(422);
    expect(res.body.message).toMatch(/^url: is not allowed by SSRF protection: /);
    expect(res.body.message).toMatch(reason);
  });

  it('refuses decimal and hex spellings of loopback too (422)', async () => {
    for (const url of ['http://2130706433:9/x', 'http://0x7f.1:9/x', 'http://0177.0.0.1:9/x']) {
      const res = await request(strict.url).post('/tools').send({ name: uniqueName(), url }).expect(422);
      expect(res.body.message).toMatch(/^url: (must be an http\(s\) URL|is not allowed by SSRF protection: 127\.0\.0\.1 is a loopback address)/);
    }
  });

  it('checks names when the call connects: a name resolving to loopback (or, partly, to it) is refused without connecting', async () => {
    const port = new URL(upstream.url).port;
    for (const host of ['loopback.test', 'sneaky.test', 'internal.test', 'metadata-alias.test']) {
      await request(strict.url).post('/tools').send({ name: `via_${host.split('.')[0].replace('-', '_')}`, url: `http://${host}:${port}/x`, requestType: 'GET' }).expect(200);
    }
    const before = upstream.requests.length;
    const client = await connectMcp(`${strict.url}/mcp`);
    try {
      for (const [tool, reason] of [
        ['via_loopback', /loopback\.test resolves to 127\.0\.0\.1 is a loopback address/],
        ['via_sneaky', /sneaky\.test resolves to 127\.0\.0\.1 is a loopback address/],
        ['via_internal', /internal\.test resolves to 10\.0\.0\.5 is a private network address/],
        ['via_metadata_alias', /metadata address/],
      ] as const) {
        const result = await client.callTool({ name: tool, arguments: {} });
        expect(result.isError).toBe(true);
        expect(firstText(result)).toMatch(/blocked by SSRF protection/);
        expect(firstText(result)).toMatch(reason);
      }
    } finally {
      await client.close();
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('resolves a name once per connection and dials exactly the address it checked (DNS rebinding)', async () => {
    // rebind.test answers 93.184.216.34 first and 127.0.0.1 afterwards. A connector that checks one lookup and
    // connects to the result of another reaches the loopback upstream; ours dials the checked public address
    // (which the network guard refuses), and its retry, on a fresh lookup, is blocked as loopback.
    const port = new URL(upstream.url).port;
    await request(strict.url).post('/tools').send({ name: 'via_rebind', url: `http://rebind.test:${port}/x`, requestType: 'GET', maxRetries: 1 }).expect(200);
    const before = upstream.requests.length;
    const res = await request(strict.url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'via_rebind', arguments: {} } }).expect(200);
    expect(res.body.result.isError).toBe(true);
    expect(res.body.result.content[0].text).toMatch(/blocked by SSRF protection: rebind\.test resolves to 127\.0\.0\.1 is a loopback address/);
    expect(upstream.requests.length).toBe(before);
    expect(guard.lookups.get('rebind.test')).toBe(2); // one lookup per connection attempt, never one to check and one to dial
    expect(guard.refused).toEqual([`93.184.216.34:${port}`]);
    guard.refused.length = 0;

    // A peer that passes the registration check (public address) is checked again on the address it connects to.
    const peerRes = await request(strict.url).post('/gateways').send({ name: 'rebinding peer', url: `http://rebind-peer.test:${peer.port}/mcp` }).expect(422);
    expect(peerRes.body.message).toMatch(/^url: is not allowed: blocked by SSRF protection: rebind-peer\.test resolves to 127\.0\.0\.1 is a loopback address/);
    expect(guard.refused).toEqual([]);
  });

  it('refuses to register a peer on loopback (422), by address or by name', async () => {
    const ip = await request(strict.url).post('/gateways').send({ name: 'loop peer', url: peer.mcpUrl }).expect(422);
    expect(ip.body.message).toMatch(/url: is not allowed by SSRF protection: 127\.0\.0\.1 is a loopback address/);
    const named = await request(strict.url).post('/gateways').send({ name: 'named peer', url: `http://loopback.test:${peer.port}/mcp` }).expect(422);
    expect(named.body.message).toMatch(/loopback\.test resolves to 127\.0\.0\.1/);
    expect((await request(strict.url).get('/gateways')).body).toEqual([]);
  });

  it('allows loopback when SSRF_ALLOW_LOCALHOST=true, and a network on the SSRF_ALLOWED_NETWORKS allowlist', async () => {
    const envs: Array<Record<string, string>> = [{ SSRF_ALLOW_LOCALHOST: 'true' }, { SSRF_ALLOW_LOCALHOST: 'false', SSRF_ALLOWED_NETWORKS: '127.0.0.0/8' }];
    for (const env of envs) {
      const gw = await startGateway(env);
      try {
        await request(gw.url).post('/gateways').send({ name: 'allowed peer', url: `http://loopback.test:${peer.port}/mcp` }).expect(200);
        const client = await connectMcp(`${gw.url}/mcp`);
        expect(firstText(await client.callTool({ name: 'allowed-peer-echo', arguments: { text: 'ok' } }))).toBe('ok');
        await client.close();
      } finally {
        await gw.close();
      }
    }
  });

  describe('redirects to blocked addresses (the upstream itself is allowed)', () => {
    let open: TestGateway;
    let redirector: HttpUpstream;
    const TARGETS = [
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address/],
      ['http://internal.test/admin', /internal\.test resolves to 10\.0\.0\.5 is a private network address/],
      ['http://metadata.google.internal/computeMetadata/v1/', /metadata\.google\.internal is a cloud metadata host/],
    ] as const;

    beforeAll(async () => {
      redirector = await startHttpUpstream(redirectTo(TARGETS[0][0]));
      open = await startGateway({ SSRF_ALLOW_LOCALHOST: 'true' });
    });
    afterAll(async () => {
      await open?.close();
      await redirector?.close();
    });

    it('a REST tool does not follow a 3xx: the call fails with the status, nothing else is contacted', async () => {
      for (const [target] of TARGETS) {
        redirector.handle(redirectTo(target));
        const name = uniqueName();
        await request(open.url).post('/tools').send({ name, url: `${redirector.url}/start`, requestType: 'GET', maxRetries: 0 }).expect(200);
        const before = redirector.requests.length;
        const res = await request(open.url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } }).expect(200);
        expect(res.body.result.isError).toBe(true);
        expect(res.body.result.content[0].text).toMatch(/^HTTP 302 from /);
        expect(redirector.requests.length).toBe(before + 1);
      }
      expect(guard.refused).toEqual([]);
    });

    it('an HTTP-backed resource does not follow a 3xx: reading it is an error naming the status', async () => {
      for (const [target] of TARGETS) {
        redirector.handle(redirectTo(target, 301));
        const uri = `https://docs.example/${uniqueName()}`;
        await request(open.url).post('/resources').send({ uri, name: uri, contentUrl: `${redirector.url}/doc.json`, mimeType: 'application/json' }).expect(200);
        const res = await request(open.url).post('/rpc').send({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri } }).expect(200);
        expect(res.body.error?.message ?? JSON.stringify(res.body)).toMatch(/answered HTTP 301/);
      }
      expect(guard.refused).toEqual([]);
    });

    it('an OpenAPI import by URL does not follow a 3xx: 422 naming the url', async () => {
      for (const [target] of TARGETS) {
        redirector.handle(redirectTo(target, 307));
        const res = await request(open.url).post('/tools/import/openapi').send({ url: `${redirector.url}/openapi.json` }).expect(422);
        expect(res.body.message).toBe('url: answered HTTP 307');
      }
      expect(guard.refused).toEqual([]);
    });

    it('peer registration does not follow a cross-origin redirect, and the peer fetch checks every hop it follows', async () => {
      for (const [target] of TARGETS) {
        redirector.handle(redirectTo(target, 307));
        const res = await request(open.url).post('/gateways').send({ name: uniqueName(), url: `${redirector.url}/mcp` }).expect(502);
        expect(res.body.message).toContain(`Redirect to ${target} not followed`);
      }
      expect((await request(open.url).get('/gateways')).body).toEqual([]);
      // Below the MCP client (which follows same-origin redirects only), the fetch peers are reached with follows
      // redirects through the same SSRF-checking connector: a hop to a blocked address fails as blocked.
      const peerFetch = open.app.get(UpstreamPool).fetchFor({ ca: null }) as unknown as typeof fetch;
      for (const [target, reason] of TARGETS) {
        redirector.handle(redirectTo(target, 307));
        const err = await peerFetch(`${redirector.url}/mcp`, { method: 'POST', body: '{}' }).then(() => null, (e: unknown) => e);
        expect(blockedCause(err)?.message).toMatch(reason);
      }
      redirector.handle(redirectTo(`${upstream.url}/after-redirect`, 307));
      const followed = await peerFetch(`${redirector.url}/mcp`, { method: 'POST', body: '{"x":1}' });
      expect(await followed.json()).toMatchObject({ method: 'POST', path: '/after-redirect', body: { x: 1 } });
      expect(guard.refused).toEqual([]);
    });
  });
});
