import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { InMemoryEventStore } from './in-memory-event-store';

const msg = (n: number, pad = 0): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { n, text: 'x'.repeat(pad) } });
const bytes = (m: JSONRPCMessage) => Buffer.byteLength(JSON.stringify(m));

/** Every event replayed after `eventId`, as the `n` of its message. */
async function replay(store: InMemoryEventStore, eventId: string): Promise<number[]> {
  const seen: number[] = [];
  await store.replayEventsAfter(eventId, { send: async (_id, m) => void seen.push((m as unknown as { params: { n: number } }).params.n) });
  return seen;
}

describe('InMemoryEventStore', () => {
  it('replays the events of one stream after a given event id, and knows which stream an id belongs to', async () => {
    const store = new InMemoryEventStore();
    const a1 = await store.storeEvent('a', msg(1));
    await store.storeEvent('b', msg(100));
    await store.storeEvent('a', msg(2));
    await store.storeEvent('a', msg(3));
    expect(await store.getStreamIdForEventId(a1)).toBe('a');
    expect(await replay(store, a1)).toEqual([2, 3]);
    expect(await store.getStreamIdForEventId('nope_00000001')).toBeUndefined();
  });

  it('keeps at most maxEventsPerStream events of one stream, dropping the oldest', async () => {
    const store = new InMemoryEventStore({ maxEventsPerStream: 3 });
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await store.storeEvent('s', msg(n)));
    expect(store.size).toMatchObject({ streams: 1, events: 3 });
    expect(await replay(store, ids[2])).toEqual([4, 5]);
  });

  it('caps the number of events across streams by forgetting whole streams, oldest first', async () => {
    const store = new InMemoryEventStore({ maxEventsPerStream: 100, maxEvents: 10 });
    const first: Record<string, string> = {};
    // One new stream per POST, as the SDK does: 2 events each.
    for (let s = 0; s < 20; s++) {
      first[`post${s}`] = await store.storeEvent(`post${s}`, msg(s * 10));
      await store.storeEvent(`post${s}`, msg(s * 10 + 1));
    }
    expect(store.size).toEqual({ streams: 5, events: 10, bytes: expect.any(Number) });
    expect(await store.getStreamIdForEventId(first.post14)).toBeUndefined();
    expect(await store.getStreamIdForEventId(first.post15)).toBe('post15');
    expect(await replay(store, first.post19)).toEqual([191]);
  });

  it('caps the bytes held across streams, and keeps the newest event even when it alone is larger', async () => {
    const one = bytes(msg(0, 1000));
    const store = new InMemoryEventStore({ maxBytes: one * 3 });
    for (let s = 0; s < 6; s++) await store.storeEvent(`s${s}`, msg(s, 1000));
    expect(store.size).toEqual({ streams: 3, events: 3, bytes: one * 3 });

    const big = msg(99, 10_000);
    const id = await store.storeEvent('big', big);
    expect(store.size).toEqual({ streams: 1, events: 1, bytes: bytes(big) });
    expect(await store.getStreamIdForEventId(id)).toBe('big');

    // Within the current stream, its own oldest events go once the older streams are gone.
    await store.storeEvent('big', msg(100, 10));
    expect(store.size).toEqual({ streams: 1, events: 1, bytes: bytes(msg(100, 10)) });
  });

  it('accounts exactly: the totals equal what it still replays after many mixed writes', async () => {
    const store = new InMemoryEventStore({ maxEventsPerStream: 7, maxEvents: 40, maxBytes: 20_000 });
    const streams = new Set<string>();
    const sent = new Map<number, JSONRPCMessage>();
    for (let i = 0; i < 500; i++) {
      const streamId = `s${i % 13 === 0 ? i : Math.floor(i / 9)}`;
      streams.add(streamId);
      sent.set(i, msg(i, (i * 37) % 900));
      await store.storeEvent(streamId, sent.get(i)!);
    }
    let events = 0;
    let held = 0;
    for (const streamId of streams) {
      if (!(await store.getStreamIdForEventId(`${streamId}_zzzzzzzz`))) continue;
      for (const n of await replay(store, `${streamId}_zzzzzzzz`)) {
        events += 1;
        held += bytes(sent.get(n)!);
      }
    }
    expect(store.size).toMatchObject({ events, bytes: held });
    expect(events).toBeLessThanOrEqual(40);
    expect(held).toBeLessThanOrEqual(20_000);
    expect(await replay(store, 's55_zzzzzzzz')).toEqual([495, 496, 497, 498, 499]);
  });
});
