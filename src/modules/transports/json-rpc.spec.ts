import { parseJsonRpc, toJsonRpcMessage } from './json-rpc';

describe('parseJsonRpc (WebSocket frames) and toJsonRpcMessage (POSTed bodies)', () => {
  it('accepts a JSON-RPC message from text or from a parsed body', () => {
    expect(parseJsonRpc('{"jsonrpc":"2.0","id":1,"method":"ping"}', 64)).toEqual({ ok: true, message: { jsonrpc: '2.0', id: 1, method: 'ping' } });
    expect(toJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/initialized' })).toMatchObject({ ok: true });
  });

  it('answers malformed JSON with -32700 and id null', () => {
    expect(parseJsonRpc('{nope', 64)).toEqual({ ok: false, error: { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringMatching(/^Parse error: /) } } });
  });

  it('answers too deep nesting and NUL characters in a frame with -32600, keeping the id', () => {
    const deep = { jsonrpc: '2.0', id: 'd', method: 'tools/call', params: JSON.parse(`${'{"a":'.repeat(10)}1${'}'.repeat(10)}`) };
    expect(parseJsonRpc(JSON.stringify(deep), 8)).toEqual({
      ok: false,
      error: { jsonrpc: '2.0', id: 'd', error: { code: -32600, message: 'Invalid Request: JSON body nests deeper than 8 levels (MAX_JSON_DEPTH)' } },
    });
    const nul = parseJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'a\u0000b' } }), 64);
    expect(nul).toEqual({ ok: false, error: { jsonrpc: '2.0', id: 4, error: { code: -32600, message: 'Invalid Request: params.name: strings must not contain NUL characters' } } });
  });

  it('answers a value that is not JSON-RPC with -32600', () => {
    expect(toJsonRpcMessage({ jsonrpc: '2.0', id: 5, nonsense: true })).toEqual({ ok: false, error: { jsonrpc: '2.0', id: 5, error: { code: -32600, message: 'Invalid Request' } } });
    expect(toJsonRpcMessage(undefined)).toMatchObject({ ok: false, error: { id: null, error: { code: -32600 } } });
    expect(parseJsonRpc('[1,2]', 64)).toMatchObject({ ok: false, error: { id: null, error: { code: -32600 } } });
  });
});
