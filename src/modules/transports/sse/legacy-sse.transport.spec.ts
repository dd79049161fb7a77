import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { LegacySseTransport } from './legacy-sse.transport';

/** A response whose client reads `readable` bytes and then stops reading (the rest stays buffered). */
function response(readable = Infinity) {
  let read = 0;
  const out: string[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      read += chunk.length;
      out.push(chunk.toString());
      if (read <= readable) done(); // else: never acknowledged, so later writes pile up in writableLength
    },
  });
  const res = Object.assign(stream, { writeHead: jest.fn() }) as unknown as ServerResponse & Writable;
  return { res, out };
}

const big: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(10_000) } };

describe('LegacySseTransport', () => {
  it('sends the endpoint event first, then one event per message', async () => {
    const { res, out } = response();
    const transport = new LegacySseTransport('s1', res, '/message?session_id=s1', 0);
    await transport.start();
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(out.join('')).toBe('event: endpoint\ndata: /message?session_id=s1\n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
  });

  it('closes the stream of a client that stops reading once the unsent bytes pass the high-water mark', async () => {
    const { res } = response(0);
    const overflow = jest.fn();
    const closed = jest.fn();
    const transport = new LegacySseTransport('s1', res, '/message?session_id=s1', 0, { maxBufferedBytes: 50_000, onOverflow: overflow });
    transport.onclose = closed;
    await transport.start();
    for (let i = 0; i < 4; i++) await transport.send(big);
    expect(closed).not.toHaveBeenCalled();
    await transport.send(big);
    await transport.send(big).catch(() => undefined);
    expect(overflow).toHaveBeenCalledTimes(1);
    expect(overflow.mock.calls[0][0]).toBeGreaterThan(50_000);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(res.destroyed).toBe(true);
    await expect(transport.send(big)).rejects.toThrow('SSE stream is closed');
  });

  it('sends one message larger than the high-water mark, and gives up only if the client has not read it by the next one', async () => {
    const { res } = response(0);
    const overflow = jest.fn();
    const transport = new LegacySseTransport('s1', res, '/message?session_id=s1', 0, { maxBufferedBytes: 5_000, onOverflow: overflow });
    await transport.start();
    await transport.send(big); // 10 kB, nothing unsent before it
    expect(overflow).not.toHaveBeenCalled();
    expect(res.destroyed).toBe(false);
    await transport.send(big);
    expect(overflow).toHaveBeenCalledTimes(1);
    expect(res.destroyed).toBe(true);
  });

  it('refuses invalid messages with the JSON-RPC error text (depth and NUL characters are the input limits middleware\'s job)', async () => {
    const { res } = response();
    const transport = new LegacySseTransport('s1', res, '/m', 0);
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (m) => void received.push(m);
    expect(() => transport.receive({ jsonrpc: '2.0', id: 1 })).toThrow('Invalid Request');
    expect(() => transport.receive(undefined)).toThrow('Invalid Request');
    transport.receive({ jsonrpc: '2.0', id: 2, method: 'ping' });
    expect(received).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
  });
});
