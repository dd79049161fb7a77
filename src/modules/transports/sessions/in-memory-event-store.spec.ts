import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { EventStoreBudget, InMemoryEventStore } from './in-memory-event-store';

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

describe('EventStoreBudget (replica-wide)', () => {
  /** Messages of one size, whatever their number (below 1000). */
  const fixed = (n: number) => msg(n, 1000 - String(n).length);
  const one = bytes(fixed(0));

  it('keeps all the stores of a replica within the budget, shedding the largest stores first, oldest streams first', async () => {
    const budget = new EventStoreBudget(one * 10);
    const big = new InMemoryEventStore({}, budget);
    const small = new InMemoryEventStore({}, budget);
    const bigFirst = await big.storeEvent('b0', fixed(0));
    for (let s = 1; s < 6; s++) await big.storeEvent(`b${s}`, fixed(s));
    for (let s = 0; s < 4; s++) await small.storeEvent(`s${s}`, fixed(100 + s));
    expect(budget.used).toBe(one * 10);
    expect([big.size.bytes, small.size.bytes]).toEqual([one * 6, one * 4]);

    // Over the budget: the largest store gives up its oldest stream; the smaller one keeps everything.
    await small.storeEvent('s4', fixed(104));
    expect(budget.used).toBe(one * 10);
    expect([big.size.streams, small.size.streams]).toEqual([5, 5]);
    expect(await big.getStreamIdForEventId(bigFirst)).toBeUndefined();
    expect(await big.getStreamIdForEventId('b1_00000002')).toBe('b1');

    // The store that grows past the others sheds its own oldest stream.
    await small.storeEvent('s5', fixed(105));
    expect([big.size.streams, small.size.streams]).toEqual([5, 5]);
    // A new session pushes the total over: of the two equally large stores, the older one sheds.
    const third = new InMemoryEventStore({}, budget);
    await third.storeEvent('t0', fixed(200));
    expect([big.size.streams, small.size.streams, third.size.streams]).toEqual([4, 5, 1]);
    expect(budget.used).toBe(one * 10);
  });

  it('never sheds a store\'s newest event: a store with one stream loses its oldest events, a store with one event nothing', async () => {
    const budget = new EventStoreBudget(one * 3);
    const single = new InMemoryEventStore({}, budget);
    await single.storeEvent('only', msg(1, 5000)); // alone over the budget: kept
    expect(single.size).toMatchObject({ events: 1 });
    const other = new InMemoryEventStore({}, budget);
    const ids = [];
    for (let n = 0; n < 3; n++) ids.push(await other.storeEvent('stream', fixed(10 + n)));
    expect(single.size.events).toBe(1);
    expect(other.size).toMatchObject({ streams: 1, events: 1 });
    expect(await replay(other, ids[1])).toEqual([12]);

    // The stream last written to is kept even when it is the store's oldest (a long-lived GET stream).
    const getStream = new InMemoryEventStore({}, new EventStoreBudget(one * 2));
    await getStream.storeEvent('get', fixed(20));
    await getStream.storeEvent('post', fixed(21));
    await getStream.storeEvent('get', fixed(22));
    expect(getStream.size).toMatchObject({ streams: 1, events: 2 });
    expect(await getStream.getStreamIdForEventId('get_00000001')).toBe('get');
  });

  it('gives the bytes of a closed session back, and keeps nothing it is sent afterwards', async () => {
    const budget = new EventStoreBudget(one * 100);
    const store = new InMemoryEventStore({}, budget);
    for (let n = 0; n < 5; n++) await store.storeEvent(`s${n}`, fixed(n));
    const other = new InMemoryEventStore({}, budget);
    await other.storeEvent('x', fixed(9));
    expect(budget.used).toBe(one * 6);
    store.dispose();
    expect(budget.used).toBe(one);
    expect(store.size).toEqual({ streams: 0, events: 0, bytes: 0 });
    await store.storeEvent('late', fixed(10));
    expect(budget.used).toBe(one);
  });

  it('accounts exactly across many stores and mixed writes', async () => {
    const budget = new EventStoreBudget(50_000);
    const stores = Array.from({ length: 7 }, () => new InMemoryEventStore({ maxBytes: 12_000, maxEvents: 30 }, budget));
    for (let i = 0; i < 600; i++) {
      const store = stores[(i * 5) % 7];
      await store.storeEvent(`s${Math.floor(i / 11)}`, msg(i, (i * 53) % 1500));
      expect(budget.used).toBe(stores.reduce((sum, s) => sum + s.size.bytes, 0));
    }
    expect(budget.used).toBeLessThanOrEqual(50_000);
    stores.forEach((s) => s.dispose());
    expect(budget.used).toBe(0);
  });
});
