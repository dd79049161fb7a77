import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import request from 'supertest';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { connectMcp, firstText, rpcError, until } from '../support/mcp';
import { scrape } from '../support/prometheus';

/** Health checks every second; two failures mark a peer unreachable. */
describe('federation: health checks, recovery, fail-over, enable/disable', () => {
  let gw: TestGateway;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    gw = await startGateway({ HEALTH_CHECK_INTERVAL: '1', HEALTH_CHECK_TIMEOUT: '1', UNHEALTHY_THRESHOLD: '2', MAX_TOOL_RETRIES: '0', FEDERATION_TIMEOUT: '2' });
    http = request(gw.url);
  });
  afterAll(() => gw.close());

  it('marks a killed peer unreachable within the interval, hides and fails its tools, and recovers when it restarts', async () => {
    const peer = await startFixture({ name: 'flaky' });
    try {
      const id = (await http.post('/gateways').send({ name: 'flaky', url: peer.mcpUrl }).expect(200)).body.id;
      const client = await connectMcp(`${gw.url}/mcp`);
      let listChanged = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
      try {
        expect(firstText(await client.callTool({ name: 'flaky-echo', arguments: { text: 'up' } }))).toBe('up');
        expect((await scrape(gw.url)).value('gateway_up', { gateway: 'flaky' })).toBe(1);

        await peer.kill();
        const killedAt = Date.now();
        await until(async () => (await http.get(`/gateways/${id}`)).body.reachable === false);
        // HEALTH_CHECK_INTERVAL (1 s) x UNHEALTHY_THRESHOLD (2) plus one interval of slack
        expect(Date.now() - killedAt).toBeLessThan(4500);
        const status = (await http.get(`/gateways/${id}`)).body;
        expect(status.consecutiveFailures).toBeGreaterThanOrEqual(2);
        expect(status.lastError).toMatch(/ECONNREFUSED|fetch failed|connection/i);
        const down = await scrape(gw.url);
        expect(down.series('gateway_up')).toContainEqual({ name: 'gateway_up', labels: { gateway: 'flaky' }, value: 0 });
        expect((await http.get('/tools?limit=0')).body.find((t: { name: string }) => t.name === 'flaky-echo').reachable).toBe(false);
        await until(() => listChanged > 0);
        expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('flaky-echo');
        const failed = await client.callTool({ name: 'flaky-echo', arguments: { text: 'down' } });
        expect(failed).toMatchObject({ isError: true });
        expect(firstText(failed)).toMatch(/unavailable|unreachable/);
        // Its resources and prompts are hidden too, and using one names the peer.
        expect(await rpcError(client.readResource({ uri: 'test://static-text' }))).toMatchObject({
          code: -32002,
          message: "MCP error -32002: Resource test://static-text is unavailable: its peer 'flaky' is unreachable",
        });
        expect((await rpcError(client.getPrompt({ name: 'flaky-test-simple-prompt' }))).message).toBe(
          "MCP error -32602: Prompt flaky-test-simple-prompt is unavailable: its peer 'flaky' is unreachable",
        );
        expect((await client.listPrompts()).prompts.map((p) => p.name)).not.toContain('flaky-test-simple-prompt');

        await peer.restart();
        await until(async () => (await http.get(`/gateways/${id}`)).body.reachable === true);
        expect((await scrape(gw.url)).value('gateway_up', { gateway: 'flaky' })).toBe(1);
        await until(async () => (await client.listTools()).tools.some((t) => t.name === 'flaky-echo'));
        // The client's pooled upstream session died with the peer; a fresh one is opened transparently.
        expect(firstText(await client.callTool({ name: 'flaky-echo', arguments: { text: 'back' } }))).toBe('back');
      } finally {
        await client.close();
      }
      await http.delete(`/gateways/${id}`).expect(200);
    } finally {
      await peer.stop();
    }
  });

  it('fails over to an alternate peer when the primary is down, and back', async () => {
    const [primary, alternate] = await Promise.all([startFixture({ name: 'primary' }), startFixture({ name: 'secondary' })]);
    try {
      const p = (await http.post('/gateways').send({ name: 'pair', url: primary.mcpUrl }).expect(200)).body;
      const a = (await http.post('/gateways').send({ name: 'pair backup', url: alternate.mcpUrl, alternateOf: p.id }).expect(200)).body;
      expect(a.alternateOf).toBe(p.id);
      expect((await http.get(`/tools?gateway_id=${a.id}&limit=0`)).body).toEqual([]);
      const client = await connectMcp(`${gw.url}/mcp`);
      const who = async () => JSON.parse(firstText(await client.callTool({ name: 'pair-whoami', arguments: {} }))).server;
      // Tools, resources and prompts alike: which fixture answered.
      const whoServes = async () => ({
        tool: await who(),
        resource: JSON.parse(((await client.readResource({ uri: 'test://template/7/data' })).contents[0] as { text: string }).text).server,
        prompt: ((await client.getPrompt({ name: 'pair-server-prompt' })).messages[0].content as { text: string }).text.replace('Rendered by ', ''),
      });
      try {
        expect(await whoServes()).toEqual({ tool: 'primary', resource: 'primary', prompt: 'primary' });
        await primary.kill();
        // Even before the health check notices, a call that cannot reach the primary goes to the alternate.
        expect(await whoServes()).toEqual({ tool: 'secondary', resource: 'secondary', prompt: 'secondary' });
        await until(async () => (await http.get(`/gateways/${p.id}`)).body.reachable === false);
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('pair-whoami');
        expect((await client.listPrompts()).prompts.map((x) => x.name)).toContain('pair-server-prompt');
        expect(await whoServes()).toEqual({ tool: 'secondary', resource: 'secondary', prompt: 'secondary' });
        await primary.restart();
        await until(async () => (await http.get(`/gateways/${p.id}`)).body.reachable === true);
        expect(await whoServes()).toEqual({ tool: 'primary', resource: 'primary', prompt: 'primary' });
      } finally {
        await client.close();
      }
      // A peer that lacks some of the primary's tools cannot be its alternate.
      await primary.admin('tools', { name: 'only_here' });
      await until(async () => (await http.get(`/tools?gateway_id=${p.id}&limit=0`)).body.some((t: { name: string }) => t.name === 'pair-only-here'));
      const lacking = await http.post('/gateways').send({ name: 'pair lacking', url: alternate.sseUrl, alternateOf: p.id }).expect(422);
      expect(lacking.body.message).toBe("alternateOf: peer 'pair lacking' does not offer these tools of its primary 'pair': only_here");
      expect((await http.get('/gateways')).body.map((g: { name: string }) => g.name)).not.toContain('pair lacking');

      await http.delete(`/gateways/${p.id}`).expect(200);
      await http.get(`/gateways/${a.id}`).expect(404);
    } finally {
      await Promise.all([primary.stop(), alternate.stop()]);
    }
  });

  it('hides a disabled peer’s entities and refuses its calls, until it is enabled again', async () => {
    const peer = await startFixture({ name: 'toggled' });
    try {
      const id = (await http.post('/gateways').send({ name: 'toggled', url: peer.mcpUrl }).expect(200)).body.id;
      await http.post(`/gateways/${id}/state?activate=false`).expect(200);
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('toggled-echo');
        expect((await client.listResources()).resources.map((r) => r.uri)).not.toContain('test://static-text');
        expect((await client.listPrompts()).prompts.map((p) => p.name)).not.toContain('toggled-test-simple-prompt');
        await expect(client.callTool({ name: 'toggled-echo', arguments: { text: 'x' } })).rejects.toThrow(/Unknown tool: toggled-echo/);
        await expect(client.getPrompt({ name: 'toggled-test-simple-prompt' })).rejects.toThrow(/Unknown prompt: toggled-test-simple-prompt/);
        await expect(client.readResource({ uri: 'test://static-text' })).rejects.toThrow(/Resource not found: test:\/\/static-text/);
        await http.post(`/gateways/${id}/state?activate=true`).expect(200);
        await until(async () => (await client.listTools()).tools.some((t) => t.name === 'toggled-echo'));
        expect(firstText(await client.callTool({ name: 'toggled-echo', arguments: { text: 'on' } }))).toBe('on');
        expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain('toggled-test-simple-prompt');
        expect((await client.readResource({ uri: 'test://static-text' })).contents).toHaveLength(1);
      } finally {
        await client.close();
      }
      await http.delete(`/gateways/${id}`).expect(200);
    } finally {
      await peer.stop();
    }
  });

  it('renames a peer’s tools when the peer is renamed, and rejects an update to an unreachable URL (nothing changes)', async () => {
    const peer = await startFixture({ name: 'renamed' });
    try {
      const id = (await http.post('/gateways').send({ name: 'old name', url: peer.mcpUrl }).expect(200)).body.id;
      await http.put(`/gateways/${id}`).send({ name: 'new name' }).expect(200);
      const names = (await http.get(`/tools?gateway_id=${id}&limit=0`)).body.map((t: { name: string }) => t.name);
      expect(names).toContain('new-name-echo');
      expect(names).not.toContain('old-name-echo');
      const bad = await http.put(`/gateways/${id}`).send({ url: 'http://127.0.0.1:9/mcp' }).expect(502);
      expect(bad.body.message).toMatch(/Cannot connect to peer/);
      expect((await http.get(`/gateways/${id}`)).body.url).toBe(peer.mcpUrl);
      await http.delete(`/gateways/${id}`).expect(200);
    } finally {
      await peer.stop();
    }
  });

  it('sends the peer its credentials, and reports a peer that refuses them', async () => {
    const secured: FixtureServer = await startFixture({ name: 'secured', token: 's3cret' });
    try {
      const refused = await http.post('/gateways').send({ name: 'secured', url: secured.mcpUrl, auth: { authType: 'bearer', token: 'wrong' } }).expect(502);
      expect(refused.body.message).toMatch(/rejected|401/);
      const ok = await http.post('/gateways').send({ name: 'secured', url: secured.mcpUrl, auth: { authType: 'bearer', token: 's3cret' } }).expect(200);
      expect(ok.body.auth).toEqual({ authType: 'bearer', token: '*****' });
      const client = await connectMcp(`${gw.url}/mcp`);
      expect(JSON.parse(firstText(await client.callTool({ name: 'secured-whoami', arguments: {} }))).authorization).toBe('Bearer s3cret');
      await client.close();
      await http.delete(`/gateways/${ok.body.id}`).expect(200);
    } finally {
      await secured.stop();
    }
  });
});
