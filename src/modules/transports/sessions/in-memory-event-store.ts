import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * Keeps the last events of each SSE stream of one session so a client that reconnects with `Last-Event-ID`
 * gets what it missed (Streamable HTTP resumability). Bounded per stream.
 */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, Array<{ id: string; message: JSONRPCMessage }>>();
  private seq = 0;

  constructor(private readonly maxEventsPerStream = 100) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${(++this.seq).toString(36).padStart(8, '0')}`;
    let events = this.streams.get(streamId);
    if (!events) this.streams.set(streamId, (events = []));
    events.push({ id, message });
    if (events.length > this.maxEventsPerStream) events.shift();
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
}
