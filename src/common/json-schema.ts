import Ajv, { AnySchema, ErrorObject, Options, ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { DomainError, ErrorCode, ValidationError } from './errors/domain-error';

export type JsonSchema = Record<string, unknown>;

type Engine = 'draft04' | 'draft07' | 'draft2019' | 'draft2020';

/** The `$schema` values understood (http or https, with or without the trailing `#`), their meta-schema and engine. */
const DIALECTS: Array<{ pattern: RegExp; meta: string; engine: Engine }> = [
  { pattern: /^https?:\/\/json-schema\.org\/draft-04\/schema#?$/, meta: 'http://json-schema.org/draft-04/schema#', engine: 'draft04' },
  { pattern: /^https?:\/\/json-schema\.org\/draft-06\/schema#?$/, meta: 'http://json-schema.org/draft-06/schema#', engine: 'draft07' },
  { pattern: /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/, meta: 'http://json-schema.org/draft-07/schema#', engine: 'draft07' },
  { pattern: /^https?:\/\/json-schema\.org\/draft\/2019-09\/schema#?$/, meta: 'https://json-schema.org/draft/2019-09/schema', engine: 'draft2019' },
  { pattern: /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/, meta: 'https://json-schema.org/draft/2020-12/schema', engine: 'draft2020' },
];

/** `null`: no `$schema` (draft-07 is assumed); `undefined`: a `$schema` that names no supported dialect. */
function dialectOf(schema: JsonSchema): (typeof DIALECTS)[number] | null | undefined {
  if (schema.$schema === undefined) return null;
  return typeof schema.$schema === 'string' ? DIALECTS.find((d) => d.pattern.test(schema.$schema as string)) : undefined;
}

/**
 * Options of every engine. Non-strict: MCP servers ship schemas with vendor keywords (`x-...`, `example`); they are
 * ignored, not rejected. `addUsedSchema: false`: a compiled schema's `$id` is not registered in the engine, so two
 * tools may use the same `$id` (or one tool keep its `$id` across edits) without "schema ... already exists".
 * `validateSchema: false`: schemas are checked explicitly by `assertValidSchema`, with errors that name the field.
 */
const OPTIONS: Options = { strict: false, allErrors: true, addUsedSchema: false, validateSchema: false };

function build<T extends Ajv>(ajv: T): T {
  addFormats(ajv);
  return ajv;
}

interface Compiled {
  fn: ValidateFunction;
  engine: Ajv;
  /** The object ajv compiled (its internal cache is keyed by this object). */
  schema: JsonSchema;
  /** Names of nested `$id`s the compilation registered in the engine, dropped again on eviction. */
  refs: string[];
}

/**
 * JSON Schema handling with ajv: checks that a schema is itself valid (against its `$schema` dialect: draft-04,
 * draft-06, draft-07 (the default), 2019-09 and 2020-12) and validates data against it. Compiled validators are kept
 * in a bounded LRU; an evicted one is also removed from ajv's own cache, so memory stays bounded however many
 * different schemas pass through.
 */
export class JsonSchemaValidator {
  private readonly engines: Record<Engine, Ajv> = {
    draft04: build(new AjvDraft04(OPTIONS) as unknown as Ajv),
    draft07: build(new Ajv(OPTIONS)).addMetaSchema(draft06MetaSchema),
    draft2019: build(new Ajv2019(OPTIONS)),
    draft2020: build(new Ajv2020(OPTIONS)),
  };
  private readonly cache = new Map<string, Compiled>();

  constructor(private readonly maxCached = 2000) {}

  /** Number of compiled validators held (for tests and diagnostics). */
  get cachedCount(): number {
    return this.cache.size;
  }

  private engine(schema: JsonSchema): Ajv {
    return this.engines[dialectOf(schema)?.engine ?? 'draft07'];
  }

  /** Throws a 422 `ValidationError` naming `field` and the first problems when `schema` is not a valid JSON Schema. */
  assertValidSchema(field: string, schema: unknown, options: { requireObjectType?: boolean } = {}): void {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new ValidationError(field, 'must be a JSON Schema object');
    }
    const s = schema as JsonSchema;
    const dialect = dialectOf(s);
    if (dialect === undefined) {
      throw new ValidationError(
        `${field}.$schema`,
        `unsupported JSON Schema dialect '${String(s.$schema)}' (supported: draft-04, draft-06, draft-07, 2019-09, 2020-12)`,
      );
    }
    if (options.requireObjectType && s.type !== 'object') {
      throw new ValidationError(`${field}.type`, `must be "object" (MCP tool schemas describe an arguments object)`);
    }
    const ajv = this.engine(s);
    // Checked against the dialect's meta-schema under its canonical id (an https or `#`-less spelling names the same).
    const { $schema: _given, ...rest } = s;
    if (!ajv.validateSchema(dialect ? { ...rest, $schema: dialect.meta } : rest)) {
      throw new ValidationError(field, `is not a valid JSON Schema: ${describe(ajv.errors ?? [], field)}`);
    }
    try {
      this.compile(s);
    } catch (err) {
      throw new ValidationError(field, `is not a usable JSON Schema: ${(err as Error).message}`);
    }
  }

  /**
   * Validates `data`; returns `null` when valid, else a message naming each bad path (e.g. `/query: must be string`).
   * A stored schema that cannot be compiled raises a `DomainError` naming `owner` (e.g. "Tool 'x' inputSchema").
   */
  validate(schema: JsonSchema, data: unknown, owner = 'The schema'): string | null {
    return this.check(schema, data, owner)?.message ?? null;
  }

  /** Like `validate`, with the JSON pointer of the first failing value too (a missing or extra property included). */
  check(schema: JsonSchema, data: unknown, owner = 'The schema'): { message: string; path: string } | null {
    let fn: ValidateFunction;
    try {
      fn = this.compile(schema);
    } catch (err) {
      throw new DomainError(ErrorCode.Unavailable, `${owner} is not a usable JSON Schema: ${(err as Error).message}`, { reason: 'unusable-schema' });
    }
    if (fn(data)) return null;
    const errors = fn.errors ?? [];
    return { message: describe(errors, ''), path: errors.length ? pointer(errors[0]) : '' };
  }

  private compile(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    const hit = this.cache.get(key);
    if (hit) {
      // Least recently used goes first: move a hit to the end.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.fn;
    }
    const engine = this.engine(schema);
    const target = this.withoutReservedId(engine, schema);
    const before = new Set(Object.keys(engine.refs));
    let fn: ValidateFunction;
    try {
      fn = engine.compile(target as AnySchema);
    } catch (err) {
      this.release({ engine, schema: target, refs: Object.keys(engine.refs).filter((r) => !before.has(r)) });
      throw err;
    }
    const refs = Object.keys(engine.refs).filter((r) => !before.has(r));
    if (this.cache.size >= this.maxCached) {
      const [oldestKey, oldest] = this.cache.entries().next().value!;
      this.cache.delete(oldestKey);
      this.release(oldest);
    }
    this.cache.set(key, { fn, engine, schema: target, refs });
    return fn;
  }

  /**
   * A schema whose root id names one of the engine's own schemas (its meta-schemas) is compiled without that id:
   * removing it from ajv's cache later would otherwise drop the meta-schema too.
   */
  private withoutReservedId(engine: Ajv, schema: JsonSchema): JsonSchema {
    const idKey = engine.opts.schemaId;
    const id = schema[idKey];
    if (typeof id !== 'string') return schema;
    const normalized = id.replace(/#$/, '');
    if (!engine.schemas[normalized] && !engine.refs[normalized] && !engine.schemas[id] && !engine.refs[id]) return schema;
    const { [idKey]: _reserved, ...rest } = schema;
    return rest;
  }

  /** Forgets a compiled schema in its engine: the cache entry and the nested `$id`s it registered. */
  private release(entry: Pick<Compiled, 'engine' | 'schema' | 'refs'>): void {
    entry.engine.removeSchema(entry.schema);
    for (const ref of entry.refs) delete entry.engine.refs[ref];
  }
}

function describe(errors: ErrorObject[], prefix: string): string {
  return errors
    .slice(0, 5)
    .map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
      const path = `${prefix}${e.instancePath}` || '(root)';
      return `${path}: ${e.message}${extra}`;
    })
    .join('; ');
}

/** The JSON pointer an error is about: ajv's instancePath, plus the property a `required`/`additionalProperties` error names. */
function pointer(e: ErrorObject): string {
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  const child = e.keyword === 'required' ? params.missingProperty : e.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  return child === undefined ? e.instancePath : `${e.instancePath}/${child.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Process-wide instance: compiled validators are cached and shared. */
export const jsonSchemas = new JsonSchemaValidator();
