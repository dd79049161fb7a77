import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/mcp';

const ACCEPT = 'application/json, text/event-stream';

/** Reads an SSE response body, yielding each `data:` payload as JSON. */
async function* events(body: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
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
 * its requests (and its SSE streams) to the replica that holds the session.
 */
describe('several replicas: any replica serves any MCP session', () => {
  let db: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    a = await startGateway({}, db);
    b = await startGateway({}, db);
    await request(a.url).post('/prompts').send({ name: 'shared_prompt', template: 'Hello {{who}}' }).expect(200);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  it('serves a Streamable HTTP session opened on replica A through replica B, including its GET stream', async () => {
    // A session opened on A by hand (an SDK client would also open the session's one GET stream, on A).
    const init = await request(a.url)
      .post('/mcp')
      .set('accept', ACCEPT)
      .send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })
      .expect(200);
    const sessionId = init.headers['mcp-session-id'] as string;
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
      const stream = await fetch(`${b.url}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } });
      expect(stream.status).toBe(200);
      const seen: string[] = [];
      const reading = (async () => {
        for await (const e of events(stream.body!)) {
          seen.push(String(e.method));
          if (e.method === 'notifications/prompts/list_changed') return;
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      await request(a.url).post('/prompts').send({ name: 'another', template: 'x' }).expect(200);
      await until(() => seen.includes('notifications/prompts/list_changed'));
      await reading;
    } finally {
      // DELETE through B ends the session on A.
      await request(b.url).delete('/mcp').set('mcp-session-id', sessionId).set('mcp-protocol-version', '2025-06-18').expect(200);
    }
    // Closed on A: unknown everywhere.
    await request(b.url).post('/mcp').set('accept', ACCEPT).set('mcp-session-id', sessionId).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);
  });

  it('delivers legacy SSE messages POSTed to replica B onto the stream held by replica A', async () => {
    const res = await fetch(`${a.url}/sse`);
    const it = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('session_id=')) text += (await it.read()).value;
    const endpoint = /data: (\S+)/.exec(text)![1];
    await request(b.url).post(endpoint).send({ jsonrpc: '2.0', id: 7, method: 'ping' }).expect(202);
    while (!text.includes('"id":7')) text += (await it.read()).value;
    expect(JSON.parse(/event: message\ndata: (.*)\n/.exec(text)![1])).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    await it.cancel();
  });

  it('answers 404 for a session no replica holds', async () => {
    await request(b.url).post('/mcp').set('accept', ACCEPT).set('mcp-session-id', 'nobody-has-this').send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);
  });
});
