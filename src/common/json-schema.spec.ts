import { ValidationError } from './errors/domain-error';
import { JsonSchemaValidator } from './json-schema';

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
    [{ $schema: 'http://example.com/mine', type: 'object' }, /unsupported JSON Schema dialect/],
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
});
