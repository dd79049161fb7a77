import { UriTemplate, type Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';

/** The bare, lower-case type of a MIME type or `Content-Type` header value (`Text/HTML; charset=x` → `text/html`). */
export function bareMime(mime: string): string {
  return mime.split(';')[0].trim().toLowerCase();
}

function patternRegExp(pattern: string): RegExp {
  if (pattern === '*') return /^.*$/;
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${escaped}$`);
}

/** Whether `mime` matches one of `patterns` (`text/plain`, `text/*`, `application/*+json`, `*`). Parameters are ignored. */
export function mimeAllowed(mime: string, patterns: readonly string[]): boolean {
  const bare = bareMime(mime);
  return patterns.some((p) => patternRegExp(p.trim().toLowerCase()).test(bare));
}

const TEXT_APPLICATION = new Set(['application/json', 'application/xml', 'application/yaml', 'application/x-yaml', 'application/javascript', 'application/ecmascript', 'application/graphql', 'application/sql', 'application/toml', 'application/x-www-form-urlencoded', 'image/svg+xml']);

/** Whether content of this MIME type is text (served as MCP `text`) rather than bytes (served base64 as `blob`). */
export function isTextMime(mime: string): boolean {
  const bare = bareMime(mime);
  return bare.startsWith('text/') || TEXT_APPLICATION.has(bare) || /\+(json|xml|yaml)$/.test(bare);
}

/** The variables of a URI template (`users://{id}/posts{?page}` → `['id', 'page']`). */
export function templateVariables(template: string): string[] {
  return new UriTemplate(template).variableNames;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The variables a concrete URI gives a template (percent-decoded), or null when it does not match. */
export function matchTemplate(template: string, uri: string): Record<string, string> | null {
  const vars = new UriTemplate(template).match(uri);
  if (!vars) return null;
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.isArray(v) ? v.map(decode).join(',') : decode(v)]));
}

/**
 * The text of a template resource for one set of variables: each `{name}` of a template variable is replaced by
 * its value, verbatim. Other braces (JSON, code) are left alone, as are variables the URI did not give.
 */
export function renderTemplateText(text: string, vars: Record<string, string>): string {
  return text.replace(/\{([A-Za-z0-9_.%]+)\}/g, (whole, name: string) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : whole));
}

/** A `contentUrl` with the variables filled in (RFC 6570 expansion: values are percent-encoded). */
export function expandUrl(contentUrl: string, vars: Variables): string {
  return UriTemplate.isTemplate(contentUrl) ? new UriTemplate(contentUrl).expand(vars) : contentUrl;
}
