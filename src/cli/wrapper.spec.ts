import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import {
  authorizationFor,
  describe as describeError,
  endpointFor,
  GatewayRelay,
  isSessionGone,
  levelFrom,
  type Level,
  PendingRequests,
  TERMINATE_TIMEOUT_MS,
  timeoutFrom,
  type Upstream,
  within,
} from './wrapper';

const INIT = { jsonrpc: '2.0' as const, id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } };
const INITIALIZED = { jsonrpc: '2.0' as const, method: 'notifications/initialized' };
const tick = () => new Promise((r) => setImmediate(r));

/** A stand-in for the gateway transport: records what it is sent; `behave` answers or fails. */
class FakeUpstream implements Upstream {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  readonly sent: JSONRPCMessage[] = [];
  protocolVersion?: string;
  closed = false;
  terminateSession = jest.fn(async () => undefined);

  constructor(
    readonly sessionId: string,
    private readonly behave: (message: JSONRPCMessage, self: FakeUpstream) => void | Promise<void> = () => undefined,
  ) {}

  async start(): Promise<void> {}
  async send(message: JSONRPCMessage): Promise<void> {
    this.sent.push(message);
    await this.behave(message, this);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }
  answer(id: unknown, result: object = {}): void {
    this.onmessage?.({ jsonrpc: '2.0', id: id as string, result } as JSONRPCMessage);
  }
}

class FakeClient implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  readonly received: JSONRPCMessage[] = [];
  async start(): Promise<void> {}
  async send(message: JSONRPCMessage): Promise<void> {
    this.received.push(message);
  }
  async close(): Promise<void> {}
  /** The client sends a message to the wrapper. */
  say(message: object): void {
    this.onmessage?.(message as JSONRPCMessage);
  }
}

/** Answers initialize like a gateway (protocol version), and everything else with `{ ok: <method> }`. */
const gatewayLike = (m: JSONRPCMessage, self: FakeUpstream) => {
  if (!('id' in m) || !('method' in m)) return;
  setImmediate(() => self.answer(m.id, m.method === 'initialize' ? { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'gw', version: '1' } } : { ok: m.method }));
};

function relayWith(upstreams: FakeUpstream[], timeoutMs = 1000) {
  const client = new FakeClient();
  const logs: Array<[Level, string]> = [];
  const connect = jest.fn(() => {
    const next = upstreams.shift();
    if (!next) throw new Error('no more upstreams');
    return next;
  });
  const relay = new GatewayRelay({ client, connect, timeoutMs, log: (at, m) => void logs.push([at, m]) });
  return { relay, client, logs, connect };
}

describe('wrapper: settings', () => {
  it.each([
    ['http://gw:4444', 'http://gw:4444/mcp'],
    ['http://gw:4444/servers/abc', 'http://gw:4444/servers/abc/mcp'],
    ['http://gw:4444/servers/abc/sse/', 'http://gw:4444/servers/abc/mcp'],
    ['https://gw/mcp', 'https://gw/mcp'],
  ])('endpointFor(%s) is %s', (raw, expected) => {
    expect(endpointFor(raw).toString()).toBe(expected);
  });

  it('adds Bearer to a bare token and keeps a full Authorization value', () => {
    expect(authorizationFor('abc')).toBe('Bearer abc');
    expect(authorizationFor(' Basic dXNlcjpwdw== ')).toBe('Basic dXNlcjpwdw==');
    expect(authorizationFor(undefined)).toBeUndefined();
  });

  it('reads MCP_TOOL_CALL_TIMEOUT in seconds and refuses anything but a positive number, naming the variable', () => {
    expect(timeoutFrom(undefined)).toBe(60_000);
    expect(timeoutFrom(' ')).toBe(60_000);
    expect(timeoutFrom('2.5')).toBe(2500);
    for (const bad of ['abc', '0', '-3', 'NaN', 'Infinity', '10s']) expect(() => timeoutFrom(bad)).toThrow(`MCP_TOOL_CALL_TIMEOUT must be a positive number of seconds, got '${bad}'`);
  });

  it('defaults the log level to info', () => {
    expect(levelFrom('warn')).toBe('warn');
    expect(levelFrom('verbose')).toBe('info');
    expect(levelFrom(undefined)).toBe('info');
  });

  it('explains failures for a person: credentials, endpoint, unreachable gateway', () => {
    expect(describeError(new StreamableHTTPError(401, 'x'))).toMatch(/rejected the credentials \(HTTP 401\): check MCP_AUTH/);
    expect(describeError(new StreamableHTTPError(404, 'x'))).toMatch(/check MCP_SERVER_URL/);
    expect(describeError(new StreamableHTTPError(503, 'busy'))).toBe('the gateway answered HTTP 503: Streamable HTTP error: busy');
    expect(describeError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe('cannot reach the gateway (ECONNREFUSED): fetch failed');
    expect(isSessionGone(new StreamableHTTPError(404, 'x'))).toBe(true);
    expect(isSessionGone(new StreamableHTTPError(400, 'x'))).toBe(false);
    expect(isSessionGone(new Error('404'))).toBe(false);
  });

  it('within() resolves with the promise, or with the fallback once the time is up', async () => {
    expect(await within(Promise.resolve('done'), 1000, 'late')).toBe('done');
    expect(await within(new Promise(() => undefined), 10, 'late')).toBe('late');
  });
});

describe('wrapper: PendingRequests', () => {
  it('settles a request once, and times out the ones nobody answers', async () => {
    const timedOut: Array<[unknown, string]> = [];
    const pending = new PendingRequests(20, (id, method) => void timedOut.push([id, method]));
    pending.add(1, 'tools/list');
    pending.add('b', 'tools/call');
    expect(pending.settle(1)).toBe('tools/list');
    expect(pending.settle(1)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 40));
    expect(timedOut).toEqual([['b', 'tools/call']]);
    expect(pending.settle('b')).toBeUndefined();
    expect(pending.size).toBe(0);
  });
});

describe('wrapper: GatewayRelay', () => {
  it('relays requests and answers, and sets the protocol version the gateway chose', async () => {
    const gw = new FakeUpstream('s1', gatewayLike);
    const { relay, client } = relayWith([gw]);
    await relay.start();
    client.say(INIT);
    client.say({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    await tick();
    await tick();
    expect(client.received).toEqual([expect.objectContaining({ id: 0, result: expect.objectContaining({ protocolVersion: '2025-06-18' }) }), { jsonrpc: '2.0', id: 1, result: { ok: 'tools/list' } }]);
    expect(gw.protocolVersion).toBe('2025-06-18');
  });

  it('answers a request the gateway is too slow for with an error, cancels it upstream, and drops the late answer', async () => {
    const gw = new FakeUpstream('s1');
    const { relay, client, logs } = relayWith([gw], 30);
    await relay.start();
    client.say({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow' } });
    await new Promise((r) => setTimeout(r, 60));
    expect(client.received).toEqual([{ jsonrpc: '2.0', id: 7, error: { code: -32000, message: 'no answer from the gateway within 0.03 s' } }]);
    expect(gw.sent[1]).toEqual({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'mcpgateway-wrapper: no answer within 0.03 s' } });
    gw.answer(7, { content: [] });
    expect(client.received).toHaveLength(1);
    expect(logs).toContainEqual(['warn', expect.stringMatching(/no answer to tools\/call \(request 7\) within 0.03 s/)]);
  });

  it('never cancels initialize (MCP forbids it), but still answers the client', async () => {
    const gw = new FakeUpstream('s1');
    const { relay, client } = relayWith([gw], 20);
    await relay.start();
    client.say(INIT);
    await new Promise((r) => setTimeout(r, 50));
    expect(client.received).toEqual([expect.objectContaining({ id: 0, error: expect.objectContaining({ code: -32000 }) })]);
    expect(gw.sent).toEqual([INIT]);
  });

  it('opens a new session when the gateway forgot the old one: replays initialize and initialized, then retries once', async () => {
    const gone = new FakeUpstream('old', (m, self) => {
      if ('method' in m && m.method === 'tools/list') throw new StreamableHTTPError(404, 'Error POSTing to endpoint: Session not found');
      gatewayLike(m, self);
    });
    const fresh = new FakeUpstream('new', gatewayLike);
    const { relay, client, connect, logs } = relayWith([gone, fresh]);
    await relay.start();
    client.say(INIT);
    await tick();
    client.say(INITIALIZED);
    client.say({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    client.say({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    for (let i = 0; i < 10; i++) await tick();
    expect(connect).toHaveBeenCalledTimes(2);
    expect(gone.closed).toBe(true);
    const methods = fresh.sent.map((m) => ('method' in m ? m.method : 'answer'));
    expect(methods).toEqual(['initialize', 'notifications/initialized', 'tools/list', 'tools/list']);
    expect(fresh.sent[0]).toMatchObject({ id: 'mcpgateway-wrapper:initialize-1', params: INIT.params });
    expect(fresh.protocolVersion).toBe('2025-06-18');
    // The client sees one answer per request, none for the wrapper's own initialize.
    expect(client.received.map((m) => ('id' in m ? m.id : null))).toEqual([0, 1, 2]);
    expect(client.received.slice(1)).toEqual([
      { jsonrpc: '2.0', id: 1, result: { ok: 'tools/list' } },
      { jsonrpc: '2.0', id: 2, result: { ok: 'tools/list' } },
    ]);
    expect(logs).toContainEqual(['warn', expect.stringMatching(/no longer knows this session/)]);
  });

  it('keeps the old session when the new one cannot be opened (503, refused initialize), and tries again on the next message', async () => {
    const gone = new FakeUpstream('old', (m, self) => {
      if ('method' in m && m.method === 'tools/list') throw new StreamableHTTPError(404, 'Session not found');
      gatewayLike(m, self);
    });
    const busy = new FakeUpstream('busy', (m) => {
      if ('method' in m && m.method === 'initialize') throw new StreamableHTTPError(503, 'Service Unavailable');
    });
    const refusing = new FakeUpstream('refusing', (m, self) => {
      if ('method' in m && 'id' in m && m.method === 'initialize') setImmediate(() => self.onmessage?.({ jsonrpc: '2.0', id: m.id, error: { code: -32000, message: 'Too many MCP sessions' } } as JSONRPCMessage));
    });
    const fresh = new FakeUpstream('new', gatewayLike);
    const { relay, client, connect } = relayWith([gone, busy, refusing, fresh]);
    await relay.start();
    client.say(INIT);
    await tick();
    client.say(INITIALIZED);
    const settle = async () => {
      for (let i = 0; i < 10; i++) await tick();
    };

    client.say({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    await settle();
    expect(client.received[1]).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'mcpgateway-wrapper: the gateway answered HTTP 503: Streamable HTTP error: Service Unavailable' } });
    expect([busy.closed, gone.closed]).toEqual([true, false]); // the failed attempt is dropped, the old session kept

    client.say({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    await settle();
    expect(client.received[2]).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32000, message: expect.stringMatching(/refused to open a new session: Too many MCP sessions/) } });
    expect([refusing.closed, gone.closed]).toEqual([true, false]);
    expect(refusing.sent.map((m) => ('method' in m ? m.method : 'answer'))).toEqual(['initialize']); // never `initialized`

    // The next message still finds the session gone, and this time the new one opens: the request goes there.
    client.say({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    await settle();
    expect(connect).toHaveBeenCalledTimes(4);
    expect(client.received[3]).toEqual({ jsonrpc: '2.0', id: 3, result: { ok: 'tools/list' } });
    expect(gone.closed).toBe(true);
    expect(fresh.sent.map((m) => ('method' in m ? m.method : 'answer'))).toEqual(['initialize', 'notifications/initialized', 'tools/list']);
    // From now on messages go to the new session directly.
    client.say({ jsonrpc: '2.0', id: 4, method: 'ping' });
    await settle();
    expect(client.received[4]).toEqual({ jsonrpc: '2.0', id: 4, result: { ok: 'ping' } });
    expect(gone.sent.filter((m) => 'method' in m && m.method === 'ping')).toEqual([]);
  });

  it('gives up after one retry: a second 404 is reported to the client', async () => {
    const notFound = (m: JSONRPCMessage, self: FakeUpstream) => {
      if ('method' in m && m.method === 'tools/list') throw new StreamableHTTPError(404, 'gone');
      gatewayLike(m, self);
    };
    const { relay, client, connect } = relayWith([new FakeUpstream('a', notFound), new FakeUpstream('b', notFound), new FakeUpstream('c', notFound)]);
    await relay.start();
    client.say(INIT);
    await tick();
    client.say({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    for (let i = 0; i < 10; i++) await tick();
    expect(connect).toHaveBeenCalledTimes(2);
    expect(client.received[1]).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: expect.stringMatching(/^mcpgateway-wrapper: the gateway does not know this endpoint/) } });
  });

  it('reports errors of the gateway stream at warn level, and failed sends once (at error level)', async () => {
    const gw = new FakeUpstream('s1', (m) => {
      if ('method' in m && m.method === 'ping') {
        const err = new StreamableHTTPError(503, 'busy');
        gw.onerror?.(err); // the SDK reports a failed POST to onerror and rejects the send
        throw err;
      }
    });
    const { relay, client, logs } = relayWith([gw]);
    await relay.start();
    gw.onerror?.(new StreamableHTTPError(401, 'Failed to open SSE stream: Unauthorized'));
    client.say({ jsonrpc: '2.0', id: 3, method: 'ping' });
    for (let i = 0; i < 5; i++) await tick();
    expect(logs.sort()).toEqual([
      ['error', 'the gateway answered HTTP 503: Streamable HTTP error: busy'],
      ['warn', 'gateway stream: the gateway rejected the credentials (HTTP 401): check MCP_AUTH'],
    ]);
    expect(client.received).toEqual([{ jsonrpc: '2.0', id: 3, error: { code: -32000, message: 'mcpgateway-wrapper: the gateway answered HTTP 503: Streamable HTTP error: busy' } }]);
  });

  it('stops within TERMINATE_TIMEOUT_MS when the gateway never confirms the end of the session', async () => {
    jest.useFakeTimers();
    try {
      const gw = new FakeUpstream('s1');
      gw.terminateSession.mockImplementation(() => new Promise(() => undefined));
      const { relay, logs } = relayWith([gw]);
      await relay.start();
      let stopped = false;
      void relay.stop().then(() => (stopped = true));
      await jest.advanceTimersByTimeAsync(TERMINATE_TIMEOUT_MS - 1);
      expect(stopped).toBe(false);
      await jest.advanceTimersByTimeAsync(2);
      expect(stopped).toBe(true);
      expect(gw.closed).toBe(true);
      expect(logs).toContainEqual(['warn', expect.stringMatching(/did not confirm the end of the session/)]);
    } finally {
      jest.useRealTimers();
    }
  });
});
