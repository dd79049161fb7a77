import { type InFlight, notificationTarget, requestTarget, splitCommand } from './translate';

/** A bridged session whose client announced `caps`. */
const session = (name: string, caps: Record<string, unknown> = {}) => ({ name, getClientCapabilities: () => caps });

describe('mcpgateway-translate routing', () => {
  const health = session('gateway health session');
  const alice = session('alice', { sampling: {}, elicitation: {} });
  const bob = session('bob', { sampling: {} });

  it('sends a server-to-client request on the stream of the latest call in progress whose client offers the feature', () => {
    const inflight: Array<InFlight & { server: typeof alice }> = [
      { server: alice, requestId: 1, method: 'tools/call' },
      { server: bob, requestId: 7, method: 'tools/call' },
      { server: health, requestId: 2, method: 'tools/list' },
    ];
    expect(requestTarget('sampling/createMessage', inflight, [health, bob, alice])).toEqual({ server: bob, requestId: 7 });
    expect(requestTarget('elicitation/create', inflight, [health, bob, alice])).toEqual({ server: alice, requestId: 1 });
  });

  it('without a call in progress, picks the most recent session whose client offers the feature, never one without', () => {
    expect(requestTarget('sampling/createMessage', [], [health, bob, alice])).toEqual({ server: bob });
    expect(requestTarget('elicitation/create', [], [health, bob, alice])).toEqual({ server: alice });
    expect(requestTarget('roots/list', [], [health, bob, alice])).toBeUndefined();
    expect(requestTarget('sampling/createMessage', [{ server: health, requestId: 3, method: 'tools/call' }], [health])).toBeUndefined();
  });

  it('sends a log message to the latest call in progress (list requests aside), other notifications to everyone', () => {
    const inflight = [
      { server: alice, requestId: 1, method: 'tools/call' },
      { server: health, requestId: 2, method: 'tools/list' },
    ];
    expect(notificationTarget('notifications/message', inflight)).toBe(inflight[0]);
    expect(notificationTarget('notifications/message', [inflight[1]])).toBeUndefined();
    expect(notificationTarget('notifications/tools/list_changed', inflight)).toBeUndefined();
  });

  it('splits a command line like a shell would, without running one', () => {
    expect(splitCommand(`"/usr/bin/node" server.mjs --name 'stdio fixture' a\\ b ""`)).toEqual(['/usr/bin/node', 'server.mjs', '--name', 'stdio fixture', 'a b', '']);
    expect(() => splitCommand('node "unterminated')).toThrow(/unbalanced quote/);
  });
});
