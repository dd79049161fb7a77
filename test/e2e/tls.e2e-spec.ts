import request from 'supertest';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { echo } from '../support/http-upstream';
import { installNetworkGuard, type NetworkGuard } from '../support/network-guard';
import { createTestPki, type HttpsServer, startHttpsUpstream, startTlsProxy, type TestPki } from '../support/tls';

/** Both names point at loopback; the server certificate names only the first (and 127.0.0.1). */
const ZONE = { 'secure.test': ['127.0.0.1'], 'wrong-name.test': ['127.0.0.1'] };

const callTool = (gw: TestGateway, name: string, args: Record<string, unknown> = {}) =>
  request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }).expect(200);

/**
 * Outbound TLS against a throwaway CA: certificates are verified by default (with a clear error), a peer's own CA
 * bundle (`caCertificate`) is trusted for that peer only, the host name is checked against the certificate even
 * though the connection goes to the address the SSRF check resolved, and SKIP_SSL_VERIFY=true turns verification off.
 */
describe('TLS verification of outbound requests', () => {
  let guard: NetworkGuard;
  let pki: TestPki;
  let foreign: TestPki;
  let api: HttpsServer;
  let fixture: FixtureServer;
  let peer: HttpsServer;
  let gw: TestGateway;

  beforeAll(async () => {
    guard = installNetworkGuard(ZONE);
    pki = createTestPki(['127.0.0.1', 'secure.test']);
    foreign = createTestPki(['127.0.0.1']);
    fixture = await startFixture({ name: 'tls-peer' });
    [api, peer] = await Promise.all([startHttpsUpstream(pki, echo), startTlsProxy(pki, fixture.url)]);
    gw = await startGateway({});
    await request(gw.url).post('/tools').send({ name: 'https_echo', url: `${api.url}/echo`, requestType: 'GET', maxRetries: 0 }).expect(200);
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([api?.close(), peer?.close(), fixture?.stop()]);
    guard.restore();
    expect(guard.refused).toEqual([]);
  });

  it('refuses an upstream whose certificate does not verify, saying so (REST tool and peer)', async () => {
    const res = await callTool(gw, 'https_echo');
    expect(res.body.result.isError).toBe(true);
    expect(res.body.result.content[0].text).toMatch(/TLS certificate verification failed for 127\.0\.0\.1 \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\); a peer signed by a private CA can trust it with caCertificate, or set SKIP_SSL_VERIFY=true/);
    expect(api.requests).toHaveLength(0);

    const reg = await request(gw.url).post('/gateways').send({ name: 'untrusted peer', url: `${peer.url}/mcp` }).expect(502);
    expect(reg.body.message).toMatch(/^Cannot connect to peer 'untrusted peer' at https:\/\/127\.0\.0\.1:\d+\/mcp: TLS certificate verification failed for 127\.0\.0\.1 \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    expect((await request(gw.url).get('/gateways')).body).toEqual([]);
  });

  it("trusts a peer's own CA bundle (caCertificate) for that peer only, and checks the host name against the certificate", async () => {
    const ok = await request(gw.url).post('/gateways').send({ name: 'trusted peer', url: `${peer.url}/mcp`, caCertificate: pki.caCert }).expect(200);
    expect((await callTool(gw, 'trusted-peer-echo', { text: 'over tls' })).body.result.content[0].text).toBe('over tls');
    expect(peer.requests.length).toBeGreaterThan(0);
    await request(gw.url).delete(`/gateways/${ok.body.id}`).expect(200);

    // By name: the SSRF check dials 127.0.0.1, TLS still verifies (and sends SNI for) the name in the URL.
    await request(gw.url).post('/gateways').send({ name: 'named peer', url: `https://secure.test:${peer.port}/mcp`, caCertificate: pki.caCert }).expect(200);
    const mismatch = await request(gw.url).post('/gateways').send({ name: 'misnamed peer', url: `https://wrong-name.test:${peer.port}/mcp`, caCertificate: pki.caCert }).expect(502);
    expect(mismatch.body.message).toMatch(/TLS certificate verification failed for wrong-name\.test \(ERR_TLS_CERT_ALTNAME_INVALID: .*wrong-name\.test/);

    // Another CA's bundle does not vouch for this server.
    const wrongCa = await request(gw.url).post('/gateways').send({ name: 'wrong ca peer', url: `${peer.url}/mcp`, caCertificate: foreign.caCert }).expect(502);
    expect(wrongCa.body.message).toMatch(/TLS certificate verification failed for 127\.0\.0\.1/);

    // The bundle belongs to the peer: the REST tool on the same server is still refused.
    expect((await callTool(gw, 'https_echo')).body.result.isError).toBe(true);
    expect(api.requests).toHaveLength(0);
  });

  it('accepts any certificate with SKIP_SSL_VERIFY=true (REST tool and peer)', async () => {
    const lax = await startGateway({ SKIP_SSL_VERIFY: 'true' });
    try {
      await request(lax.url).post('/tools').send({ name: 'https_echo', url: `${api.url}/echo`, requestType: 'GET' }).expect(200);
      const res = await callTool(lax, 'https_echo');
      expect(res.body.result.isError).toBeFalsy();
      expect(JSON.parse(res.body.result.content[0].text)).toMatchObject({ method: 'GET', path: '/echo' });
      await request(lax.url).post('/gateways').send({ name: 'any peer', url: `https://wrong-name.test:${peer.port}/mcp` }).expect(200);
      expect((await callTool(lax, 'any-peer-echo', { text: 'unverified' })).body.result.content[0].text).toBe('unverified');
    } finally {
      await lax.close();
    }
  });
});
