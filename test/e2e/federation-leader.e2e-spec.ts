import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/mcp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two replicas on one PostgreSQL database, both scheduling health checks every second: the holder of the lease
 * pings the peer, the other does not; when the leader stops, the other takes over. The fixture tells the replicas
 * apart by the clientInfo name of the session that pings (APP_NAME).
 */
describe('federation: one replica runs the health checks', () => {
  let db: TestDatabase;
  let fixture: FixtureServer;
  const replicas = new Map<string, TestGateway>();

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    fixture = await startFixture({ name: 'watched' });
    for (const name of ['replica-a', 'replica-b']) replicas.set(name, await startGateway({ APP_NAME: name, HEALTH_CHECK_INTERVAL: '1', HEALTH_CHECK_TIMEOUT: '1' }, db));
  });
  afterAll(async () => {
    for (const gw of replicas.values()) await gw.close();
    await db.drop();
    await fixture.stop();
  });

  const pingsSince = async (since: number) => (await fixture.admin('stats')).pings.filter((p) => p.at >= since);

  it('pings the peer from the leader only, and from the other replica once the leader stops', async () => {
    await request(replicas.get('replica-a')!.url).post('/gateways').send({ name: 'watched', url: fixture.mcpUrl }).expect(200);
    const registered = Date.now();
    await sleep(3500);
    const first = await pingsSince(registered);
    expect(first.length).toBeGreaterThanOrEqual(2);
    const leaders = [...new Set(first.map((p) => p.client))];
    expect(leaders).toHaveLength(1);
    const [leader] = leaders as string[];
    const follower = leader === 'replica-a' ? 'replica-b' : 'replica-a';

    await replicas.get(leader)!.close();
    replicas.delete(leader);
    const stopped = Date.now();
    // The stopped leader released its lease: the other replica takes over within a few intervals.
    await until(async () => (await pingsSince(stopped)).some((p) => p.client === follower), 5000);
    await sleep(2000);
    const after = await pingsSince(stopped);
    expect(new Set(after.map((p) => p.client))).toEqual(new Set([follower]));
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect((await request(replicas.get(follower)!.url).get('/gateways/watched').expect(200)).body.reachable).toBe(true);
  });
});
