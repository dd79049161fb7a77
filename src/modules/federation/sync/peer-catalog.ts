import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { slugify } from '../gateway.model';

/** Everything a peer lists. */
export interface PeerCatalog {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
}

const MAX_PAGES = 200;

async function all<T>(page: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const result = await page(cursor);
    items.push(...result.items);
    if (!result.nextCursor || result.nextCursor === cursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

/** Lists every tool, resource, resource template and prompt the peer advertises (following cursors). */
export async function fetchPeerCatalog(client: Client, timeoutMs: number): Promise<PeerCatalog> {
  const caps = client.getServerCapabilities() ?? {};
  const opts = { timeout: timeoutMs };
  const [tools, resources, resourceTemplates, prompts] = await Promise.all([
    caps.tools ? all(async (cursor) => client.listTools({ cursor }, opts).then((r) => ({ items: r.tools, nextCursor: r.nextCursor }))) : [],
    caps.resources ? all(async (cursor) => client.listResources({ cursor }, opts).then((r) => ({ items: r.resources, nextCursor: r.nextCursor }))) : [],
    caps.resources
      ? all(async (cursor) => client.listResourceTemplates({ cursor }, opts).then((r) => ({ items: r.resourceTemplates, nextCursor: r.nextCursor }))).catch(() => [])
      : [],
    caps.prompts ? all(async (cursor) => client.listPrompts({ cursor }, opts).then((r) => ({ items: r.prompts, nextCursor: r.nextCursor }))) : [],
  ]);
  return { tools, resources, resourceTemplates, prompts };
}

/**
 * The name a peer's tool or prompt gets in this gateway: `slug(peer) + separator + slug(name)` like the reference
 * gateway, or the upstream name verbatim for a peer registered with `namespaced: false`.
 */
export function federatedName(peer: { slug: string; namespaced: boolean }, upstreamName: string, separator: string): string {
  if (!peer.namespaced) return upstreamName;
  return `${peer.slug}${separator}${slugify(upstreamName) || upstreamName}`;
}
