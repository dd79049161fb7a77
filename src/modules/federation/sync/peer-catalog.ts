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

/** Lengths of the catalog columns that peer-supplied names, titles, URIs and MIME types are stored in (migrations). */
export const STORED_LENGTH = { name: 255, title: 255, uri: 767, mimeType: 255 } as const;

/** One peer-supplied value to check: which field, its value, and the most characters its column holds. */
export type LengthCheck = [field: string, value: string | null | undefined, max: number];

/**
 * Splits items into those whose values fit their columns and those that cannot be stored, which are reported like
 * name conflicts (`Peer 'p' exposes tool 'x' that cannot be stored: its name has 300 characters (at most 255)`),
 * so that one oversized item costs only itself, not the whole registration or refresh.
 */
export function keepStorable<T>(peer: string, kind: string, items: T[], describe: (item: T) => { key: string; checks: LengthCheck[] }): { kept: T[]; skipped: string[] } {
  const kept: T[] = [];
  const skipped: string[] = [];
  for (const item of items) {
    const { key, checks } = describe(item);
    const over = checks.find(([, value, max]) => value != null && value.length > max);
    if (!over) {
      kept.push(item);
      continue;
    }
    const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
    skipped.push(`Peer '${peer}' exposes ${kind} '${shown}' that cannot be stored: its ${over[0]} has ${over[1]!.length} characters (at most ${over[2]})`);
  }
  return { kept, skipped };
}
