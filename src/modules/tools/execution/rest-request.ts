import { JSONPath } from 'jsonpath-plus';
import { type Credentials, credentialHeaders, credentialQuery, HEADER_VALUE } from '../../../common/credentials';
import { ValidationError } from '../../../common/errors/domain-error';
import type { ArgumentLocation, ArgumentMapping } from '../tool.model';
import { jqToJsonPath } from './jq-path';

/** `{name}` placeholders of a URL template (names may contain letters, digits, `_`, `-` and `.`). */
const PLACEHOLDER = /\{([A-Za-z0-9_][A-Za-z0-9_.-]*)\}/g;
/** Methods whose unmapped arguments go to the query string rather than a JSON body. */
const QUERY_METHODS = new Set(['GET', 'DELETE', 'HEAD', 'OPTIONS']);

export interface RestRequest {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function scalar(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The names of the `{placeholders}` of a URL template. */
export function pathPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/**
 * Fills `{name}` placeholders of a URL template from the arguments (URL-encoded) and returns the arguments
 * that were not used in the path.
 */
export function expandPath(template: string, args: Record<string, unknown>): { url: string; rest: Record<string, unknown> } {
  const rest = { ...args };
  const url = template.replace(PLACEHOLDER, (_m, name: string) => {
    const value = rest[name];
    delete rest[name];
    return value === undefined || value === null ? '' : encodeURIComponent(scalar(value));
  });
  return { url, rest };
}

/**
 * Builds the HTTP request of a REST tool call. Each argument goes where `mapping` says; an unmapped one fills the
 * URL placeholder of its name if there is one, else the query string (GET, DELETE, HEAD, OPTIONS) or a property
 * of the JSON body (other methods). Credentials are added last (they win over argument headers of the same name).
 */
export function buildRestRequest(
  tool: { url: string; requestType: string; headers: Record<string, string> | null; argumentMapping: ArgumentMapping | null },
  args: Record<string, unknown>,
  credentials: Credentials | null,
): RestRequest {
  const method = tool.requestType.toUpperCase();
  const mapping = tool.argumentMapping ?? {};
  const placeholders = new Set(pathPlaceholders(tool.url));
  const pathArgs: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  const argHeaders: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  let bodyRoot: { value: unknown } | undefined;
  for (const [name, value] of Object.entries(args)) {
    const location: ArgumentLocation = mapping[name] ?? (placeholders.has(name) ? 'path' : QUERY_METHODS.has(method) ? 'query' : 'body');
    switch (location) {
      case 'path':
        pathArgs[name] = value;
        break;
      case 'query':
        query[name] = value;
        break;
      case 'header':
        if (value === undefined || value === null) break;
        if (!HEADER_VALUE.test(scalar(value))) throw new ValidationError(`arguments.${name}`, 'must not contain line breaks (sent as a header)');
        argHeaders[name] = scalar(value);
        break;
      case 'body':
        body[name] = value;
        break;
      case 'bodyRoot':
        bodyRoot = { value };
        break;
    }
  }
  const url = new URL(expandPath(tool.url, pathArgs).url);
  for (const [k, v] of Object.entries({ ...query, ...credentialQuery(credentials) })) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, scalar(item));
  }
  const headers: Record<string, string> = {
    accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
    ...(tool.headers ?? {}),
    ...argHeaders,
    ...credentialHeaders(credentials),
  };
  const hasBodyArgs = bodyRoot !== undefined || Object.keys(body).length > 0;
  // Methods that carry a body always send one (an empty object when no argument goes there), as before.
  if (hasBodyArgs || !QUERY_METHODS.has(method)) {
    headers['content-type'] = 'application/json';
    return { url: url.toString(), headers, body: JSON.stringify(bodyRoot ? bodyRoot.value : body) };
  }
  return { url: url.toString(), headers };
}

/**
 * The delay a `Retry-After` header asks for, in ms (delta-seconds or an HTTP date), or undefined when absent or
 * unparseable. Never negative.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The exponential backoff before retry number `attempt` (0 = first retry): `baseMs * 2^attempt` with "equal
 * jitter" (half fixed, half random), capped at `maxMs`.
 */
export function retryDelayMs(attempt: number, options: { baseMs: number; maxMs: number; random?: () => number }): number {
  const exp = Math.min(options.baseMs * 2 ** attempt, options.maxMs);
  const random = options.random ?? Math.random;
  return Math.round(exp / 2 + (random() * exp) / 2);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Whether and when to retry after a retryable failure: the upstream's `Retry-After` when it gives one, else the
 * backoff of `retryDelayMs`. A wait that does not fit in the time left before the call's timeout means no retry.
 * A `Retry-After` longer than `maxMs` (REST_TOOL_RETRY_MAX_DELAY) or than the time left is respected, not
 * shortened: the call stops, and `note` says why (for the error message).
 */
export function planRetry(
  attempt: number,
  options: { baseMs: number; maxMs: number; timeLeftMs: number; retryAfterMs?: number; random?: () => number },
): { waitMs: number } | { note?: string } {
  const { retryAfterMs, maxMs, timeLeftMs } = options;
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > maxMs) return { note: `Retry-After asks for ${seconds(retryAfterMs)}, more than REST_TOOL_RETRY_MAX_DELAY (${seconds(maxMs)}): not retried` };
    if (retryAfterMs >= timeLeftMs) return { note: `Retry-After asks for ${seconds(retryAfterMs)}, more than the ${seconds(timeLeftMs)} left before the tool's timeout: not retried` };
    return { waitMs: retryAfterMs };
  }
  const waitMs = retryDelayMs(attempt, options);
  return waitMs < timeLeftMs ? { waitMs } : {};
}

/** Whether an HTTP status is worth retrying (rate limited or a server-side failure). */
export function retryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * Applies a JSONPath expression (jsonpath-plus syntax; filter expressions run in its sandboxed "safe" evaluator,
 * never in `eval`/`vm`) to a parsed JSON document.
 * A path that names one value returns it; several matches return an array; no match returns null.
 */
export function applyJsonPath(path: string, json: unknown): unknown {
  const matches = JSONPath({ path, json: json as object, wrap: true, eval: 'safe' }) as unknown[];
  if (matches.length === 0) return null;
  // A definite path (no wildcard, filter, recursive descent, union or slice) names one value: unwrap it.
  const definite = !/[*?]|\.\.|,|:/.test(path.replace(/'[^']*'|"[^"]*"/g, ''));
  return definite && matches.length === 1 ? matches[0] : matches;
}

/**
 * The JSONPath a tool's `jsonpathFilter` stands for: JSONPath as it is, or a simple jq path (`.items[].name`, as the
 * reference gateway's filters are written) translated by `jqToJsonPath`, which throws for other jq.
 */
export function filterPath(filter: string): string {
  return filter.trimStart().startsWith('.') ? jqToJsonPath(filter) : filter;
}

/** Whether a JSONPath expression parses (for validating `jsonpathFilter` when a tool is saved). */
export function checkJsonPath(path: string): string | null {
  if (!path.startsWith('$')) return 'must start with $ (JSONPath, e.g. $.items[*].name) or . (a jq path, e.g. .items[].name)';
  const bare = path.replace(/'[^']*'|"[^"]*"/g, '');
  let depth = 0;
  for (const ch of bare) {
    depth += ch === '[' || ch === '(' ? 1 : ch === ']' || ch === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth !== 0) return 'unbalanced brackets or parentheses';
  try {
    JSONPath({ path, json: {}, eval: 'safe' });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
