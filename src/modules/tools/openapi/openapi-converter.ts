import type { JsonSchema } from '../../../common/json-schema';
import { type ArgumentLocation, type ArgumentMapping, MAX_TOOL_URL_LENGTH, type ToolAnnotations } from '../tool.model';

/** A REST tool derived from one OpenAPI operation (the fields of a create request). */
export interface ImportedTool {
  name: string;
  displayName?: string;
  description?: string;
  integrationType: 'REST';
  requestType: string;
  url: string;
  inputSchema: JsonSchema;
  argumentMapping: ArgumentMapping;
  annotations: ToolAnnotations;
  /** Where it came from: `GET /pets/{petId}`. */
  operation: string;
}

export interface ConvertOptions {
  /** Overrides the document's server URL (required when it has none, or a relative one and no `documentUrl`). */
  baseUrl?: string;
  /** Only operations carrying at least one of these tags. */
  tags?: string[];
  /** Prepended to every tool name. */
  namePrefix?: string;
  /** Where the document was fetched from, to resolve a relative server URL. */
  documentUrl?: string;
}

export interface ConversionResult {
  tools: ImportedTool[];
  /** Operations left out, and why. */
  skipped: Array<{ operation: string; reason: string }>;
  /** How many of the skipped ones were left out because their URL would not fit in a tool's `url` (base URL + path). */
  urlTooLong: number;
}

type Obj = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
const PARAM_LOCATIONS: Record<string, ArgumentLocation> = { path: 'path', query: 'query', header: 'header' };
/** Schema keywords of OpenAPI that are not JSON Schema (or only noise for a tool's input schema). */
const OPENAPI_ONLY = new Set(['nullable', 'discriminator', 'xml', 'externalDocs', 'example', 'readOnly', 'writeOnly', 'deprecated']);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Which OpenAPI family a document belongs to, or an explanation of why it is none. */
export function openApiVersion(doc: unknown): { version: '2.0' | '3.0' | '3.1' } | { error: string } {
  if (!isObj(doc)) return { error: 'the document is not an object' };
  if (doc.swagger === '2.0') return { version: '2.0' };
  if (typeof doc.openapi === 'string') {
    if (/^3\.0\./.test(doc.openapi)) return { version: '3.0' };
    if (/^3\.[1-9]\./.test(doc.openapi)) return { version: '3.1' };
    return { error: `unsupported openapi version ${doc.openapi}` };
  }
  return { error: 'neither "openapi" (3.x) nor "swagger": "2.0" is present' };
}

/**
 * Turns an (OpenAPI) schema into plain JSON Schema for a tool's inputSchema: 3.0 `nullable` becomes a `null`
 * type, OpenAPI-only keywords are dropped, and any `$ref` that is left (circular ones) becomes `{}`.
 */
export function toJsonSchema(schema: unknown, seen = new WeakSet<object>()): JsonSchema {
  if (!isObj(schema)) return {};
  if (seen.has(schema)) return {};
  seen.add(schema);
  if (typeof schema.$ref === 'string') return {};
  const out: Obj = {};
  for (const [key, value] of Object.entries(schema)) {
    if (OPENAPI_ONLY.has(key) || key.startsWith('x-')) continue;
    if (['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'].includes(key) && isObj(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, seen)]));
    } else if (['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems'].includes(key) && isObj(value)) {
      out[key] = toJsonSchema(value, seen);
    } else if (['allOf', 'anyOf', 'oneOf', 'prefixItems'].includes(key) && Array.isArray(value)) {
      out[key] = value.map((v) => toJsonSchema(v, seen));
    } else if (key === 'items' && Array.isArray(value)) {
      out[key] = value.map((v) => toJsonSchema(v, seen));
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  seen.delete(schema);
  return out;
}

/** A tool name from an operationId, or from the method and path: `get_pets_petId`. Always matches TOOL_NAME_PATTERN. */
export function toolName(method: string, path: string, operationId: unknown, prefix = ''): string {
  const base =
    typeof operationId === 'string' && operationId.trim()
      ? operationId.trim()
      : `${method.toLowerCase()}_${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'root'}`;
  let name = `${prefix}${base}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
  if (!/^[A-Za-z0-9_]/.test(name)) name = `_${name}`;
  return name.slice(0, 128);
}

function serverUrl(doc: Obj, version: string, options: ConvertOptions): string | undefined {
  if (options.baseUrl) return options.baseUrl;
  let url: string | undefined;
  if (version === '2.0') {
    if (typeof doc.host === 'string') {
      const schemes = Array.isArray(doc.schemes) ? (doc.schemes as string[]) : [];
      const scheme = schemes.includes('https') ? 'https' : (schemes[0] ?? (options.documentUrl ? new URL(options.documentUrl).protocol.replace(':', '') : 'https'));
      url = `${scheme}://${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}`;
    } else if (options.documentUrl) {
      url = new URL(typeof doc.basePath === 'string' ? doc.basePath : '/', options.documentUrl).toString();
    }
  } else {
    const server = Array.isArray(doc.servers) && isObj(doc.servers[0]) ? doc.servers[0] : undefined;
    if (server && typeof server.url === 'string') {
      const vars = isObj(server.variables) ? server.variables : {};
      const expanded = server.url.replace(/\{([^}]+)\}/g, (m, name: string) => {
        const v = vars[name];
        return isObj(v) && v.default !== undefined ? String(v.default) : m;
      });
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(expanded)) url = expanded;
      else if (options.documentUrl) url = new URL(expanded, options.documentUrl).toString();
    } else if (options.documentUrl) {
      url = new URL('/', options.documentUrl).toString();
    }
  }
  return url;
}

/** The JSON schema of a request body (3.x `requestBody` or a 2.0 `in: body` parameter), if it has one. */
function requestBodySchema(op: Obj, version: string, params: Obj[]): { schema: JsonSchema; required: boolean } | undefined {
  if (version === '2.0') {
    const body = params.find((p) => p.in === 'body');
    return body ? { schema: toJsonSchema(body.schema), required: body.required === true } : undefined;
  }
  const rb = op.requestBody;
  if (!isObj(rb) || !isObj(rb.content)) return undefined;
  const content = rb.content;
  const type = Object.keys(content).find((t) => /^application\/(.+\+)?json\b/i.test(t)) ?? (content['*/*'] ? '*/*' : undefined);
  if (!type) return undefined;
  const media = content[type];
  return { schema: toJsonSchema(isObj(media) ? media.schema : undefined), required: rb.required === true };
}

function paramSchema(p: Obj, version: string): JsonSchema {
  if (version !== '2.0') {
    const s = toJsonSchema(p.schema ?? (isObj(p.content) ? (Object.values(p.content)[0] as Obj | undefined)?.schema : undefined));
    return p.description && !s.description ? { ...s, description: p.description } : s;
  }
  // Swagger 2: the schema keywords sit on the parameter itself.
  const { name: _n, in: _in, required: _r, collectionFormat: _c, allowEmptyValue: _a, ...rest } = p;
  return toJsonSchema(rest);
}

/**
 * Converts a dereferenced OpenAPI 3.0 / 3.1 or Swagger 2.0 document into REST tools: one per operation, named
 * after its operationId (else method + path), its input schema made of the path, query and header parameters
 * and the JSON request body (an object body's properties become arguments sent in the body; any other body is
 * one `body` argument sent as the whole body), with an argument mapping that sends each where the operation
 * expects it.
 */
export function convertOpenApi(doc: unknown, options: ConvertOptions = {}): ConversionResult {
  const v = openApiVersion(doc);
  if ('error' in v) throw new Error(v.error);
  const spec = doc as Obj;
  const base = serverUrl(spec, v.version, options);
  if (!base) throw new Error('the document names no absolute server URL: give baseUrl');
  const root = base.replace(/\/+$/, '');
  const tools: ImportedTool[] = [];
  const skipped: ConversionResult['skipped'] = [];
  let urlTooLong = 0;
  const wanted = options.tags?.length ? new Set(options.tags) : undefined;
  for (const [path, item] of Object.entries(isObj(spec.paths) ? spec.paths : {})) {
    if (!isObj(item)) continue;
    const shared = Array.isArray(item.parameters) ? (item.parameters as unknown[]).filter(isObj) : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const operation = `${method.toUpperCase()} ${path}`;
      const opTags = Array.isArray(op.tags) ? (op.tags as string[]) : [];
      if (wanted && !opTags.some((t) => wanted.has(t))) continue;
      const url = `${root}${path}`;
      if (url.length > MAX_TOOL_URL_LENGTH) {
        skipped.push({ operation, reason: `its URL (base URL + path) would be ${url.length} characters, over the ${MAX_TOOL_URL_LENGTH} a tool URL may have` });
        urlTooLong++;
        continue;
      }
      // Operation parameters override path-level ones with the same name and location.
      const own = Array.isArray(op.parameters) ? (op.parameters as unknown[]).filter(isObj) : [];
      const params = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      const mapping: ArgumentMapping = {};
      let problem: string | undefined;
      for (const p of params) {
        if (p.in === 'body') continue;
        const where = PARAM_LOCATIONS[String(p.in)];
        if (!where) {
          if (p.required === true) problem = `required ${String(p.in)} parameter '${String(p.name)}' is not supported`;
          continue;
        }
        const name = String(p.name);
        if (where === 'header' && ['accept', 'content-type', 'authorization'].includes(name.toLowerCase())) continue;
        properties[name] = paramSchema(p, v.version);
        mapping[name] = where;
        if (p.required === true || where === 'path') required.push(name);
      }
      const body = requestBodySchema(op, v.version, params);
      if (!body && (isObj(op.requestBody) || params.some((p) => p.in === 'formData'))) {
        const rb = op.requestBody as Obj | undefined;
        if (rb?.required === true || params.some((p) => p.in === 'formData' && p.required === true)) problem ??= 'the request body is not JSON';
      }
      if (body) {
        const s = body.schema;
        const props = isObj(s.properties) ? (s.properties as Record<string, JsonSchema>) : undefined;
        const objectLike = (s.type === 'object' || (s.type === undefined && props)) && props && !s.allOf && !s.oneOf && !s.anyOf;
        const clash = props && Object.keys(props).some((k) => k in properties);
        if (objectLike && !clash) {
          for (const [k, ps] of Object.entries(props)) {
            properties[k] = ps;
            mapping[k] = 'body';
          }
          if (Array.isArray(s.required)) required.push(...(s.required as string[]));
        } else {
          properties.body = s;
          mapping.body = 'bodyRoot';
          if (body.required) required.push('body');
        }
      }
      if (problem) {
        skipped.push({ operation, reason: problem });
        continue;
      }
      const summary = typeof op.summary === 'string' ? op.summary.trim() : '';
      const details = typeof op.description === 'string' ? op.description.trim() : '';
      const upper = method.toUpperCase();
      const readOnly = upper === 'GET' || upper === 'HEAD' || upper === 'OPTIONS';
      tools.push({
        name: toolName(method, path, op.operationId, options.namePrefix),
        ...(summary ? { displayName: summary.slice(0, 255) } : {}),
        ...(summary || details ? { description: [summary, details].filter(Boolean).join('\n\n').slice(0, 8192) } : {}),
        integrationType: 'REST',
        requestType: upper,
        url,
        inputSchema: { type: 'object', properties, ...(required.length ? { required: [...new Set(required)] } : {}) },
        argumentMapping: mapping,
        annotations: {
          ...(summary ? { title: summary.slice(0, 255) } : {}),
          readOnlyHint: readOnly,
          destructiveHint: upper === 'DELETE',
          idempotentHint: readOnly || upper === 'PUT' || upper === 'DELETE',
          openWorldHint: true,
        },
        operation,
      });
    }
  }
  return { tools, skipped, urlTooLong };
}
