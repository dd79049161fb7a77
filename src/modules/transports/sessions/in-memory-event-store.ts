import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface EventStoreLimits {
  /** Events kept per stream (the oldest go first). */
  maxEventsPerStream: number;
  /** Events kept across all the session's streams. */
  maxEvents: number;
  /** Bytes (serialized messages) kept across all the session's streams. */
  maxBytes: number;
}

export const DEFAULT_EVENT_STORE_LIMITS: EventStoreLimits = { maxEventsPerStream: 100, maxEvents: 500, maxBytes: 4 * 1024 * 1024 };

/** Bytes the event stores of all sessions on one replica hold together (see EventStoreBudget). */
export const EVENT_STORE_BUDGET_BYTES = 64 * 1024 * 1024;

let storeSeq = 0;

/**
 * A byte budget shared by the event stores of every session on a replica: per-session limits alone, times thousands of
 * sessions, would let replay buffers take any amount of memory. Past the budget, the largest stores (the older one
 * among equals) give up their oldest streams first, then the oldest events of their last stream; each store keeps
 * its newest event, so the one being written is never lost.
 */
export class EventStoreBudget {
  private readonly stores = new Set<InMemoryEventStore>();
  private bytes = 0;

  constructor(readonly maxBytes: number = EVENT_STORE_BUDGET_BYTES) {}

  /** Bytes held by all the stores (for tests and diagnostics). */
  get used(): number {
    return this.bytes;
  }

  /** A store's bytes changed by `delta` (called by the store). */
  charge(store: InMemoryEventStore, delta: number): void {
    this.bytes += delta;
    if (store.size.bytes > 0) this.stores.add(store);
    else this.stores.delete(store);
  }

  /** Sheds from the largest stores until the stores fit the budget (or none can shed more). */
  enforce(): void {
    while (this.bytes > this.maxBytes) {
      let victim: InMemoryEventStore | undefined;
      for (const store of this.stores) {
        if (!store.canShed()) continue;
        if (!victim || store.size.bytes > victim.size.bytes || (store.size.bytes === victim.size.bytes && store.seq < victim.seq)) victim = store;
      }
      if (!victim) return;
      victim.shed();
    }
  }
}

interface StoredEvent {
  id: string;
  message: JSONRPCMessage;
  bytes: number;
}

/**
 * Keeps the last events of each SSE stream of one session so a client that reconnects with `Last-Event-ID`
 * gets what it missed (Streamable HTTP resumability). Every POST answered with SSE opens a new stream, so the store is
 * bounded per stream and across the session: past `maxEvents` or `maxBytes`, whole streams are forgotten oldest
 * first (a client resumes the latest streams), then the oldest events of the current one. The newest event is always
 * kept, even alone above `maxBytes` (a tool result is bounded by MAX_TOOL_RESPONSE_BYTES). With a `budget`, the store
 * also counts against the replica-wide byte budget, which may make it shed more; `dispose()` gives its bytes back.
 */
export class InMemoryEventStore implements EventStore {
  /** Insertion order is stream age: the first entry is the oldest stream. */
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Creation order, for the budget (the older of two equally large stores sheds first). */
  readonly seq = ++storeSeq;
  private eventSeq = 0;
  private events = 0;
  private bytes = 0;
  private disposed = false;
  /** The stream of the newest event (never shed for the budget). */
  private latest?: string;
  private readonly limits: EventStoreLimits;

  constructor(
    limits: Partial<EventStoreLimits> = {},
    private readonly budget?: EventStoreBudget,
  ) {
    this.limits = { ...DEFAULT_EVENT_STORE_LIMITS, ...limits };
  }

  /** What the store holds now (for tests and diagnostics). */
  get size(): { streams: number; events: number; bytes: number } {
    return { streams: this.streams.size, events: this.events, bytes: this.bytes };
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${(++this.eventSeq).toString(36).padStart(8, '0')}`;
    if (this.disposed) return id; // the session is over: nothing will be replayed
    let events = this.streams.get(streamId);
    if (!events) this.streams.set(streamId, (events = []));
    const bytes = Buffer.byteLength(JSON.stringify(message));
    events.push({ id, message, bytes });
    this.latest = streamId;
    this.events += 1;
    this.bytes += bytes;
    this.budget?.charge(this, bytes);
    if (events.length > this.limits.maxEventsPerStream) this.drop(events.shift()!);
    // Within the session's limits: the oldest streams go first, then the oldest events of this one (`latest`).
    while (this.over() && this.canShed()) this.shed();
    this.budget?.enforce();
    return id;
  }

  /** Whether `shed()` can free anything: a stream other than the last written, or more than one event in that. */
  canShed(): boolean {
    return this.streams.size > 1 || (this.streams.get(this.latest ?? '')?.length ?? 0) > 1;
  }

  /**
   * Frees memory for the budget: forgets the oldest stream other than the last written one, or when that is the only
   * one left, its oldest event (its newest is kept).
   */
  shed(): void {
    for (const [streamId, events] of this.streams) {
      if (streamId === this.latest) continue;
      this.streams.delete(streamId);
      for (const e of events) this.drop(e);
      return;
    }
    const events = this.streams.get(this.latest ?? '');
    if (events && events.length > 1) this.drop(events.shift()!);
  }

  /** Forgets everything and gives the bytes back to the budget (the session is closed). */
  dispose(): void {
    this.disposed = true;
    for (const events of this.streams.values()) for (const e of events) this.drop(e);
    this.streams.clear();
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const streamId = eventId.slice(0, eventId.lastIndexOf('_'));
    return this.streams.has(streamId) ? streamId : undefined;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const streamId = (await this.getStreamIdForEventId(lastEventId)) ?? '';
    const events = this.streams.get(streamId) ?? [];
    const from = events.findIndex((e) => e.id === lastEventId);
    for (const e of events.slice(from + 1)) await send(e.id, e.message);
    return streamId;
  }

  private over(): boolean {
    return this.events > this.limits.maxEvents || this.bytes > this.limits.maxBytes;
  }

  private drop(event: StoredEvent): void {
    this.events -= 1;
    this.bytes -= event.bytes;
    this.budget?.charge(this, -event.bytes);
  }
}
