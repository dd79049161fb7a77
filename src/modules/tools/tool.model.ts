import type { CatalogItem } from '../../common/catalog/catalog.model';
import type { AuthType } from '../../common/credentials';
import type { JsonSchema } from '../../common/json-schema';

export const INTEGRATION_TYPES = ['REST', 'MCP'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const REST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const MCP_REQUEST_TYPES = ['SSE', 'STREAMABLEHTTP', 'STDIO'] as const;

/** MCP tool names: 1-128 characters of letters, digits, `_`, `-` and `.` (MCP 2025-11-25). */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** MCP behaviour hints. */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface Tool extends CatalogItem {
  /** The name clients call (for federated tools: peer slug + separator + original name). */
  name: string;
  /** The name the tool has at its origin (upstream peer), or `name` for local tools. */
  originalName: string;
  displayName: string | null;
  description: string | null;
  integrationType: IntegrationType;
  /** HTTP method for REST tools; the upstream transport for MCP tools. */
  requestType: string;
  url: string | null;
  headers: Record<string, string> | null;
  authType: AuthType | null;
  /** Encrypted credentials envelope (see SecretBox); null when the tool needs none. */
  authValue: string | null;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema | null;
  annotations: ToolAnnotations | null;
  /** The peer gateway this tool was synced from; null for local tools. */
  gatewayId: string | null;
  /** False while the owning peer fails its health checks. */
  reachable: boolean;
}
