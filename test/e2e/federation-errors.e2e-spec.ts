import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { type HttpUpstream, startHttpUpstream } from '../support/http-upstream';

/**
 * Peers that are not what they claim: a wrong path, a web page, an SSE URL of a Streamable-HTTP-only server, an SSE
 * endpoint that never sends its endpoint event. Each is a prompt 502 naming the cause, with nothing stored.
 */
describe('federation: bad peer endpoints', () => {
  let gw: TestGateway;
  let fixture: FixtureServer;
  let stub: HttpUpstream;
  let http: ReturnType<typeof request>;
  /** When set, the stub's /sse (otherwise proxied to the fixture) keeps its stream open with comments only. */
  let silent = false;

  beforeAll(async () => {
    [gw, fixture] = await Promise.all([startGateway({ FEDERATION_TIMEOUT: '1', TOOL_TIMEOUT: '5', MAX_TOOL_RETRIES: '0', HEALTH_CHECK_INTERVAL: '3600' }), startFixture({ name: 'real' })]);
    http = request(gw.url);
    stub = await startHttpUpstream((req, res) => {
      if (req.path === '/missing') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      if (req.path === '/page') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Welcome</title>');
      if (req.path === '/silent/sse' || (req.path === '/sse' && silent)) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(': ping\n\n');
        const timer = setInterval(() => res.write(': ping\n\n'), 100);
        res.on('close', () => clearInterval(timer));
        return;
      }
      // Everything else is the real fixture's SSE face, proxied (streams included).
      const query = new URLSearchParams(req.query).toString();
      const upstream = httpRequest(`${fixture.url}${req.path}${query ? `?${query}` : ''}`, { method: req.method, headers: { ...req.headers, host: new URL(fixture.url).host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(req.body);
    });
  });
  afterAll(async () => {
    await gw.close();
    await stub.close();
    await fixture.stop();
  });

  async function refused(body: Record<string, unknown>, cause: RegExp, withinMs = 3000): Promise<void> {
    const started = Date.now();
    const res = await http.post('/gateways').send(body);
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 502, message: expect.stringMatching(cause) });
    expect(res.body.message).toContain(`Cannot connect to peer '${body.name}' at ${body.url}`);
    expect(Date.now() - started).toBeLessThan(withinMs);
    expect((await http.get('/gateways')).body.filter((g: { name: string }) => g.name === body.name)).toEqual([]);
    expect((await http.get('/tools?limit=0&include_inactive=true')).body).toEqual([]);
  }

  it('bounds the connection to an SSE peer that only sends keep-alive comments by FEDERATION_TIMEOUT', async () => {
    await refused({ name: 'silent', url: `${stub.url}/silent/sse` }, /: no MCP handshake within 1 s$/);
  });

  it('reports a path that answers 404 as not an MCP endpoint, not as a forgotten session', async () => {
    await refused({ name: 'wrong path', url: `${stub.url}/missing` }, /: not an MCP endpoint \(HTTP 404 Not Found\)$/);
    await refused({ name: 'wrong sse path', url: `${stub.url}/missing/sse` }, /: not an MCP endpoint \(HTTP 404 Not Found\)$/);
  });

  it('reports a web page as not an MCP endpoint, naming what it answered', async () => {
    await refused({ name: 'web page', url: `${stub.url}/page` }, /: not an MCP endpoint: Unexpected content type: text\/html$/);
  });

  it('reports an SSE transport pointed at a Streamable-HTTP-only endpoint, suggesting the right transport', async () => {
    await refused({ name: 'wrong transport', url: fixture.mcpUrl, transport: 'SSE' }, /: not an SSE endpoint \(GET answered HTTP 400: .*\); if the peer serves Streamable HTTP, register it with "transport": "STREAMABLEHTTP"$/);
  });

  it('fails a tool call promptly when the SSE peer stops completing handshakes', async () => {
    const peer = (await http.post('/gateways').send({ name: 'flaky sse', url: `${stub.url}/sse` }).expect(200)).body;
    expect(peer.transport).toBe('SSE');
    silent = true;
    try {
      const started = Date.now();
      const res = await http.post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'flaky-sse-echo', arguments: { text: 'x' } } }).expect(200);
      expect(res.body.result).toMatchObject({ isError: true, content: [{ text: "Tool flaky-sse-echo failed: peer 'flaky sse': Cannot connect to peer 'flaky sse' at " + `${stub.url}/sse: no MCP handshake within 1 s` }] });
      expect(Date.now() - started).toBeLessThan(3500); // not TOOL_TIMEOUT (5 s), let alone forever
    } finally {
      silent = false;
    }
    await http.delete(`/gateways/${peer.id}`).expect(200);
  });
});
