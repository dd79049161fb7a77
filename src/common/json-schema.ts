import Ajv, { AnySchema, ErrorObject, ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ValidationError } from './errors/domain-error';

export type JsonSchema = Record<string, unknown>;

const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_2019 = 'https://json-schema.org/draft/2019-09/schema';

function build<T extends Ajv>(ajv: T): T {
  addFormats(ajv);
  return ajv;
}

/**
 * JSON Schema handling with ajv: checks that a schema is itself valid (against its `$schema` dialect,
 * draft-07 by default, 2019-09 and 2020-12 supported) and validates data against it with a compiled-validator cache.
 */
export class JsonSchemaValidator {
  // Non-strict: MCP servers ship schemas with vendor keywords (`x-...`, `example`); they are ignored, not rejected.
  private readonly draft7 = build(new Ajv({ strict: false, allErrors: true, validateSchema: true }));
  private readonly draft2019 = build(new Ajv2019({ strict: false, allErrors: true }));
  private readonly draft2020 = build(new Ajv2020({ strict: false, allErrors: true }));
  private readonly cache = new Map<string, ValidateFunction>();
  private static readonly MAX_CACHE = 2000;

  private engine(schema: JsonSchema): Ajv {
    const dialect = typeof schema.$schema === 'string' ? schema.$schema.replace(/#$/, '') : undefined;
    if (dialect === DRAFT_2020) return this.draft2020;
    if (dialect === DRAFT_2019) return this.draft2019;
    return this.draft7;
  }

  /** Throws a 422 `ValidationError` naming `field` and the first problems when `schema` is not a valid JSON Schema. */
  assertValidSchema(field: string, schema: unknown, options: { requireObjectType?: boolean } = {}): void {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new ValidationError(field, 'must be a JSON Schema object');
    }
    const s = schema as JsonSchema;
    if (typeof s.$schema === 'string' && ![DRAFT_2020, DRAFT_2019].includes(s.$schema.replace(/#$/, '')) && !/draft-0[4-7]\/schema/.test(s.$schema)) {
      throw new ValidationError(`${field}.$schema`, `unsupported JSON Schema dialect '${s.$schema}'`);
    }
    if (options.requireObjectType && s.type !== 'object') {
      throw new ValidationError(`${field}.type`, `must be "object" (MCP tool schemas describe an arguments object)`);
    }
    const ajv = this.engine(s);
    const { $schema: _ignored, ...withoutDialect } = s;
    if (!ajv.validateSchema(s.$schema ? s : withoutDialect)) {
      throw new ValidationError(field, `is not a valid JSON Schema: ${describe(ajv.errors ?? [], field)}`);
    }
    try {
      this.compile(s);
    } catch (err) {
      throw new ValidationError(field, `is not a usable JSON Schema: ${(err as Error).message}`);
    }
  }

  /** Validates `data`; returns `null` when valid, else a message naming each bad path (e.g. `/query: must be string`). */
  validate(schema: JsonSchema, data: unknown): string | null {
    return this.check(schema, data)?.message ?? null;
  }

  /** Like `validate`, with the JSON pointer of the first failing value too (a missing or extra property included). */
  check(schema: JsonSchema, data: unknown): { message: string; path: string } | null {
    const fn = this.compile(schema);
    if (fn(data)) return null;
    const errors = fn.errors ?? [];
    return { message: describe(errors, ''), path: errors.length ? pointer(errors[0]) : '' };
  }

  private compile(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.engine(schema).compile(schema as AnySchema);
      if (this.cache.size >= JsonSchemaValidator.MAX_CACHE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, fn);
    }
    return fn;
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
