import type Ajv from 'ajv';
import { DomainError, ErrorCode, ValidationError } from './errors/domain-error';
import { JsonSchemaValidator } from './json-schema';

/** ajv's own compiled-schema cache and registered refs of every engine of a validator (white-box, for memory checks). */
function ajvState(v: JsonSchemaValidator): { cached: number; refs: number } {
  const engines = Object.values((v as unknown as { engines: Record<string, Ajv> }).engines);
  return {
    cached: engines.reduce((n, e) => n + (e as unknown as { _cache: Map<unknown, unknown> })._cache.size, 0),
    refs: engines.reduce((n, e) => n + Object.keys(e.refs).length, 0),
  };
}

describe('JsonSchemaValidator', () => {
  const v = new JsonSchemaValidator();

  it('accepts draft-07 and 2020-12 schemas, including $defs, refs and vendor keywords', () => {
    expect(() => v.assertValidSchema('s', { type: 'object', properties: { a: { type: 'string', 'x-ui': 'wide' } } })).not.toThrow();
    expect(() =>
      v.assertValidSchema('s', {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: { name: { type: 'string' } },
        properties: { n: { $ref: '#/$defs/name' } },
        additionalProperties: false,
      }),
    ).not.toThrow();
  });

  it.each([
    [{ type: 'object', properties: { a: { type: 'wat' } } }, /properties\/a\/type/],
    [{ type: 'object', required: 'a' }, /required/],
    [{ type: 'object', properties: { a: { $ref: '#/nowhere' } } }, /not a usable JSON Schema/],
    [{ $schema: 'http://example.com/mine', type: 'object' }, /^inputSchema\.\$schema: unsupported JSON Schema dialect 'http:\/\/example.com\/mine'/],
    [{ $schema: 42, type: 'object' }, /^inputSchema\.\$schema: unsupported JSON Schema dialect/],
    [{ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { n: { minimum: 'x' } } }, /properties\/n\/minimum/],
    [[], /must be a JSON Schema object/],
  ])('rejects an invalid schema %p with a message naming the problem', (schema, message) => {
    expect(() => v.assertValidSchema('inputSchema', schema)).toThrow(ValidationError);
    expect(() => v.assertValidSchema('inputSchema', schema)).toThrow(message);
  });

  it('can require an object schema (MCP tool arguments)', () => {
    expect(() => v.assertValidSchema('inputSchema', { type: 'array' }, { requireObjectType: true })).toThrow(/inputSchema.type: must be "object"/);
  });

  it('validates data and names the path of each bad field', () => {
    const schema = { type: 'object', properties: { q: { type: 'string' }, n: { type: 'integer', minimum: 1 } }, required: ['q'] };
    expect(v.validate(schema, { q: 'x', n: 2 })).toBeNull();
    expect(v.validate(schema, { n: 0 })).toMatch(/\(root\): must have required property 'q'/);
    expect(v.validate(schema, { q: 1 })).toMatch(/\/q: must be string/);
  });

  it('accepts two different schemas with the same $id, and an edit that keeps the $id (nothing registered globally)', () => {
    const v = new JsonSchemaValidator();
    const a = { $id: 'https://example.com/args.json', type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    const b = { $id: 'https://example.com/args.json', type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    expect(() => v.assertValidSchema('inputSchema', a)).not.toThrow();
    expect(() => v.assertValidSchema('inputSchema', b)).not.toThrow();
    expect(v.validate(a, { q: 'x' })).toBeNull();
    expect(v.validate(b, { q: 'x' })).toMatch(/must have required property 'n'/);
    // The same tool edited, keeping its $id (and a nested $id).
    const edited = { ...a, properties: { q: { $id: 'https://example.com/q.json', type: 'string', maxLength: 2 } } };
    const again = { ...edited, properties: { q: { $id: 'https://example.com/q.json', type: 'string', maxLength: 5 } } };
    expect(() => v.assertValidSchema('inputSchema', edited)).not.toThrow();
    expect(() => v.assertValidSchema('inputSchema', again)).not.toThrow();
    expect(v.validate(edited, { q: 'abc' })).toMatch(/\/q: must NOT have more than 2 characters/);
    expect(v.validate(again, { q: 'abc' })).toBeNull();
  });

  it('keeps a bounded number of compiled schemas, in its own cache and in ajv\'s', () => {
    const v = new JsonSchemaValidator(10);
    const baseline = ajvState(v);
    for (let i = 0; i < 60; i++) {
      const schema = { $id: `https://example.com/s${i}.json`, type: 'object', properties: { [`p${i}`]: { $id: `https://example.com/p${i}.json`, type: 'string' } } };
      expect(v.validate(schema, { [`p${i}`]: 'ok' })).toBeNull();
    }
    expect(v.cachedCount).toBe(10);
    const after = ajvState(v);
    expect(after.cached - baseline.cached).toBe(10);
    expect(after.refs - baseline.refs).toBeLessThanOrEqual(10);
  });

  it('keeps the most recently used validators when it evicts', () => {
    const v = new JsonSchemaValidator(2);
    const s = (n: number) => ({ type: 'object', properties: { [`k${n}`]: { type: 'number' } } });
    v.validate(s(1), {});
    v.validate(s(2), {});
    v.validate(s(1), {});
    v.validate(s(3), {});
    const keys = [...(v as unknown as { cache: Map<string, unknown> }).cache.keys()];
    expect(keys).toEqual([JSON.stringify(s(1)), JSON.stringify(s(3))]);
  });

  it('compiles a schema that claims a meta-schema id without breaking that meta-schema when it is evicted', () => {
    const v = new JsonSchemaValidator(1);
    expect(v.validate({ $id: 'http://json-schema.org/draft-07/schema#', type: 'object' }, {})).toBeNull();
    expect(v.validate({ type: 'string' }, 'x')).toBeNull();
    expect(() => v.assertValidSchema('inputSchema', { type: 'object', properties: { a: { type: 'wat' } } })).toThrow(/properties\/a\/type/);
    expect(() => v.assertValidSchema('inputSchema', { type: 'object' })).not.toThrow();
  });

  it('supports draft-04 with its own semantics (boolean exclusiveMinimum, id)', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: 'https://example.com/d4.json',
      type: 'object',
      properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true } },
      required: ['n'],
    };
    expect(() => v.assertValidSchema('inputSchema', schema, { requireObjectType: true })).not.toThrow();
    expect(v.validate(schema, { n: 1 })).toBeNull();
    expect(v.validate(schema, { n: 0 })).toMatch(/\/n: must be > 0/);
  });

  it('supports draft-06 and the https or #-less spellings of every dialect', () => {
    const d6 = { $schema: 'http://json-schema.org/draft-06/schema#', type: 'object', propertyNames: { pattern: '^[a-z]+$' }, properties: { c: { const: 1 } } };
    expect(() => v.assertValidSchema('inputSchema', d6)).not.toThrow();
    expect(v.validate(d6, { c: 1 })).toBeNull();
    expect(v.validate(d6, { C: 1 })).toMatch(/property name must be valid/);
    for (const $schema of ['https://json-schema.org/draft-07/schema', 'http://json-schema.org/draft/2020-12/schema#', 'https://json-schema.org/draft-04/schema']) {
      expect(() => v.assertValidSchema('inputSchema', { $schema, type: 'object' })).not.toThrow();
    }
  });

  it('names the owner when a stored schema cannot be compiled at validation time', () => {
    const broken = { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } };
    let error: unknown;
    try {
      v.validate(broken, { a: 1 }, "Tool 'weather' inputSchema");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.Unavailable);
    expect((error as DomainError).message).toMatch(/^Tool 'weather' inputSchema is not a usable JSON Schema: can't resolve reference #\/definitions\/missing/);
  });
});
