import type { CatalogItem } from '../../common/catalog/catalog.model';
import type { AuthType } from '../../common/credentials';

export const GATEWAY_TRANSPORTS = ['SSE', 'STREAMABLEHTTP'] as const;
export type GatewayTransport = (typeof GATEWAY_TRANSPORTS)[number];

/** A federated peer: an MCP server or another gateway whose catalog this gateway re-exposes. */
export interface Gateway extends CatalogItem {
  name: string;
  /** `slug(name)`: the prefix of the peer's tool and prompt names. */
  slug: string;
  url: string;
  description: string | null;
  transport: GatewayTransport;
  authType: AuthType | null;
  /** Encrypted credentials envelope (see SecretBox). */
  authValue: string | null;
  /** The `capabilities` the peer announced in `initialize`. */
  capabilities: Record<string, unknown> | null;
  reachable: boolean;
  lastSeen: Date | null;
  /** True (default): the peer's tools and prompts are exposed as `slug(peer) + separator + slug(name)`; false: verbatim. */
  namespaced: boolean;
  /** Set on a fail-over alternate: the id of the primary peer whose tools this one also serves. */
  alternateOf: string | null;
  /** Health-check failures in a row; the peer is marked unreachable at UNHEALTHY_THRESHOLD. */
  consecutiveFailures: number;
  lastError: string | null;
  lastRefreshAt: Date | null;
  /** `serverInfo` the peer announced in `initialize`. */
  serverInfo: Record<string, unknown> | null;
  protocolVersion: string | null;
  /** PEM bundle of certificate authorities trusted for this peer's TLS (instead of the system store). */
  caCertificate: string | null;
}

/** Health and sync fields: operational state, changed without a version bump or an audit entry. */
export type GatewayStatus = Partial<
  Pick<Gateway, 'reachable' | 'lastSeen' | 'consecutiveFailures' | 'lastError' | 'lastRefreshAt' | 'capabilities' | 'serverInfo' | 'protocolVersion'>
>;

/**
 * The reference gateway's slug: lower case, every run of characters other than letters and digits
 * (including `_`) becomes one `-`, no leading or trailing `-`.
 */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
