import type { CatalogItem } from '../../common/catalog/catalog.model';
import type { AuthType } from '../../common/credentials';
import type { JsonSchema } from '../../common/json-schema';

/**
 * REST: an HTTP endpoint. MCP: a tool of a federated peer. CLI: a local command run with execFile (allowlisted).
 * LOCAL: implemented in TypeScript inside the gateway (see LocalToolProvider).
 */
export const INTEGRATION_TYPES = ['REST', 'MCP', 'CLI', 'LOCAL'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const REST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
/** Methods whose calls are retried after 429, 5xx or a network error (RFC 9110 idempotent methods). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * Where a REST tool sends an argument: `path` (a `{name}` placeholder of the URL), `query`, `header` (the argument
 * name is the header name), `body` (a property of the JSON body object) or `bodyRoot` (the argument's value is
 * the whole JSON body).
 */
export const ARGUMENT_LOCATIONS = ['path', 'query', 'header', 'body', 'bodyRoot'] as const;
export type ArgumentLocation = (typeof ARGUMENT_LOCATIONS)[number];
export type ArgumentMapping = Record<string, ArgumentLocation>;
export const MCP_REQUEST_TYPES = ['SSE', 'STREAMABLEHTTP', 'STDIO'] as const;

/** The longest `url` a tool can have (its column, and CreateToolDto's limit). */
export const MAX_TOOL_URL_LENGTH = 2048;

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
  /** REST: where each argument goes; unmapped arguments fill URL placeholders, then the query (GET/DELETE/HEAD/OPTIONS) or JSON body. */
  argumentMapping: ArgumentMapping | null;
  /** REST/CLI: timeout of one call in ms (null: TOOL_TIMEOUT). For REST it bounds the whole call, retries included. */
  timeoutMs: number | null;
  /** REST: retries of idempotent calls (null: REST_TOOL_MAX_RETRIES). */
  maxRetries: number | null;
  /** REST: largest response read; CLI: largest stdout/stderr (null: MAX_TOOL_RESPONSE_BYTES). */
  maxResponseBytes: number | null;
  /** REST: JSONPath expression applied to a JSON response before it is returned. */
  jsonpathFilter: string | null;
  /** CLI: the executable (must be in CLI_TOOLS_ALLOWED_COMMANDS). */
  command: string | null;
  /** CLI: argv template; `{name}` placeholders are filled from the arguments, each element stays one argv element. */
  args: string[] | null;
  /** CLI: working directory of the command. */
  workingDirectory: string | null;
  /** The peer gateway this tool was synced from; null for local tools. */
  gatewayId: string | null;
  /** False while the owning peer fails its health checks. */
  reachable: boolean;
}
