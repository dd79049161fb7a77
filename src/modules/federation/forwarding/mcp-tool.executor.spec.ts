import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { untilAborted } from '../../../common/async';
import { JsonRpcError } from '../../../common/errors/json-rpc-error';
import { loadConfig } from '../../../config/app-config';
import type { InvocationContext } from '../../tools/execution/invocation-context';
import { ToolExecutors } from '../../tools/execution/tool-executor';
import type { Tool } from '../../tools/tool.model';
import type { FederationService, PeerTarget } from '../federation.service';
import type { UpstreamPool } from '../upstream/upstream-pool.service';
import type { UpstreamSession } from '../upstream/upstream-session';
import { McpToolExecutor } from './mcp-tool.executor';

const tool = { name: 'p-echo', originalName: 'echo', gatewayId: 'g1', federationSource: 'primary', timeoutMs: null } as unknown as Tool;
const target = (id: string, name: string): PeerTarget => ({ id, name, url: `http://${id}/mcp`, transport: 'STREAMABLEHTTP', authValue: null, caCertificate: null, enabled: true, reachable: true });
const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

/** A pooled session whose callTool runs `answer` (which sees the call's options and a way to report progress). */
function fakeSession(answer: (options: { signal: AbortSignal }, progress: () => void) => Promise<unknown>) {
  let onProgress: (p: { progress: number }) => void = () => undefined;
  const calls: unknown[] = [];
  const session = {
    progress: { open: (cb: typeof onProgress) => ((onProgress = cb), { token: 'gw-1', close: () => undefined }) },
    track: (_channel: unknown, work: () => Promise<unknown>) => work(),
    client: {
      callTool: (params: unknown, _schema: unknown, options: { signal: AbortSignal }) => {
        calls.push(params);
        let n = 0;
        return answer(options, () => onProgress({ progress: ++n }));
      },
    },
  };
  return { session: session as unknown as UpstreamSession, calls };
}

function setup(env: Record<string, string>, use: (peer: { id: string }, work: (s: UpstreamSession) => Promise<unknown>, signal?: AbortSignal) => Promise<unknown>, targets = [target('g1', 'primary')]) {
  const config = loadConfig({ TOOL_TIMEOUT: '1', MAX_TOOL_RETRIES: '2', ...env });
  const federation = { callTargets: jest.fn(async () => targets), endpoint: (p: PeerTarget) => ({ id: p.id, name: p.name }) };
  const pool = { use: jest.fn((peer: { id: string }, _downstream: unknown, work: (s: UpstreamSession) => Promise<unknown>, signal?: AbortSignal) => use(peer, work, signal)) };
  const executor = new McpToolExecutor(new ToolExecutors(), federation as unknown as FederationService, pool as unknown as UpstreamPool, config);
  return { executor, pool, federation };
}

describe('McpToolExecutor', () => {
  it('bounds the whole call by the tool timeout, even a connection attempt that never completes', async () => {
    const { executor } = setup({}, (_peer, _work, signal) => untilAborted(new Promise(() => undefined), signal));
    const started = Date.now();
    const result = await executor.execute({ ...tool, timeoutMs: 150 }, {}, {});
    expect(result).toEqual({ isError: true, content: [{ type: 'text', text: "Peer 'primary' did not answer p-echo within 0.15 s" }] });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not extend the deadline on progress: a tool reporting progress forever is stopped at TOOL_TIMEOUT', async () => {
    let aborted = false;
    const { session } = fakeSession(
      (options, progress) =>
        new Promise((_, reject) => {
          const timer = setInterval(progress, 20);
          options.signal.addEventListener('abort', () => {
            aborted = true;
            clearInterval(timer);
            reject(options.signal.reason);
          });
        }),
    );
    const sent: unknown[] = [];
    const ctx: InvocationContext = { progressToken: 'client-token', client: { sendNotification: async (n) => void sent.push(n), sendRequest: async () => ({}) } };
    const { executor } = setup({}, (_peer, work) => work(session));
    const started = Date.now();
    const result = await executor.execute({ ...tool, timeoutMs: 300 }, {}, ctx);
    expect(result.isError).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(aborted).toBe(true);
    // Progress was relayed with the client's own token meanwhile.
    expect(sent.length).toBeGreaterThan(2);
    expect(sent[0]).toEqual({ method: 'notifications/progress', params: { progress: 1, progressToken: 'client-token' } });
  });

  it('stops at once when the client cancels, while connecting or while the peer works', async () => {
    const connecting = setup({ TOOL_TIMEOUT: '30' }, (_peer, _work, signal) => untilAborted(new Promise(() => undefined), signal));
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    expect(await connecting.executor.execute(tool, {}, { signal: cancel.signal })).toMatchObject({ isError: true, content: [{ text: 'Call to p-echo was cancelled' }] });

    let upstreamSignal!: AbortSignal;
    const { session } = fakeSession((options) => {
      upstreamSignal = options.signal;
      return new Promise((_, reject) => options.signal.addEventListener('abort', () => reject(options.signal.reason)));
    });
    const working = setup({ TOOL_TIMEOUT: '30' }, (_peer, work) => work(session));
    const cancel2 = new AbortController();
    setTimeout(() => cancel2.abort(), 50);
    expect(await working.executor.execute(tool, {}, { signal: cancel2.signal })).toMatchObject({ content: [{ text: 'Call to p-echo was cancelled' }] });
    expect(upstreamSignal.aborted).toBe(true); // the SDK sends notifications/cancelled upstream on abort
  });

  it('retries an unreachable peer MAX_TOOL_RETRIES times, then fails over to the next target in order', async () => {
    const { session, calls } = fakeSession(async () => ({ content: [{ type: 'text', text: 'from alternate' }] }));
    const tried: string[] = [];
    const { executor } = setup(
      { MAX_TOOL_RETRIES: '2' },
      async (peer, work) => {
        tried.push(peer.id);
        if (peer.id === 'g1') throw refused();
        return work(session);
      },
      [target('g1', 'primary'), target('g2', 'alternate')],
    );
    expect(await executor.execute(tool, { text: 'x' }, { meta: { progressToken: 'dropped', trace: 1 } })).toEqual({ content: [{ type: 'text', text: 'from alternate' }] });
    expect(tried).toEqual(['g1', 'g1', 'g1', 'g2']);
    // The upstream name, the caller's _meta without its own progress token (ours routes the progress).
    expect(calls).toEqual([{ name: 'echo', arguments: { text: 'x' }, _meta: { trace: 1, progressToken: 'gw-1' } }]);
  });

  it('does not retry refused credentials, and reports every peer that failed', async () => {
    const tried: string[] = [];
    const { executor } = setup(
      { MAX_TOOL_RETRIES: '2' },
      async (peer) => {
        tried.push(peer.id);
        throw peer.id === 'g1' ? new StreamableHTTPError(401, 'Unauthorized') : refused();
      },
      [target('g1', 'primary'), target('g2', 'alternate')],
    );
    const result = await executor.execute({ ...tool, timeoutMs: 5000 }, {}, {});
    expect(tried).toEqual(['g1', 'g2', 'g2', 'g2']);
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: "Tool p-echo failed: peer 'primary': the peer rejected the gateway's credentials (HTTP 401); peer 'alternate': ECONNREFUSED: fetch failed" }],
    });
  });

  it('passes a peer’s JSON-RPC error on with its code, naming the peer, and never retries it', async () => {
    const { executor, pool } = setup({}, async () => {
      throw new McpError(-32042, 'tool failed on purpose');
    });
    const err = await executor.execute(tool, {}, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JsonRpcError);
    expect(err).toMatchObject({ code: -32042, message: "Peer 'primary': tool failed on purpose" });
    expect(pool.use).toHaveBeenCalledTimes(1);
  });

  it('answers isError without calling anyone when the peer is disabled or gone', async () => {
    const { executor, pool } = setup({}, async () => undefined, []);
    expect(await executor.execute(tool, {}, {})).toMatchObject({ isError: true, content: [{ text: "Tool p-echo is unavailable: its peer 'primary' is disabled or gone" }] });
    expect(pool.use).not.toHaveBeenCalled();
  });
});
