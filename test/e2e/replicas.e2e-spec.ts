import supertest from 'supertest';
import { request as undiciRequest } from 'undici';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/mcp';

const ACCEPT = 'application/json, text/event-stream';
/** The name clients use for the gateway (as behind an ingress): the only Host the replicas accept on MCP endpoints. */
const PUBLIC_HOST = 'mcp.example.test';
/**
 * Both replicas refuse loopback and private addresses for upstreams (SSRF protection as in production) and accept only
 * PUBLIC_HOST: a hop between replicas must neither be blocked as SSRF nor lose the client's Host.
 */
const REPLICA_ENV = { SSRF_ALLOW_LOCALHOST: 'false', ALLOWED_HOSTS: PUBLIC_HOST };

/** supertest with the public Host header on every request. */
const request = (base: string) => {
  const agent = supertest(base);
  const withHost = <T extends { set(name: string, value: string): T }>(t: T) => t.set('host', PUBLIC_HOST);
  return {
    get: (path: string) => withHost(agent.get(path)),
    post: (path: string) => withHost(agent.post(path)),
    delete: (path: string) => withHost(agent.delete(path)),
  };
};

/** Opens a Streamable HTTP session on `base` by hand (a raw initialize POST) and returns its id. */
async function openSession(base: string): Promise<string> {
  const init = await request(base)
    .post('/mcp')
    .set('accept', ACCEPT)
    .send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })
    .expect(200);
  return init.headers['mcp-session-id'] as string;
}

/** A streaming GET with the public Host header (fetch cannot set Host). */
async function stream(url: string, headers: Record<string, string> = {}) {
  const res = await undiciRequest(url, { headers: { host: PUBLIC_HOST, ...headers } });
  return { status: res.statusCode, body: res.body as AsyncIterable<Buffer> & { destroy(): void } };
}

/** Reads an SSE response body, yielding each `data:` payload as JSON. */
async function* events(body: AsyncIterable<Buffer>): AsyncGenerator<Record<string, unknown>> {
  let buffer = '';
  for await (const chunk of body) {
    buffer += chunk.toString();
    let i: number;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const data = frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (data) yield JSON.parse(data) as Record<string, unknown>;
    }
  }
}

/**
 * Two gateway replicas sharing one PostgreSQL database: a session opened on one is served by the other, which routes
 * its requests (and its SSE streams) to the replica that holds the session, over its own trusted connection pool and
 * with the client's Host header.
 */
describe('several replicas: any replica serves any MCP session', () => {
  let db: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    a = await startGateway(REPLICA_ENV, db);
    b = await startGateway(REPLICA_ENV, db);
    await request(a.url).post('/prompts').send({ name: 'shared_prompt', template: 'Hello {{who}}' }).expect(200);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  it('serves a Streamable HTTP session opened on replica A through replica B, including its GET stream', async () => {
    // A session opened on A by hand (an SDK client would also open the session's one GET stream, on A).
    const sessionId = await openSession(a.url);
    await request(a.url).post('/mcp').set('accept', ACCEPT).set('mcp-session-id', sessionId).send({ jsonrpc: '2.0', method: 'notifications/initialized' }).expect(202);
    try {
      const viaB = await request(b.url)
        .post('/mcp')
        .set('accept', ACCEPT)
        .set('mcp-session-id', sessionId)
        .set('mcp-protocol-version', '2025-06-18')
        .send({ jsonrpc: '2.0', id: 42, method: 'prompts/get', params: { name: 'shared_prompt', arguments: { who: 'B' } } })
        .expect(200);
      expect(viaB.text).toContain('"text":"Hello B"');

      // The session's standalone stream, opened through B, carries A's list_changed notifications.
      const sse = await stream(`${b.url}/mcp`, { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' });
      expect(sse.status).toBe(200);
      const seen: string[] = [];
      const reading = (async () => {
        for await (const e of events(sse.body)) {
          seen.push(String(e.method));
          if (e.method === 'notifications/prompts/list_changed') return;
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      await request(a.url).post('/prompts').send({ name: 'another', template: 'x' }).expect(200);
      await until(() => seen.includes('notifications/prompts/list_changed'));
      await reading;
      sse.body.destroy();
    } finally {
      // DELETE through B ends the session on A.
      await request(b.url).delete('/mcp').set('mcp-session-id', sessionId).set('mcp-protocol-version', '2025-06-18').expect(200);
    }
    // Closed on A: unknown everywhere.
    await request(b.url).post('/mcp').set('accept', ACCEPT).set('mcp-session-id', sessionId).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);
  });

  it('delivers legacy SSE messages POSTed to replica B onto the stream held by replica A', async () => {
    const sse = await stream(`${a.url}/sse`);
    expect(sse.status).toBe(200);
    const it = sse.body[Symbol.asyncIterator]();
    let text = '';
    while (!text.includes('session_id=')) text += String((await it.next()).value);
    const endpoint = /data: (\S+)/.exec(text)![1];
    await request(b.url).post(endpoint).send({ jsonrpc: '2.0', id: 7, method: 'ping' }).expect(202);
    while (!text.includes('"id":7')) text += String((await it.next()).value);
    expect(JSON.parse(/event: message\ndata: (.*)\n/.exec(text)![1])).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    sse.body.destroy();
  });

  it('checks the client Host on the replica that holds the session: a foreign Host is refused there too', async () => {
    const sessionId = await openSession(a.url);
    // The replicas' own addresses are not public host names: a request naming one is refused by B and by A.
    await supertest(b.url).post('/mcp').set('accept', ACCEPT).set('mcp-session-id', sessionId).send({ jsonrpc: '2.0', id: 2, method: 'ping' }).expect(403);
    await supertest(a.url).post('/mcp').set('accept', ACCEPT).set('mcp-session-id', sessionId).send({ jsonrpc: '2.0', id: 2, method: 'ping' }).expect(403);
    const routed = await request(b.url).post('/mcp').set('accept', ACCEPT).set('mcp-session-id', sessionId).set('mcp-protocol-version', '2025-06-18').send({ jsonrpc: '2.0', id: 3, method: 'ping' }).expect(200);
    expect(routed.text).toContain('"id":3');
    await request(b.url).delete('/mcp').set('mcp-session-id', sessionId).set('mcp-protocol-version', '2025-06-18').expect(200);
  });

  it('answers 404 for a session no replica holds', async () => {
    await request(b.url).post('/mcp').set('accept', ACCEPT).set('mcp-session-id', 'nobody-has-this').send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);
  });
});
