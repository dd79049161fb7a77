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

const QUERY_EXPRESSION = /\{[?&]([^}]+)\}/g;

function flatten(vars: Variables): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.isArray(v) ? v.map(decode).join(',') : decode(v)]));
}

/**
 * The variables a concrete URI gives a template (percent-decoded), or null when it does not match (nor when the
 * template is invalid). Query expressions (`{?q,limit}`) match any subset of their parameters in any order; a
 * query parameter the template does not name makes it no match.
 */
export function matchTemplate(template: string, uri: string): Record<string, string> | null {
  try {
    const queryNames: string[] = [];
    const base = template.replace(QUERY_EXPRESSION, (_whole, list: string) => {
      queryNames.push(...list.split(',').map((n) => n.trim().replace(/\*$/, '').replace(/:\d+$/, '')));
      return '';
    });
    if (!queryNames.length) {
      const vars = new UriTemplate(template).match(uri);
      return vars ? flatten(vars) : null;
    }
    const q = uri.indexOf('?');
    const path = q === -1 ? uri : uri.slice(0, q);
    const vars = UriTemplate.isTemplate(base) ? new UriTemplate(base).match(path) : base === path ? {} : null;
    if (!vars) return null;
    const result = flatten(vars);
    if (q !== -1) {
      for (const [name, value] of new URLSearchParams(uri.slice(q + 1))) {
        if (!queryNames.includes(name)) return null;
        result[name] = value;
      }
    }
    return result;
  } catch {
    return null;
  }
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
