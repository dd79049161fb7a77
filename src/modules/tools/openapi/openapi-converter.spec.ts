import { MAX_TOOL_URL_LENGTH } from '../tool.model';
import { convertOpenApi, openApiVersion, toJsonSchema, toolName } from './openapi-converter';

describe('openapi-converter', () => {
  it('recognises the OpenAPI families', () => {
    expect(openApiVersion({ swagger: '2.0' })).toEqual({ version: '2.0' });
    expect(openApiVersion({ openapi: '3.0.3' })).toEqual({ version: '3.0' });
    expect(openApiVersion({ openapi: '3.1.0' })).toEqual({ version: '3.1' });
    expect(openApiVersion({ openapi: '4.0.0' })).toEqual({ error: expect.stringMatching(/unsupported/) });
    expect(openApiVersion([])).toEqual({ error: expect.any(String) });
  });

  it('names tools after operationId, else method and path, always valid', () => {
    expect(toolName('get', '/pets/{id}', 'showPet')).toBe('showPet');
    expect(toolName('get', '/pets/{id}/photos', undefined)).toBe('get_pets_id_photos');
    expect(toolName('post', '/', undefined, 'api.')).toBe('api.post_root');
    expect(toolName('get', '/x', 'list pets (v2)!')).toBe('list_pets_v2_');
    expect(toolName('get', '/x', '-dash')).toBe('_-dash');
  });

  it('turns OpenAPI schemas into JSON Schema', () => {
    expect(toJsonSchema({ type: 'string', nullable: true, example: 'x', 'x-foo': 1, xml: {} })).toEqual({ type: ['string', 'null'] });
    const node: Record<string, unknown> = { type: 'object' };
    node.properties = { self: node, n: { type: 'integer', readOnly: true } };
    expect(toJsonSchema(node)).toEqual({ type: 'object', properties: { self: {}, n: { type: 'integer' } } });
    expect(toJsonSchema({ $ref: '#/x' })).toEqual({});
  });

  it('converts operations: parameters, object and non-object bodies, path-level parameters, annotations', () => {
    const doc = {
      openapi: '3.0.0',
      servers: [{ url: 'https://{region}.api.test/v1', variables: { region: { default: 'eu' } } }],
      paths: {
        '/things/{id}': {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          get: { operationId: 'getThing', summary: 'Get', parameters: [{ name: 'fields', in: 'query', schema: { type: 'string' } }, { name: 'sid', in: 'cookie' }] },
          put: { requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } } } } } },
          post: { operationId: 'bulk', requestBody: { required: true, content: { 'application/json': { schema: { type: 'array' } } } } },
          patch: { operationId: 'upload', requestBody: { required: true, content: { 'multipart/form-data': { schema: {} } } } },
          delete: { operationId: 'dropThing', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }] },
        },
      },
    };
    const { tools, skipped } = convertOpenApi(doc);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.getThing).toMatchObject({
      url: 'https://eu.api.test/v1/things/{id}',
      requestType: 'GET',
      displayName: 'Get',
      argumentMapping: { id: 'path', fields: 'query' },
      inputSchema: { type: 'object', properties: { id: { type: 'string' }, fields: { type: 'string' } }, required: ['id'] },
      annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
    });
    expect(byName.put_things_id).toMatchObject({ argumentMapping: { id: 'path', a: 'body' }, inputSchema: { required: ['id', 'a'] }, annotations: { idempotentHint: true } });
    expect(byName.bulk).toMatchObject({ argumentMapping: { id: 'path', body: 'bodyRoot' }, inputSchema: { required: ['id', 'body'] } });
    expect(byName.dropThing.inputSchema.properties).toEqual({ id: { type: 'integer' } }); // operation overrides path-level
    expect(byName.dropThing.annotations.destructiveHint).toBe(true);
    expect(skipped).toEqual([{ operation: 'PATCH /things/{id}', reason: 'the request body is not JSON' }]);
  });

  it('resolves relative servers against the document URL, honours baseUrl and filters by tag', () => {
    const doc = { openapi: '3.1.0', servers: [{ url: '/api' }], paths: { '/a': { get: { tags: ['x'] } }, '/b': { get: { tags: ['y'] } } } };
    expect(convertOpenApi(doc, { documentUrl: 'http://h.test/spec/openapi.json' }).tools.map((t) => t.url)).toEqual(['http://h.test/api/a', 'http://h.test/api/b']);
    expect(convertOpenApi(doc, { baseUrl: 'https://o.test/', tags: ['y'] }).tools.map((t) => t.url)).toEqual(['https://o.test/b']);
    expect(() => convertOpenApi(doc)).toThrow(/baseUrl/);
  });

  it('skips and reports an operation whose URL would not fit in a tool url (2048 characters)', () => {
    const baseUrl = `https://o.test/${'b'.repeat(MAX_TOOL_URL_LENGTH - 'https://o.test/'.length - 10)}`;
    const doc = { openapi: '3.0.0', paths: { '/short': { get: {} }, [`/${'p'.repeat(20)}`]: { get: { operationId: 'long' } }, '/nine-char': { get: {} } } };
    const { tools, skipped, urlTooLong } = convertOpenApi(doc, { baseUrl });
    expect(tools.map((t) => [t.name, t.url.length])).toEqual([
      ['get_short', baseUrl.length + 6],
      ['get_nine_char', MAX_TOOL_URL_LENGTH],
    ]);
    expect(skipped).toEqual([{ operation: `GET /${'p'.repeat(20)}`, reason: `its URL (base URL + path) would be ${baseUrl.length + 21} characters, over the 2048 a tool URL may have` }]);
    expect(urlTooLong).toBe(1);
  });

  it('converts Swagger 2.0 parameters and body', () => {
    const doc = {
      swagger: '2.0',
      host: 'h.test',
      basePath: '/v2',
      schemes: ['http'],
      paths: {
        '/o/{id}': {
          post: {
            operationId: 'o',
            parameters: [
              { name: 'id', in: 'path', required: true, type: 'integer', format: 'int64' },
              { name: 'X-Req', in: 'header', type: 'string' },
              { name: 'payload', in: 'body', required: true, schema: { type: 'object', properties: { id: { type: 'string' } } } },
            ],
          },
        },
      },
    };
    const [t] = convertOpenApi(doc).tools;
    expect(t).toMatchObject({ url: 'http://h.test/v2/o/{id}', argumentMapping: { id: 'path', 'X-Req': 'header', body: 'bodyRoot' } });
    expect(t.inputSchema.properties).toEqual({ id: { type: 'integer', format: 'int64' }, 'X-Req': { type: 'string' }, body: { type: 'object', properties: { id: { type: 'string' } } } });
  });
});
