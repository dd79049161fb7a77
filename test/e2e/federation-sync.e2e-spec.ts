import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/mcp';

/**
 * Catalog sync on PostgreSQL (which enforces column lengths): items too long to store, the periodic re-sync without
 * list_changed, and name conflicts that appear at refresh time.
 */
describe('federation: catalog sync', () => {
  let db: TestDatabase;
  let gw: TestGateway;
  let long: FixtureServer;
  let verbatim: FixtureServer;
  let http: ReturnType<typeof request>;
  let longId: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    [gw, long, verbatim] = await Promise.all([
      startGateway({ GATEWAY_AUTO_REFRESH_INTERVAL: '1', HEALTH_CHECK_INTERVAL: '3600' }, db),
      startFixture({ name: 'long' }),
      startFixture({ name: 'verbatim' }),
    ]);
    http = request(gw.url);
  });
  afterAll(async () => {
    await gw.close();
    await db.drop();
    await Promise.all([long.stop(), verbatim.stop()]);
  });

  it('caps peer names at 100 characters', async () => {
    const res = await http.post('/gateways').send({ name: 'p'.repeat(101), url: long.mcpUrl }).expect(422);
    expect(res.body).toMatchObject({ message: 'name: must be shorter than or equal to 100 characters', details: { fields: ['name'] } });
    expect((await http.get('/gateways')).body).toEqual([]);
  });

  it('skips and reports the items that cannot be stored, and stores the rest', async () => {
    const longName = 'n'.repeat(250);
    await long.admin('tools', { name: longName, silent: true });
    await long.admin('tools', { name: 'titled', title: 'T'.repeat(300), silent: true });
    await long.admin('resources', { uri: 'test://long-mime', name: 'long mime', mimeType: `application/${'x'.repeat(300)}`, silent: true });

    const res = await http.post('/gateways').send({ name: 'Long Names', url: long.mcpUrl }).expect(200);
    longId = res.body.id;
    expect(res.body.lastError).toBe(
      [
        `Peer 'Long Names' exposes tool '${'n'.repeat(60)}…' that cannot be stored: its name has 261 characters (at most 255)`,
        "Peer 'Long Names' exposes tool 'titled' that cannot be stored: its title has 300 characters (at most 255)",
        "Peer 'Long Names' exposes resource 'test://long-mime' that cannot be stored: its MIME type has 312 characters (at most 255)",
      ].join('; '),
    );
    const tools = (await http.get(`/tools?gateway_id=${longId}&limit=0`)).body.map((t: { name: string }) => t.name);
    expect(tools).toContain('long-names-echo');
    expect(tools.some((n: string) => n.includes('nnnn') || n === 'long-names-titled')).toBe(false);
    const resources = (await http.get(`/resources?gateway_id=${longId}&limit=0`)).body.map((r: { uri: string }) => r.uri);
    expect(resources).toContain('test://static-text');
    expect(resources).not.toContain('test://long-mime');

    const refreshed = await http.post(`/gateways/${longId}/tools/refresh`).expect(200);
    expect(refreshed.body).toMatchObject({ success: true, toolsAdded: 0, toolsRemoved: 0, conflicts: [] });
    expect(refreshed.body.skipped).toHaveLength(3);
  });

  it('re-syncs every GATEWAY_AUTO_REFRESH_INTERVAL without any list_changed from the peer', async () => {
    const before = (await http.get(`/gateways/${longId}`)).body.lastRefreshAt;
    await long.admin('tools', { name: 'quiet_tool', silent: true });
    await until(async () => (await http.get(`/tools?gateway_id=${longId}&limit=0`)).body.some((t: { name: string }) => t.name === 'long-names-quiet-tool'), 5000);
    expect((await http.get(`/gateways/${longId}`)).body.lastRefreshAt).not.toBe(before);
  });

  it('skips a tool whose name is taken when it appears at refresh time, and reports it in lastError', async () => {
    const peer = (await http.post('/gateways').send({ name: 'verbatim', url: verbatim.mcpUrl, namespaced: false }).expect(200)).body;
    const local = (await http.post('/tools').send({ name: 'clash_tool', url: 'http://127.0.0.1:9/x', requestType: 'GET' }).expect(200)).body;
    await verbatim.admin('tools', { name: 'clash_tool', silent: true });
    await verbatim.admin('tools', { name: 'fine_tool', silent: true });
    const conflict = "Peer 'verbatim' exposes tool 'clash_tool', which conflicts with an existing tool of that name (defined locally)";
    const refreshed = await http.post(`/gateways/${peer.id}/tools/refresh`).expect(200);
    expect(refreshed.body.conflicts).toContain(conflict);
    expect((await http.get(`/gateways/${peer.id}`)).body.lastError).toContain(conflict);
    const tools = (await http.get(`/tools?gateway_id=${peer.id}&limit=0`)).body.map((t: { name: string }) => t.name);
    expect(tools).toContain('fine_tool');
    expect(tools).not.toContain('clash_tool');
    expect((await http.get(`/tools/${local.id}`)).body).toMatchObject({ name: 'clash_tool', integrationType: 'REST', gatewayId: null });
  });
});
