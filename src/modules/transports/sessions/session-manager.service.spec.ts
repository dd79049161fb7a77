import { Logger } from '@nestjs/common';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { EventEmitter } from 'node:events';
import { MCP_SESSION_CLOSED } from '../../../common/events/mcp-events';
import { loadConfig } from '../../../config/app-config';
import type { GatewayMetrics } from '../../../observability/metrics/gateway-metrics.service';
import type { McpScope, TransportKind } from '../mcp-scope';
import type { McpSession } from './mcp-session';
import { McpSessionManager } from './session-manager.service';
import type { SessionRouter } from './session-router.service';

const TTL_S = 60;

function setup(env: Record<string, string> = {}) {
  const config = loadConfig({ MCP_SESSION_TTL: String(TTL_S), ...env });
  const router = { register: jest.fn(async () => undefined), unregister: jest.fn(async () => undefined), confirm: jest.fn(async () => undefined) };
  const emitter = { emit: jest.fn() };
  const metrics = { provideSessions: jest.fn() };
  const manager = new McpSessionManager(config, emitter as unknown as EventEmitter2, router as unknown as SessionRouter, metrics as unknown as GatewayMetrics);
  manager.onModuleInit();
  return { manager, router, emitter, metrics };
}

let seq = 0;
function session(kind: TransportKind, options: { scope?: McpScope; actor?: string; lastActivity?: number } = {}) {
  const server = { sendResourceUpdated: jest.fn(async () => undefined), sendToolListChanged: jest.fn(async () => undefined) };
  const s: McpSession & { close: jest.Mock } = {
    id: `s${++seq}`,
    state: { kind, scope: options.scope ?? {}, subscriptions: new Set(), actor: options.actor ?? 'alice' },
    server: server as unknown as Server,
    lastActivity: options.lastActivity ?? Date.now(),
    close: jest.fn(async () => undefined),
  };
  return s;
}

describe('McpSessionManager', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('counts sessions by transport, for the metrics gauge', async () => {
    const { manager, metrics } = setup();
    for (const kind of ['streamable-http', 'streamable-http', 'sse', 'websocket'] as const) await manager.add(session(kind));
    expect(manager.countByKind()).toEqual({ 'streamable-http': 2, sse: 1, websocket: 1 });
    const source = metrics.provideSessions.mock.calls[0][0] as () => Record<string, number>;
    expect(source()).toEqual(manager.countByKind());
  });

  it('records HTTP sessions in the shared directory (not WebSocket ones), and forgets them on remove', async () => {
    const { manager, router, emitter } = setup();
    const http = session('streamable-http', { scope: { serverId: 'v1' } });
    const ws = session('websocket');
    await manager.add(http);
    await manager.add(ws);
    expect(router.register).toHaveBeenCalledTimes(1);
    expect(router.register).toHaveBeenCalledWith(http.id, 'streamable-http', 'v1');
    manager.remove(http.id);
    manager.remove(http.id);
    manager.remove(ws.id);
    expect(router.unregister).toHaveBeenCalledTimes(1);
    expect(emitter.emit.mock.calls).toEqual([
      [MCP_SESSION_CLOSED, http.id],
      [MCP_SESSION_CLOSED, ws.id],
    ]);
    expect(manager.countByKind()['streamable-http']).toBe(0);
  });

  it('finds a session only for its own transport, endpoint and principal', async () => {
    const { manager } = setup();
    const s = session('streamable-http', { scope: { serverId: 'v1' }, actor: 'alice', lastActivity: 0 });
    await manager.add(s);
    expect(manager.find(s.id, { kind: 'streamable-http', scope: { serverId: 'v1' }, subject: 'bob' })).toBeUndefined();
    expect(manager.find(s.id, { kind: 'sse', scope: { serverId: 'v1' }, subject: 'alice' })).toBeUndefined();
    expect(manager.find(s.id, { kind: 'streamable-http', scope: {}, subject: 'alice' })).toBeUndefined();
    expect(manager.find('unknown', { kind: 'streamable-http', scope: { serverId: 'v1' }, subject: 'alice' })).toBeUndefined();
    expect(s.lastActivity).toBe(0); // a refused lookup is no activity
    expect(manager.find(s.id, { kind: 'streamable-http', scope: { serverId: 'v1' }, subject: 'alice' })).toBe(s);
    expect(s.lastActivity).toBeGreaterThan(0);
    expect(manager.has(s.id)).toBe(true);
  });

  it('closes sessions idle for longer than the TTL, but not those with an open stream or recent activity', async () => {
    const { manager, router } = setup();
    const now = Date.now();
    const old = now - TTL_S * 1000 - 1;
    const idle = session('streamable-http', { lastActivity: old });
    const streaming = session('sse', { lastActivity: old });
    const recent = session('websocket', { lastActivity: now - 1000 });
    const touched = session('websocket', { lastActivity: old });
    for (const s of [idle, streaming, recent, touched]) await manager.add(s);
    const stream = new EventEmitter();
    manager.track(streaming, stream);
    streaming.lastActivity = old; // quiet for a whole TTL, but its stream is still open
    manager.touch(touched.id); // e.g. a WebSocket pong

    expect(await manager.closeIdle(now + 10)).toBe(1);
    expect(idle.close).toHaveBeenCalledTimes(1);
    expect(router.unregister).toHaveBeenCalledWith(idle.id);
    expect(manager.has(idle.id)).toBe(false);
    expect([streaming, recent, touched].every((s) => manager.has(s.id) && s.close.mock.calls.length === 0)).toBe(true);

    // Once the stream closes, the session counts as active from that moment, and idles out a TTL later.
    stream.emit('close');
    expect(streaming.openStreams).toBe(0);
    expect(await manager.closeIdle(Date.now() + TTL_S * 1000 - 1000)).toBe(1); // `recent` only
    expect(manager.has(streaming.id)).toBe(true);
    expect(await manager.closeIdle(Date.now() + TTL_S * 1000 + 1000)).toBe(2);
    expect(manager.countByKind()).toEqual({ 'streamable-http': 0, sse: 0, websocket: 0 });
  });

  it('keeps closing idle sessions when one fails to close', async () => {
    const { manager } = setup();
    const a = session('sse', { lastActivity: 0 });
    const b = session('sse', { lastActivity: 0 });
    a.close.mockRejectedValue(new Error('socket gone'));
    await manager.add(a);
    await manager.add(b);
    expect(await manager.closeIdle()).toBe(2);
    expect(b.close).toHaveBeenCalled();
  });

  it('caps sessions at MAX_MCP_SESSIONS, counting reservations of sessions being opened', async () => {
    const { manager } = setup({ MAX_MCP_SESSIONS: '2' });
    await manager.add(session('websocket'));
    const first = manager.reserve('ip:10.0.0.1');
    expect(first).toEqual({ release: expect.any(Function) });
    expect(manager.reserve('ip:10.0.0.2')).toEqual({ refusal: { status: 503, retryAfter: 5, message: expect.stringMatching(/MAX_MCP_SESSIONS=2/) } });
    first.release!();
    first.release!(); // idempotent
    const second = manager.reserve('ip:10.0.0.2');
    expect(second.release).toEqual(expect.any(Function));
    const added = { ...session('sse'), client: 'ip:10.0.0.2' };
    await manager.add(added);
    second.release!();
    expect(manager.reserve('ip:10.0.0.3').refusal?.status).toBe(503);
    manager.remove(added.id);
    expect(manager.reserve('ip:10.0.0.3').release).toBeDefined();
  });

  it('caps the sessions of one client at MAX_MCP_SESSIONS_PER_CLIENT (429), others unaffected', async () => {
    const { manager } = setup({ MAX_MCP_SESSIONS: '10', MAX_MCP_SESSIONS_PER_CLIENT: '2' });
    const open = { ...session('streamable-http'), client: 'sub:alice' };
    await manager.add(open);
    const opening = manager.reserve('sub:alice'); // initialize in flight
    expect(opening.release).toBeDefined();
    expect(manager.reserve('sub:alice')).toEqual({ refusal: { status: 429, retryAfter: 5, message: expect.stringMatching(/^Too many MCP sessions for this client \(MAX_MCP_SESSIONS_PER_CLIENT=2\)/) } });
    expect(manager.reserve('sub:bob').release).toBeDefined();
    // A reservation that failed to open gives its place back; so does a closed session.
    opening.release!();
    const again = manager.reserve('sub:alice');
    expect(again.release).toBeDefined();
    const second = { ...session('websocket'), client: 'sub:alice' };
    await manager.add(second);
    again.release!();
    expect(manager.reserve('sub:alice').refusal?.status).toBe(429);
    manager.remove(open.id);
    manager.remove(open.id); // removing twice counts once
    expect(manager.reserve('sub:alice').release).toBeDefined();
  });

  it('turns a reservation into the session it opens: counted once while add() awaits the directory', async () => {
    const { manager, router } = setup({ MAX_MCP_SESSIONS: '2', MAX_MCP_SESSIONS_PER_CLIENT: '2' });
    let registered!: () => void;
    router.register.mockImplementationOnce(() => new Promise<undefined>((resolve) => (registered = () => resolve(undefined))));
    const slot = manager.reserve('sub:alice');
    const s = { ...session('streamable-http'), client: 'sub:alice' };
    const adding = manager.add(s, slot.release);
    expect(router.register).toHaveBeenCalledTimes(1); // add() is waiting for the directory
    // One session in all (else bob would be refused 503), one of alice's (else she would be refused 429).
    const bob = manager.reserve('sub:bob');
    expect(bob.release).toBeDefined();
    bob.release!();
    const alice = manager.reserve('sub:alice');
    expect(alice.release).toBeDefined();
    expect(manager.reserve('sub:alice').refusal?.status).toBe(429);
    registered();
    await adding;
    slot.release!(); // nothing left to release: the slot is the session now
    expect(manager.reserve('sub:alice').refusal?.status).toBe(429);
    alice.release!();
    manager.remove(s.id);
    expect(manager.reserve('sub:alice').release).toBeDefined();
  });

  it('sweeps: closes idle sessions, then confirms the live HTTP ones in the directory', async () => {
    const { manager, router } = setup();
    const live = session('streamable-http');
    const ws = session('websocket');
    const idle = session('sse', { lastActivity: 0 });
    for (const s of [live, ws, idle]) await manager.add(s);
    await manager.sweep();
    expect(router.confirm).toHaveBeenCalledWith([live.id]);
  });

  it('pushes a debounced list_changed and resources/updated to subscribers', async () => {
    const { manager } = setup();
    const s = session('streamable-http');
    s.state.subscriptions.add('docs://a');
    await manager.add(s);
    for (let i = 0; i < 3; i++) manager.onCatalogChanged({ kind: 'tool', id: `t${i}`, key: `t${i}`, action: 'create' });
    manager.onResourceUpdated({ uri: 'docs://a' });
    manager.onResourceUpdated({ uri: 'docs://b' });
    await new Promise((r) => setTimeout(r, 80));
    const server = s.server as unknown as { sendToolListChanged: jest.Mock; sendResourceUpdated: jest.Mock };
    expect(server.sendToolListChanged).toHaveBeenCalledTimes(1);
    expect(server.sendResourceUpdated.mock.calls).toEqual([[{ uri: 'docs://a' }]]);
    await manager.onApplicationShutdown();
  });
});
