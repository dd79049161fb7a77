import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import request from 'supertest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/app-config';
import { TokenService } from '../../src/modules/auth/token.service';
import { SessionDirectory } from '../../src/modules/transports/sessions/session-directory';
import { startGateway, type TestGateway } from '../support/gateway';
import { connectMcp, until } from '../support/mcp';

// Node 20 has no global WebSocket; the SDK's client transport expects one.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const ACCEPT = 'application/json, text/event-stream';
const PROTOCOL = '2025-06-18';
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a Streamable HTTP session by hand (no GET stream): its id. */
async function initialize(base: string, path = '/mcp', headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { accept: ACCEPT, 'content-type': 'application/json', ...headers }, body: JSON.stringify(INIT) });
  await res.text();
  expect(res.status).toBe(200);
  return res.headers.get('mcp-session-id')!;
}

/** POSTs a ping in session `id`: the HTTP status. */
async function ping(base: string, id: string, path = '/mcp', headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { accept: ACCEPT, 'content-type': 'application/json', 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL, ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  });
  await res.text();
  return res.status;
}

/** Opens the session's GET stream and keeps it open until `abort()`. */
async function openStream(base: string, id: string): Promise<AbortController> {
  const abort = new AbortController();
  const res = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL }, signal: abort.signal });
  expect(res.status).toBe(200);
  void res.body!.pipeTo(new WritableStream()).catch(() => undefined);
  return abort;
}

/** Opens a legacy SSE stream; resolves with its message endpoint once the endpoint event arrives. */
async function openLegacySse(base: string, headers: Record<string, string> = {}): Promise<{ endpoint: string; abort: AbortController }> {
  const abort = new AbortController();
  const res = await fetch(`${base}/sse`, { headers, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!/data: (\S+)\n/.test(text)) text += (await reader.read()).value ?? '';
  void (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done);
  })();
  return { endpoint: /data: (\S+)\n/.exec(text)![1], abort };
}

describe('MCP sessions: idle expiry with open streams, WebSocket pings, directory upkeep', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway({ MCP_SESSION_TTL: '2', WEBSOCKET_PING_INTERVAL: '1' });
  });
  afterAll(() => gw.close());

  it('closes a quiet session without streams (then 404), but keeps quiet sessions whose streams are open or whose WebSocket answers pings', async () => {
    const quiet = await initialize(gw.url);
    const streaming = await initialize(gw.url);
    const stream = await openStream(gw.url, streaming);
    const sse = await openLegacySse(gw.url);
    const ws = new Client({ name: 'ws', version: '1' });
    await ws.connect(new WebSocketClientTransport(new URL(`${gw.url.replace('http', 'ws')}/ws`)));
    // Watching the directory (not pinging, which is activity) to see when a session is closed.
    const directory = gw.app.get(SessionDirectory);
    try {
      // TTL 2 s, swept every second: the quiet session goes within ~3 s.
      await until(async () => (await directory.lookup(quiet)) === null, 8000, 200);
      expect(await ping(gw.url, quiet)).toBe(404);
      await sleep(1500); // well past a TTL for the others too
      expect(await ping(gw.url, streaming)).toBe(200);
      await request(gw.url).post(sse.endpoint).send({ jsonrpc: '2.0', id: 9, method: 'ping' }).expect(202);
      expect(await ws.ping()).toEqual({});

      // The live session's directory row is confirmed on every sweep, so the leader's purge (rows older than
      // max(TTL, 4 sweeps) = 4 s) leaves it: other replicas can still route to it.
      await sleep(2000);
      expect(await directory.lookup(streaming)).toMatchObject({ kind: 'streamable-http' });
      expect(await directory.lookup(quiet)).toBeNull();
    } finally {
      stream.abort();
      sse.abort.abort();
      await ws.close();
    }
    // Its stream closed, the formerly streaming session idles out like any other.
    await until(async () => (await directory.lookup(streaming)) === null, 8000, 200);
    expect(await ping(gw.url, streaming)).toBe(404);
  }, 30_000);

  it('purges directory rows nobody confirmed for a TTL (sessions of a replica that died)', async () => {
    const directory = gw.app.get(SessionDirectory);
    await directory.register('left-by-a-dead-replica', 'http://10.1.2.3:4444', 'streamable-http');
    await directory.confirm(['left-by-a-dead-replica'], new Date(Date.now() - 60_000));
    await until(async () => (await directory.lookup('left-by-a-dead-replica')) === null, 8000, 250);
  });

  it('drops a WebSocket client after it missed two pings, not one', async () => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, 'mcp', { autoPong: false });
    let pings = 0;
    ws.on('ping', () => (pings += 1));
    await new Promise((r) => ws.once('open', r));
    const closedAfter = await new Promise<number>((resolve) => ws.once('close', () => resolve(pings)));
    expect(closedAfter).toBe(2);
  }, 10_000);
});

describe('MCP sessions: MAX_MCP_SESSIONS', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway({ MAX_MCP_SESSIONS: '2' });
  });
  afterAll(() => gw.close());

  it('refuses sessions beyond the cap on every transport with 503, Retry-After and a JSON-RPC error naming the limit', async () => {
    const first = await initialize(gw.url);
    const sse = await openLegacySse(gw.url);
    try {
      const refused = await request(gw.url).post('/mcp').set('accept', ACCEPT).send(INIT).expect(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: expect.stringContaining('MAX_MCP_SESSIONS=2') } });

      const sseRefused = await fetch(`${gw.url}/sse`);
      expect(sseRefused.status).toBe(503);
      expect(((await sseRefused.json()) as { error: { message: string } }).error.message).toMatch(/MAX_MCP_SESSIONS=2/);

      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, 'mcp');
      const upgrade = await new Promise<{ status: number; retryAfter?: string }>((resolve) =>
        ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string })),
      );
      expect(upgrade).toEqual({ status: 503, retryAfter: '5' });

      // Sessions that exist keep working, and stateless requests are not sessions.
      expect(await ping(gw.url, first)).toBe(200);
      await request(gw.url).post('/mcp').set('accept', ACCEPT).send({ jsonrpc: '2.0', id: 3, method: 'tools/list' }).expect(200);
    } finally {
      sse.abort.abort();
    }
    // A closed session frees its place.
    await until(async () => (await request(gw.url).post('/mcp').set('accept', ACCEPT).send(INIT)).status === 200, 5000, 100);
    await request(gw.url).delete('/mcp').set('mcp-session-id', first).set('mcp-protocol-version', PROTOCOL).expect(200);
  });
});

describe('MCP sessions: MAX_MCP_SESSIONS_PER_CLIENT', () => {
  const SECRET = 'per-client-sessions-secret-long-enough-for-production';
  let gw: TestGateway;
  let tokens: TokenService;

  beforeAll(async () => {
    gw = await startGateway({ MAX_MCP_SESSIONS: '50', MAX_MCP_SESSIONS_PER_CLIENT: '2', JWT_SECRET_KEY: SECRET });
    tokens = new TokenService(loadConfig({ JWT_SECRET_KEY: SECRET }));
  });
  afterAll(() => gw.close());

  it('refuses a client its 3rd session on any transport with 429, Retry-After and the limit named; other clients go on', async () => {
    const alice = { authorization: `Bearer ${(await tokens.sign({ subject: 'alice', expiresInMinutes: 5 })).token}` };
    const bob = { authorization: `Bearer ${(await tokens.sign({ subject: 'bob', expiresInMinutes: 5 })).token}` };
    const first = await initialize(gw.url, '/mcp', alice);
    const sse = await openLegacySse(gw.url, alice);
    try {
      const refused = await request(gw.url).post('/mcp').set('accept', ACCEPT).set(alice).send(INIT).expect(429);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: expect.stringMatching(/^Too many MCP sessions for this client \(MAX_MCP_SESSIONS_PER_CLIENT=2\)/) } });
      const sseRefused = await fetch(`${gw.url}/sse`, { headers: alice });
      expect(sseRefused.status).toBe(429);
      expect(((await sseRefused.json()) as { error: { message: string } }).error.message).toMatch(/MAX_MCP_SESSIONS_PER_CLIENT=2/);
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, 'mcp', { headers: alice });
      const upgrade = await new Promise<{ status: number; retryAfter?: string }>((resolve) =>
        ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string })),
      );
      expect(upgrade).toEqual({ status: 429, retryAfter: '5' });

      // Another principal, and anonymous clients told apart by address, have their own allowance.
      const bobs = [await initialize(gw.url, '/mcp', bob), await initialize(gw.url, '/mcp', bob)];
      expect(bobs.every(Boolean)).toBe(true);
      await request(gw.url).post('/mcp').set('accept', ACCEPT).set(bob).send(INIT).expect(429);
      for (const ip of ['10.30.0.1', '10.30.0.1', '10.30.0.2']) await initialize(gw.url, '/mcp', { 'x-forwarded-for': ip });
      await request(gw.url).post('/mcp').set('accept', ACCEPT).set('x-forwarded-for', '10.30.0.1').send(INIT).expect(429);
      // The sessions alice has keep working.
      expect(await ping(gw.url, first, '/mcp', alice)).toBe(200);
    } finally {
      sse.abort.abort();
    }
    // Closing one frees its place.
    await until(async () => (await request(gw.url).post('/mcp').set('accept', ACCEPT).set(alice).send(INIT)).status === 200, 5000, 100);
  });
});

describe('MCP sessions belong to the principal that opened them', () => {
  const SECRET = 'sessions-test-secret-that-is-long-enough-for-production';
  let gw: TestGateway;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let serverId: string;

  beforeAll(async () => {
    gw = await startGateway({ AUTH_REQUIRED: 'true', JWT_SECRET_KEY: SECRET });
    const tokens = new TokenService(loadConfig({ JWT_SECRET_KEY: SECRET }));
    alice = { authorization: `Bearer ${(await tokens.sign({ subject: 'alice', expiresInMinutes: 10 })).token}` };
    bob = { authorization: `Bearer ${(await tokens.sign({ subject: 'bob', expiresInMinutes: 10 })).token}` };
    serverId = (await request(gw.url).post('/servers').set(alice).send({ name: 'v' }).expect(201)).body.id;
  });
  afterAll(() => gw.close());

  it('answers 404 to another user who presents a Streamable HTTP session id, on /mcp and /servers/{id}/mcp', async () => {
    for (const path of ['/mcp', `/servers/${serverId}/mcp`]) {
      const id = await initialize(gw.url, path, alice);
      expect(await ping(gw.url, id, path, bob)).toBe(404);
      const stream = await fetch(`${gw.url}${path}`, { headers: { ...bob, accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL } });
      expect(stream.status).toBe(404);
      await request(gw.url).delete(path).set(bob).set('mcp-session-id', id).set('mcp-protocol-version', PROTOCOL).expect(404);
      // The owner's session is untouched by all that.
      expect(await ping(gw.url, id, path, alice)).toBe(200);
      expect(await ping(gw.url, id, path)).toBe(401);
    }
  });

  it('answers 404 to another user who posts to a legacy SSE session', async () => {
    const sse = await openLegacySse(gw.url, alice);
    try {
      await request(gw.url).post(sse.endpoint).set(bob).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(404);
      await request(gw.url).post(sse.endpoint).set(alice).send({ jsonrpc: '2.0', id: 1, method: 'ping' }).expect(202);
    } finally {
      sse.abort.abort();
    }
  });

  it('lets SDK clients of both users work side by side', async () => {
    const a = await connectMcp(`${gw.url}/mcp`, { headers: alice });
    const b = new Client({ name: 'b', version: '1' });
    await b.connect(new SSEClientTransport(new URL(`${gw.url}/sse`), { requestInit: { headers: bob }, eventSourceInit: { fetch: (u, i) => fetch(u, { ...i, headers: { ...(i?.headers as Record<string, string>), ...bob } }) } }));
    try {
      expect(await a.ping()).toEqual({});
      expect(await b.ping()).toEqual({});
    } finally {
      await a.close();
      await b.close();
    }
  });
});
