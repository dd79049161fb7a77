import { createSocket } from 'node:dgram';
import makeMdns from 'multicast-dns';
import request from 'supertest';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/mcp';


/** A free UDP port on loopback, so the test's mDNS traffic never meets a real responder on 5353. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const { port } = socket.address();
  await new Promise<void>((r) => socket.close(() => r()));
  return port;
}

describe('peer discovery', () => {
  let fixture: FixtureServer;
  beforeAll(async () => {
    fixture = await startFixture({ name: 'discovered' });
  });
  afterAll(() => fixture.stop());

  it('registers the static FEDERATION_PEERS list at start-up', async () => {
    const gw: TestGateway = await startGateway({ FEDERATION_PEERS: `static peer=${fixture.mcpUrl}`, FEDERATION_DISCOVERY_INTERVAL: '1' });
    try {
      const peer = await until(async () => (await request(gw.url).get('/gateways')).body.find((g: { url: string }) => g.url === fixture.mcpUrl));
      expect(peer).toMatchObject({ name: 'static peer', slug: 'static-peer', reachable: true });
      expect((await request(gw.url).get(`/tools?gateway_id=${peer.id}&limit=0`)).body.length).toBeGreaterThan(10);
    } finally {
      await gw.close();
    }
  });

  // Multicast stays on the loopback interface: responder and gateway join the group on 127.0.0.1 only and send
  // with IP_MULTICAST_IF=127.0.0.1, on a random port instead of 5353.
  it('registers a peer advertised over DNS-SD (_mcp._tcp.local) on the loopback interface', async () => {
    const port = await freeUdpPort();
    const responder = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port, loopback: true, reuseAddr: true });
    // multicast-dns reports a failed group join or interface setting only as a warning, then may send on the default
    // route: any warning fails the test (the gateway, for its part, turns discovery off on such a warning).
    const warnings: Error[] = [];
    responder.on('warning', (err: Error) => void warnings.push(err));
    const queries: string[] = [];
    responder.on('query', (q) => {
      if (!q.questions.some((x) => x.name === '_mcp._tcp.local')) return;
      queries.push(q.questions[0].name);
      responder.respond({
        answers: [{ name: '_mcp._tcp.local', type: 'PTR', data: 'Disco Peer._mcp._tcp.local' }],
        additionals: [
          { name: 'Disco Peer._mcp._tcp.local', type: 'SRV', data: { port: fixture.port, target: 'fixture.local' } },
          { name: 'Disco Peer._mcp._tcp.local', type: 'TXT', data: ['path=/mcp', 'transport=streamablehttp'] },
          { name: 'fixture.local', type: 'A', data: '127.0.0.1' },
        ],
      });
    });
    const gw = await startGateway({
      FEDERATION_DISCOVERY: 'true',
      FEDERATION_DISCOVERY_INTERFACE: '127.0.0.1',
      FEDERATION_DISCOVERY_PORT: String(port),
      FEDERATION_DISCOVERY_INTERVAL: '1',
    });
    try {
      const peer = await until(async () => (await request(gw.url).get('/gateways')).body.find((g: { name: string }) => g.name === 'Disco Peer'));
      expect(peer).toMatchObject({ url: fixture.mcpUrl, transport: 'STREAMABLEHTTP' });
      expect(queries.length).toBeGreaterThan(0);
      // Discovered again on the next round: still one registration.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await request(gw.url).get('/gateways')).body.filter((g: { url: string }) => g.url === fixture.mcpUrl)).toHaveLength(1);
      expect(warnings).toEqual([]);
    } finally {
      await gw.close();
      responder.destroy();
    }
  });
});
