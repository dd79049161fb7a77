import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { ROOT } from '../support/process';

const run = promisify(execFile);
const CLI = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const OUT = join(ROOT, 'test-output', 'conformance');

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, which needs Node 22: fetched into .cache by
 * scripts/ensure-node22.sh) run against the gateway, with the suite's fixture server registered as a peer without a
 * name prefix. No expected failures: every scenario must pass through the gateway, globally and per virtual server.
 */
describe('MCP conformance suite through the gateway', () => {
  let gw: TestGateway;
  let fixture: FixtureServer;
  let node22: string;
  let serverId: string;
  const summary: string[] = [];

  beforeAll(async () => {
    node22 = (await run('bash', [join(ROOT, 'scripts', 'ensure-node22.sh')], { cwd: ROOT })).stdout.trim();
    [gw, fixture] = await Promise.all([startGateway(), startFixture({ name: 'conformance-fixture' })]);
    const http = request(gw.url);
    await http.post('/gateways').send({ name: 'everything', url: fixture.mcpUrl, namespaced: false }).expect(200);
    const ids = async (kind: string) => (await http.get(`/${kind}?limit=0`)).body.map((e: { id: string }) => e.id);
    serverId = (
      await http
        .post('/servers')
        .send({ name: 'conformance', associatedTools: await ids('tools'), associatedResources: await ids('resources'), associatedPrompts: await ids('prompts') })
        .expect(201)
    ).body.id;
    mkdirSync(OUT, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    writeFileSync(join(OUT, 'summary.txt'), `${summary.join('\n')}\n`);
    await gw.close();
    await fixture.stop();
  });

  async function conformance(path: string, suite: 'active' | 'all', label: string): Promise<{ passed: number; failed: number; output: string }> {
    // The suite checks DNS-rebinding protection, which is only meaningful for a localhost URL.
    const url = `${gw.url.replace('127.0.0.1', 'localhost')}${path}`;
    const { stdout, stderr } = await run(node22, [CLI, 'server', '--url', url, '--suite', suite, '-o', join(OUT, label)], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    }).catch((err: { stdout: string; stderr: string }) => err);
    const output = `${stdout}\n${stderr}`;
    const m = /Total: (\d+) passed, (\d+) failed/.exec(output);
    if (!m) throw new Error(`no summary from the conformance suite:\n${output.slice(-3000)}`);
    const result = { passed: Number(m[1]), failed: Number(m[2]), output };
    summary.push(`conformance ${label} (${suite} suite, ${path}): ${result.passed} passed, ${result.failed} failed`);
    console.log(summary[summary.length - 1]);
    return result;
  }

  it('passes every scenario, pending ones included, at /mcp', async () => {
    const r = await conformance('/mcp', 'all', 'global');
    expect(r.output.match(/✗ .*/g) ?? []).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.passed).toBeGreaterThanOrEqual(40);
  }, 300_000);

  it('passes every active scenario at /servers/{id}/mcp for a virtual server holding the fixture’s entities', async () => {
    const r = await conformance(`/servers/${serverId}/mcp`, 'active', 'virtual-server');
    expect(r.output.match(/✗ .*/g) ?? []).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.passed).toBeGreaterThanOrEqual(40);
  }, 300_000);
});
