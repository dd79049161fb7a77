/** A downstream MCP session ended on this replica. Payload: the session id. */
export const MCP_SESSION_CLOSED = 'mcp.session.closed';

/** A resource's content changed (local update or a peer's notification). Payload: `{ uri }`. */
export const RESOURCE_UPDATED = 'mcp.resource.updated';

export interface ResourceUpdatedEvent {
  uri: string;
}
