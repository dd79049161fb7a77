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
 * kept, even alone above `maxBytes` (a tool result is bounded by MAX_TOOL_RESPONSE_BYTES).
 */
export class InMemoryEventStore implements EventStore {
  /** Insertion order is stream age: the first entry is the oldest stream. */
  private readonly streams = new Map<string, StoredEvent[]>();
  private seq = 0;
  private events = 0;
  private bytes = 0;
  private readonly limits: EventStoreLimits;

  constructor(limits: Partial<EventStoreLimits> = {}) {
    this.limits = { ...DEFAULT_EVENT_STORE_LIMITS, ...limits };
  }

  /** What the store holds now (for tests and diagnostics). */
  get size(): { streams: number; events: number; bytes: number } {
    return { streams: this.streams.size, events: this.events, bytes: this.bytes };
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${(++this.seq).toString(36).padStart(8, '0')}`;
    let events = this.streams.get(streamId);
    if (!events) this.streams.set(streamId, (events = []));
    const bytes = Buffer.byteLength(JSON.stringify(message));
    events.push({ id, message, bytes });
    this.events += 1;
    this.bytes += bytes;
    if (events.length > this.limits.maxEventsPerStream) this.drop(events.shift()!);
    this.evict(streamId);
    return id;
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

  /** Forgets the oldest streams, then the oldest events of `current`, until the session is within its limits. */
  private evict(current: string): void {
    for (const [streamId, events] of this.streams) {
      if (!this.over()) return;
      if (streamId === current) continue;
      for (const e of events) this.drop(e);
      this.streams.delete(streamId);
    }
    const events = this.streams.get(current)!;
    while (this.over() && events.length > 1) this.drop(events.shift()!);
  }

  private drop(event: StoredEvent): void {
    this.events -= 1;
    this.bytes -= event.bytes;
  }
}
