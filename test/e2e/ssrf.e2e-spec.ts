import request from 'supertest';
import { CONNECT_GUARD, DNS_RESOLVER, type DnsResolver } from '../../src/common/http/outbound-http';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { firstText, connectMcp } from '../support/mcp';

/** Names the tests use, resolved without real DNS. Anything else does not resolve. */
const ZONE: Record<string, string[]> = {
  'loopback.test': ['127.0.0.1'],
  'sneaky.test': ['93.184.216.34', '127.0.0.1'],
  'internal.test': ['10.0.0.5'],
  'metadata-alias.test': ['169.254.169.254'],
};
const resolver: DnsResolver = async (hostname) => {
  const ips = ZONE[hostname];
  if (!ips) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return ips.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
/** The safety net under the code being tested: a socket to anything but loopback fails the test run. */
const attempts: string[] = [];
const loopbackOnly = (address: string) => {
  attempts.push(address);
  if (!/^127\./.test(address) && address !== '::1') throw new Error(`TEST SAFETY NET: refused to connect to ${address}`);
};
const OVERRIDES = [
  { provide: DNS_RESOLVER, useValue: resolver },
  { provide: CONNECT_GUARD, useValue: loopbackOnly },
];

describe('SSRF protection (no connection leaves loopback)', () => {
  let strict: TestGateway;
  let upstream: HttpUpstream;
  let peer: FixtureServer;

  beforeAll(async () => {
    [upstream, peer] = await Promise.all([startHttpUpstream(echo), startFixture({ name: 'local-peer' })]);
    strict = await startGateway({ SSRF_ALLOW_LOCALHOST: 'false' }, undefined, OVERRIDES);
  });
  afterAll(async () => {
    await strict.close();
    await Promise.all([upstream.close(), peer.stop()]);
    expect(attempts.filter((a) => !/^127\./.test(a))).toEqual([]);
  });

  it.each([
    ['http://127.0.0.1:9/x', /127\.0\.0\.1 is a loopback address/],
    ['http://[::1]:9/x', /::1 is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata host/],
    ['http://10.1.2.3/', /private network/],
  ])('refuses a REST tool at %s with a 422 naming the url', async (url, reason) => {
    const res = await request(strict.url).post('/tools').send({ name: `t${Math.random().toString(36).slice(2, 8)}`, url }).expect(422);
    expect(res.body.message).toMatch(/^url: is not allowed by SSRF protection: /);
    expect(res.body.message).toMatch(reason);
  });

  it('refuses decimal and hex spellings of loopback too (422)', async () => {
    for (const url of ['http://2130706433:9/x', 'http://0x7f.1:9/x', 'http://0177.0.0.1:9/x']) {
      const res = await request(strict.url).post('/tools').send({ name: `t${Math.random().toString(36).slice(2, 8)}`, url }).expect(422);
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
      const gw = await startGateway(env, undefined, OVERRIDES);
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
});
