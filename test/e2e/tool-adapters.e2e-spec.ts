import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import request from 'supertest';
import { startGateway, type TestGateway } from '../support/gateway';
import { closedPort, type HttpUpstream, type RecordedRequest, startHttpUpstream } from '../support/http-upstream';
import { connectMcp, firstText } from '../support/mcp';

type CallResult = { content: Array<{ type: string; text: string }>; isError?: boolean; structuredContent?: Record<string, unknown> };

/** A petstore-like OpenAPI 3.0 document written for this test; its server URL is relative to where it is served. */
const PETSTORE = {
  openapi: '3.0.3',
  info: { title: 'Petstore', version: '1.0.0' },
  servers: [{ url: '/api' }],
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        summary: 'List all pets',
        tags: ['pets'],
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', maximum: 100 } },
          { name: 'X-Trace-Id', in: 'header', required: false, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'pets', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } } } } },
      },
      post: {
        operationId: 'createPet',
        summary: 'Create a pet',
        tags: ['pets'],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } } },
        responses: { '201': { description: 'created' } },
      },
    },
    '/pets/{petId}': {
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: 'showPetById', tags: ['pets'], responses: { '200': { description: 'a pet' } } },
      delete: { tags: ['admin'], responses: { '204': { description: 'deleted' } } },
    },
    '/pets/{petId}/photos': {
      put: {
        operationId: 'replacePhotos',
        tags: ['pets'],
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', items: { type: 'string' } } } } },
        responses: { '200': { description: 'ok' } },
      },
    },
  },
  components: {
    schemas: {
      NewPet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tag: { type: 'string', nullable: true } } },
      Pet: { allOf: [{ $ref: '#/components/schemas/NewPet' }, { type: 'object', properties: { id: { type: 'integer' } } }] },
    },
  },
};

/** A Swagger 2.0 document whose operations point at `host` (the test server, or a name for dry runs). */
const swagger2For = (host: string, scheme = 'http') => `
swagger: "2.0"
info: { title: Store, version: "1" }
host: ${host}
basePath: /v2
schemes: [${scheme}]
paths:
  /orders/{orderId}:
    get:
      operationId: getOrder
      parameters:
        - { name: orderId, in: path, required: true, type: integer }
        - { name: verbose, in: query, type: boolean }
        - { name: X-Store, in: header, type: string }
      responses: { "200": { description: ok } }
    delete:
      operationId: cancelOrder
      parameters:
        - { name: orderId, in: path, required: true, type: integer }
        - { name: reason, in: query, type: string }
      responses: { "204": { description: cancelled } }
  /orders:
    post:
      operationId: placeOrder
      parameters:
        - { name: dryRun, in: query, type: boolean }
        - in: body
          name: order
          required: true
          schema: { $ref: "#/definitions/Order" }
      responses: { "200": { description: ok } }
definitions:
  Order:
    type: object
    required: [quantity]
    properties: { quantity: { type: integer, minimum: 1 }, note: { type: string } }
`;

const JSON_HEADERS = { 'content-type': 'application/json' };
/** OPENAPI_MAX_SPEC_BYTES of the gateway under test: the documents above fit, a padded one does not. */
const SPEC_LIMIT = 16 * 1024;

describe('Tool adapters: REST tools and OpenAPI import', () => {
  let gw: TestGateway;
  let api: HttpUpstream;
  let client: Client | undefined;
  /** Calls a tool through the shared SDK client (connected on first use, so any test can run alone). */
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    client ??= await connectMcp(`${gw.url}/mcp`);
    return (await client.callTool({ name, arguments: args })) as CallResult;
  };
  const createTool = (body: Record<string, unknown>) => request(gw.url).post('/tools').send(body);
  /** Requests the upstream received on `path` since `from`. */
  const seen = (path: string, from = 0): RecordedRequest[] => api.requests.slice(from).filter((r) => r.path === path);

  beforeAll(async () => {
    let flaky = 0;
    let failThenHang = 0;
    api = await startHttpUpstream(async (req, res) => {
      if (req.path === '/openapi.json') {
        res.writeHead(200, JSON_HEADERS);
        return void res.end(JSON.stringify(PETSTORE));
      }
      if (req.path === '/flaky') {
        flaky++;
        if (flaky === 1) {
          res.writeHead(503, { 'retry-after': '1' });
          return void res.end('warming up');
        }
        if (flaky === 2) {
          res.writeHead(429, { 'retry-after': new Date(Date.now() + 1000).toUTCString() });
          return void res.end('slow down');
        }
        res.writeHead(200, JSON_HEADERS);
        return void res.end(JSON.stringify({ ok: true, attempts: flaky }));
      }
      if (req.path === '/busy') {
        res.writeHead(429, { 'retry-after': req.query.after ?? '60' });
        return void res.end('come back later');
      }
      if (req.path === '/fail-then-hang') {
        if (failThenHang++ === 0) {
          res.writeHead(503, { 'retry-after': '0' });
          return void res.end('restarting');
        }
        await new Promise((r) => setTimeout(r, 5000).unref());
        res.writeHead(200, JSON_HEADERS);
        return void res.end('{}');
      }
      if (req.path === '/down') {
        res.writeHead(503, { 'retry-after': '0' });
        return void res.end('still down');
      }
      if (req.path === '/slow') {
        await new Promise((r) => setTimeout(r, 5000).unref());
        res.writeHead(200, JSON_HEADERS);
        return void res.end('{}');
      }
      if (req.path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('x'.repeat(50_000));
      }
      if (req.path === '/weather') {
        res.writeHead(200, JSON_HEADERS);
        return void res.end(JSON.stringify({ temperature: 21.5, unit: 'C', station: { id: 'DUB', name: 'Dublin' } }));
      }
      if (req.path === '/inventory') {
        res.writeHead(200, JSON_HEADERS);
        return void res.end(JSON.stringify({ items: [{ name: 'apple', qty: 3 }, { name: 'pear', qty: 0 }], meta: { total: 2 } }));
      }
      if (req.path === '/nocontent') {
        res.writeHead(204);
        return void res.end();
      }
      if (req.path === '/plain') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('sunny, 21.5 C');
      }
      if (req.path === '/missing') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return void res.end(`no such pet ${'!'.repeat(2000)}`);
      }
      // Default: echo what arrived.
      let body: unknown = null;
      try {
        body = req.body ? JSON.parse(req.body) : null;
      } catch {
        body = req.body;
      }
      res.writeHead(req.method === 'POST' ? 201 : 200, JSON_HEADERS);
      res.end(JSON.stringify({ method: req.method, path: req.path, query: req.query, body }));
    });
    gw = await startGateway({ REST_TOOL_RETRY_BASE_MS: '20', REST_TOOL_RETRY_MAX_DELAY: '3', REST_TOOL_MAX_RETRIES: '2', OPENAPI_MAX_SPEC_BYTES: String(SPEC_LIMIT) });
  });
  afterAll(async () => {
    await client?.close();
    await gw?.close();
    await api?.close();
  });

  describe('OpenAPI import', () => {
    it('lists the tools of a dry run and creates nothing', async () => {
      const res = await request(gw.url).post('/tools/import/openapi').send({ url: `${api.url}/openapi.json`, dryRun: true }).expect(200);
      expect(res.body.dryRun).toBe(true);
      expect(res.body.openapi).toBe('3.0');
      expect(res.body.tools.map((t: { name: string }) => t.name).sort()).toEqual(['createPet', 'delete_pets_petId', 'listPets', 'replacePhotos', 'showPetById']);
      const list = res.body.tools.find((t: { name: string }) => t.name === 'listPets');
      expect(list).toMatchObject({
        requestType: 'GET',
        url: `${api.url}/api/pets`,
        argumentMapping: { limit: 'query', 'X-Trace-Id': 'header' },
        inputSchema: { type: 'object', properties: { limit: { type: 'integer', maximum: 100 }, 'X-Trace-Id': { type: 'string' } } },
        annotations: { readOnlyHint: true, title: 'List all pets' },
      });
      const create = res.body.tools.find((t: { name: string }) => t.name === 'createPet');
      expect(create.inputSchema).toEqual({ type: 'object', properties: { name: { type: 'string' }, tag: { type: ['string', 'null'] } }, required: ['name'] });
      expect((await request(gw.url).get('/tools').expect(200)).body).toEqual([]);
    });

    it('imports the petstore in one request; the tools call the API with the right method, path, query, headers and body', async () => {
      const res = await request(gw.url).post('/tools/import/openapi').send({ url: `${api.url}/openapi.json`, tags: ['pets'], toolTags: ['petstore'] }).expect(200);
      expect(res.body.tools).toHaveLength(4); // the admin-tagged DELETE is filtered out
      expect(res.body.importBatchId).toMatch(/^[0-9a-f]{32}$/);
      expect(res.body.tools[0]).toMatchObject({ importBatchId: res.body.importBatchId, createdVia: 'import', tags: ['petstore'], integrationType: 'REST' });
      client ??= await connectMcp(`${gw.url}/mcp`);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['listPets', 'createPet', 'showPetById', 'replacePhotos']));

      let from = api.requests.length;
      const listed = await call('listPets', { limit: 7, 'X-Trace-Id': 'trace-1' });
      expect(listed.isError).toBeFalsy();
      const [list] = seen('/api/pets', from);
      expect(list).toMatchObject({ method: 'GET', query: { limit: '7' }, body: '' });
      expect(list.headers['x-trace-id']).toBe('trace-1');

      from = api.requests.length;
      await call('createPet', { name: 'Rex', tag: 'dog' });
      const [created] = seen('/api/pets', from);
      expect(created.method).toBe('POST');
      expect(created.query).toEqual({});
      expect(JSON.parse(created.body)).toEqual({ name: 'Rex', tag: 'dog' });
      expect(created.headers['content-type']).toBe('application/json');

      from = api.requests.length;
      const shown = await call('showPetById', { petId: 'a b/c' });
      // Path values are percent-encoded: a `/` in a value stays inside its path segment.
      expect(JSON.parse(firstText(shown))).toMatchObject({ method: 'GET', path: '/api/pets/a%20b%2Fc' });
      expect(api.requests.slice(from)[0].body).toBe('');

      from = api.requests.length;
      await call('replacePhotos', { petId: '42', body: ['one.png', 'two.png'] });
      const [photos] = seen('/api/pets/42/photos', from);
      expect(photos.method).toBe('PUT');
      expect(JSON.parse(photos.body)).toEqual(['one.png', 'two.png']);

      // Arguments are validated against the derived schema before anything is sent.
      from = api.requests.length;
      await expect(client.callTool({ name: 'listPets', arguments: { limit: 1000 } })).rejects.toThrow(/limit/);
      await expect(client.callTool({ name: 'createPet', arguments: { tag: 'cat' } })).rejects.toThrow(/name/);
      expect(api.requests.length).toBe(from);
    });

    it('refuses an import whose names are taken with 409 listing them, creating none of the others', async () => {
      const before = (await request(gw.url).get('/tools').expect(200)).body.length;
      const res = await request(gw.url).post('/tools/import/openapi').send({ url: `${api.url}/openapi.json` }).expect(409);
      expect(res.body.message).toMatch(/listPets/);
      expect(res.body.message).toMatch(/createPet/);
      expect(res.body.message).not.toMatch(/delete_pets_petId/);
      expect((await request(gw.url).get('/tools').expect(200)).body.length).toBe(before);
      // With a prefix the same document imports again, all of it.
      const prefixed = await request(gw.url).post('/tools/import/openapi').send({ url: `${api.url}/openapi.json`, namePrefix: 'v2.' }).expect(200);
      expect(prefixed.body.tools.map((t: { name: string }) => t.name)).toContain('v2.delete_pets_petId');
    });

    it('converts a Swagger 2.0 YAML document and an OpenAPI 3.1 document given inline', async () => {
      const swagger = await request(gw.url).post('/tools/import/openapi').send({ spec: swagger2For('store.example.com', 'https'), dryRun: true }).expect(200);
      expect(swagger.body.openapi).toBe('2.0');
      const byName = Object.fromEntries(swagger.body.tools.map((t: { name: string }) => [t.name, t]));
      expect(byName.getOrder).toMatchObject({
        url: 'https://store.example.com/v2/orders/{orderId}',
        requestType: 'GET',
        argumentMapping: { orderId: 'path', verbose: 'query' },
        inputSchema: { properties: { orderId: { type: 'integer' }, verbose: { type: 'boolean' } }, required: ['orderId'] },
      });
      expect(byName.placeOrder).toMatchObject({ argumentMapping: { quantity: 'body', note: 'body' }, inputSchema: { required: ['quantity'] } });

      const v31 = {
        openapi: '3.1.0',
        info: { title: 'x', version: '1' },
        paths: { '/things/{id}': { patch: { operationId: 'patchThing', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: ['string', 'null'] } }] } } },
      };
      const res = await request(gw.url).post('/tools/import/openapi').send({ spec: v31, baseUrl: 'https://api.example.com/base', dryRun: true }).expect(200);
      expect(res.body.openapi).toBe('3.1');
      expect(res.body.tools[0]).toMatchObject({ name: 'patchThing', url: 'https://api.example.com/base/things/{id}', requestType: 'PATCH' });
    });

    it('imports a Swagger 2.0 document whose tools reach the API with the right method, path, query, header and body', async () => {
      const res = await request(gw.url).post('/tools/import/openapi').send({ spec: swagger2For(new URL(api.url).host), namePrefix: 'sw2.' }).expect(200);
      expect(res.body.openapi).toBe('2.0');
      expect(res.body.tools.map((t: { name: string }) => t.name).sort()).toEqual(['sw2.cancelOrder', 'sw2.getOrder', 'sw2.placeOrder']);
      const mcp = await connectMcp(`${gw.url}/mcp`);
      try {
        let from = api.requests.length;
        const got = (await mcp.callTool({ name: 'sw2.getOrder', arguments: { orderId: 5, verbose: true, 'X-Store': 'dub' } })) as CallResult;
        expect(got.isError).toBeFalsy();
        const [get] = api.requests.slice(from);
        expect(get).toMatchObject({ method: 'GET', path: '/v2/orders/5', query: { verbose: 'true' }, body: '' });
        expect(get.headers['x-store']).toBe('dub');

        from = api.requests.length;
        await mcp.callTool({ name: 'sw2.cancelOrder', arguments: { orderId: 5, reason: 'duplicate' } });
        expect(api.requests.slice(from)[0]).toMatchObject({ method: 'DELETE', path: '/v2/orders/5', query: { reason: 'duplicate' }, body: '' });

        from = api.requests.length;
        const placed = (await mcp.callTool({ name: 'sw2.placeOrder', arguments: { quantity: 2, note: 'gift', dryRun: true } })) as CallResult;
        expect(placed.isError).toBeFalsy();
        const [post] = api.requests.slice(from);
        expect(post).toMatchObject({ method: 'POST', path: '/v2/orders', query: { dryRun: 'true' } });
        expect(JSON.parse(post.body)).toEqual({ quantity: 2, note: 'gift' });

        // The body schema's constraints came along: nothing is sent for an invalid order.
        from = api.requests.length;
        await expect(mcp.callTool({ name: 'sw2.placeOrder', arguments: { quantity: 0 } })).rejects.toThrow(/quantity/);
        expect(api.requests.length).toBe(from);
      } finally {
        await mcp.close();
      }
    });

    it('holds an inline spec to OPENAPI_MAX_SPEC_BYTES as well (413 naming spec), as an object or as text', async () => {
      const padded = { ...PETSTORE, info: { ...PETSTORE.info, description: 'x'.repeat(SPEC_LIMIT) } };
      const asObject = await request(gw.url).post('/tools/import/openapi').send({ spec: padded, dryRun: true }).expect(413);
      expect(asObject.body.message).toMatch(new RegExp(`^spec: \\d+ bytes exceeds the limit of ${SPEC_LIMIT} bytes \\(OPENAPI_MAX_SPEC_BYTES\\)$`));
      const asText = await request(gw.url).post('/tools/import/openapi').send({ spec: `${swagger2For('store.example.com', 'https')}\n# ${'y'.repeat(SPEC_LIMIT)}\n`, dryRun: true }).expect(413);
      expect(asText.body.message).toMatch(/^spec: \d+ bytes exceeds the limit/);
      // Just under the limit is fine.
      const fits = { ...PETSTORE, info: { ...PETSTORE.info, description: 'x'.repeat(SPEC_LIMIT - JSON.stringify(PETSTORE).length - 100) } };
      expect((await request(gw.url).post('/tools/import/openapi').send({ spec: fits, baseUrl: api.url, namePrefix: 'fits.', dryRun: true }).expect(200)).body.tools).toHaveLength(5);
    });

    it('answers bad import requests with 422 naming the field', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{}, /url or spec/],
        [{ spec: 'not: [valid' }, /spec/],
        [{ spec: { hello: 'world' } }, /not an OpenAPI document/],
        [{ spec: { openapi: '3.0.0', info: {}, paths: { '/a': { get: {} } } } }, /baseUrl/],
        [{ spec: { ...PETSTORE, servers: [{ url: 'https://x.example' }], paths: { '/a': { get: { parameters: [{ $ref: '#/components/parameters/nope' }] } } } } }, /\$ref/],
        [{ url: 'http://169.254.169.254/latest/openapi.json' }, /url.*SSRF/],
      ];
      for (const [body, message] of cases) {
        const res = await request(gw.url).post('/tools/import/openapi').send(body);
        expect([res.status, res.body.message]).toEqual([422, expect.stringMatching(message)]);
      }
      // Odd shapes anywhere in the document are a 4xx (or, where harmless, a successful dry run), never a 5xx.
      const server = { openapi: '3.0.0', info: {}, servers: [{ url: 'http://127.0.0.1:9' }] };
      const odd: unknown[] = [
        { spec: 5 },
        { spec: [] },
        { spec: null },
        { url: 5 },
        { spec: { ...server, paths: 5 } },
        { spec: { ...server, paths: { '/a': 5, '/b': { get: 5 } } } },
        { spec: { ...server, paths: { '/a': { get: { parameters: 'x', operationId: 5 } } } } },
        { spec: { ...server, paths: { '/a': { get: { parameters: [5, null, { in: 'query' }] } } } } },
        { spec: { ...server, paths: { '/a': { post: { requestBody: { content: { 'application/json': { schema: 5 } } } } } } } },
        { spec: { ...server, paths: { '/a': { post: { requestBody: { content: 5 } } } } } },
        { spec: { ...server, paths: { '/a': { get: { parameters: [{ $ref: 'http://127.0.0.1:9/evil.json' }] } } } } },
        { spec: { swagger: '2.0', paths: { '/a': { get: {} } } } },
        { spec: { ...server, paths: { '/a': { get: {} } } }, tags: 'x' },
        { spec: { ...server, paths: { '/a': { get: {} } } }, namePrefix: '../' },
        { spec: { ...server, paths: { '/a': { get: {} } } }, auth: [] },
        { spec: { ...server, servers: [{ url: 5 }], paths: { '/a': { get: {} } } } },
      ];
      for (const body of odd) {
        const res = await request(gw.url).post('/tools/import/openapi').send({ dryRun: true, ...(body as object) });
        expect([JSON.stringify(body), res.status < 500]).toEqual([JSON.stringify(body), true]);
      }
    });
  });

  describe('REST tools', () => {
    it('sends each argument where argumentMapping says (path, query, header, body)', async () => {
      await createTool({
        name: 'mapped',
        url: `${api.url}/items/{itemId}/notes`,
        requestType: 'POST',
        argumentMapping: { itemId: 'path', page: 'query', 'X-Tenant': 'header', note: 'body' },
        inputSchema: { type: 'object', properties: { itemId: { type: 'string' }, page: { type: 'integer' }, 'X-Tenant': { type: 'string' }, note: { type: 'string' }, extra: { type: 'string' } } },
      }).expect(200);
      const from = api.requests.length;
      await call('mapped', { itemId: 'it 1', page: 2, 'X-Tenant': 'acme', note: 'hello', extra: 'unmapped-goes-to-body' });
      const [r] = api.requests.slice(from);
      expect(r).toMatchObject({ method: 'POST', path: '/items/it%201/notes', query: { page: '2' } });
      expect(r.headers['x-tenant']).toBe('acme');
      expect(JSON.parse(r.body)).toEqual({ note: 'hello', extra: 'unmapped-goes-to-body' });
    });

    it('sends the static per-tool headers with every call', async () => {
      await createTool({ name: 'static-headers', url: `${api.url}/hdr`, requestType: 'GET', headers: { 'X-Static': 'from-tool', 'X-Api-Version': '2' } }).expect(200);
      const from = api.requests.length;
      await call('static-headers');
      await call('static-headers');
      const sent = seen('/hdr', from);
      expect(sent).toHaveLength(2);
      for (const r of sent) expect([r.headers['x-static'], r.headers['x-api-version']]).toEqual(['from-tool', '2']);
    });

    it('sends unmapped DELETE arguments in the query string, without a body', async () => {
      const inputSchema = { type: 'object', properties: { id: { type: 'string' }, force: { type: 'boolean' }, reason: { type: 'string' } } };
      await createTool({ name: 'delete-thing', url: `${api.url}/things/{id}`, requestType: 'DELETE', inputSchema }).expect(200);
      const from = api.requests.length;
      const result = await call('delete-thing', { id: '7', force: true, reason: 'no longer needed' });
      expect(result.isError).toBeFalsy();
      const [r] = seen('/things/7', from);
      expect(r).toMatchObject({ method: 'DELETE', query: { force: 'true', reason: 'no longer needed' }, body: '' });
      expect(r.headers['content-type']).toBeUndefined();
    });

    it('reuses one kept-alive upstream connection for sequential calls', async () => {
      await createTool({ name: 'keepalive', url: `${api.url}/ka`, requestType: 'GET' }).expect(200);
      const from = api.requests.length;
      await call('keepalive');
      await call('keepalive');
      const [first, second] = seen('/ka', from);
      expect(first.remotePort).toBeGreaterThan(0);
      expect(second.remotePort).toBe(first.remotePort);
      expect(second.headers.connection ?? 'keep-alive').toBe('keep-alive');
    });

    it('answers invalid arguments over /rpc with -32602 whose data.path is the JSON pointer of the failing value', async () => {
      const inputSchema = {
        type: 'object',
        properties: { limit: { type: 'integer' }, filter: { type: 'object', properties: { 'a/b': { type: 'string' } }, additionalProperties: false }, tags: { type: 'array', items: { type: 'string' } } },
        required: ['limit'],
      };
      await createTool({ name: 'typed', url: `${api.url}/typed`, requestType: 'GET', inputSchema }).expect(200);
      const from = api.requests.length;
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ limit: 'ten' }, '/limit', /^arguments: \/limit: must be integer$/],
        [{ limit: 1, tags: ['ok', 7] }, '/tags/1', /^arguments: \/tags\/1: must be string$/],
        [{ limit: 1, filter: { 'a/b': 5 } }, '/filter/a~1b', /^arguments: \/filter\/a~1b: must be string$/],
        [{ limit: 1, filter: { other: 'x' } }, '/filter/other', /^arguments: \/filter: must NOT have additional properties 'other'$/],
        [{}, '/limit', /^arguments: \(root\): must have required property 'limit'$/],
      ];
      for (const [args, path, message] of cases) {
        const res = await request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'typed', arguments: args } }).expect(200);
        expect(res.body.error).toEqual({ code: -32602, message: expect.stringMatching(message), data: { field: 'arguments', path } });
      }
      expect(api.requests.length).toBe(from);
    });

    it('refuses invalid adapter fields with 422 naming the field', async () => {
      const base = { url: `${api.url}/x/{id}`, requestType: 'GET' };
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ name: 'bad1', ...base, argumentMapping: { id: 'cookie' } }, /argumentMapping\.id/],
        [{ name: 'bad2', ...base, argumentMapping: { other: 'path' } }, /argumentMapping\.other.*placeholder/],
        [{ name: 'bad3', ...base, jsonpathFilter: '$.items[0' }, /jsonpathFilter/],
        [{ name: 'bad3b', ...base, jsonpathFilter: 'items' }, /jsonpathFilter.*\$/],
        [{ name: 'bad4', ...base, maxRetries: 99 }, /maxRetries/],
        [{ name: 'bad5', ...base, command: '/bin/echo' }, /command.*CLI/],
        [{ name: 'bad6', ...base, auth: { authType: 'query_param', queryParamValue: 'k' } }, /queryParamName/],
      ];
      for (const [body, message] of cases) {
        const res = await createTool(body);
        expect([res.status, res.body.message]).toEqual([422, expect.stringMatching(message)]);
      }
    });

    it.each([
      ['bearer', { authType: 'bearer', token: 'tok-123' }, (r: RecordedRequest) => expect(r.headers.authorization).toBe('Bearer tok-123')],
      ['basic', { authType: 'basic', username: 'ann', password: 's3cret' }, (r: RecordedRequest) => expect(r.headers.authorization).toBe(`Basic ${Buffer.from('ann:s3cret').toString('base64')}`)],
      ['authheaders', { authType: 'authheaders', authHeaderKey: 'X-Api-Key', authHeaderValue: 'k-456' }, (r: RecordedRequest) => expect(r.headers['x-api-key']).toBe('k-456')],
      ['query_param', { authType: 'query_param', queryParamName: 'api_key', queryParamValue: 'q-789' }, (r: RecordedRequest) => expect(r.query).toEqual({ api_key: 'q-789', city: 'Cork' })],
    ])('presents %s credentials upstream and never shows the secret', async (type, auth, check) => {
      const created = await createTool({ name: `auth-${type}`, url: `${api.url}/auth/${type}`, requestType: 'GET', auth, inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }).expect(200);
      expect(JSON.stringify(created.body.auth)).not.toMatch(/tok-123|s3cret|k-456|q-789/);
      expect(created.body.auth.authType).toBe(type);
      const from = api.requests.length;
      const result = await call(`auth-${type}`, { city: 'Cork' });
      expect(result.isError).toBeFalsy();
      const [r] = seen(`/auth/${type}`, from);
      check(r);
    });

    it('keeps query_param credentials to REST tools: a peer gateway refuses them with 422', async () => {
      const res = await request(gw.url)
        .post('/gateways')
        .send({ name: 'peer-q', url: `${api.url}/mcp`, auth: { authType: 'query_param', queryParamName: 'k', queryParamValue: 'v' } })
        .expect(422);
      expect(res.body.message).toMatch(/auth\.authType.*REST tools only/);
    });

    it('retries an idempotent call after 503 and 429, honouring Retry-After (seconds and HTTP date)', async () => {
      await createTool({ name: 'flaky', url: `${api.url}/flaky`, requestType: 'GET', maxRetries: 3, timeoutMs: 10_000 }).expect(200);
      const from = api.requests.length;
      const started = Date.now();
      const result = await call('flaky');
      const elapsed = Date.now() - started;
      expect(result.isError).toBeFalsy();
      expect(JSON.parse(firstText(result))).toEqual({ ok: true, attempts: 3 });
      expect(seen('/flaky', from)).toHaveLength(3);
      // Retry-After: 1 → a full second; the HTTP date (1 s resolution) adds up to another second.
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(4000);
    });

    it('gives up after maxRetries, and never retries a POST', async () => {
      await createTool({ name: 'down-get', url: `${api.url}/down`, requestType: 'GET' }).expect(200);
      await createTool({ name: 'down-post', url: `${api.url}/down`, requestType: 'POST' }).expect(200);
      let from = api.requests.length;
      const get = await call('down-get');
      expect(get.isError).toBe(true);
      expect(firstText(get)).toMatch(/HTTP 503 .*still down/);
      expect(seen('/down', from)).toHaveLength(3); // REST_TOOL_MAX_RETRIES=2 → 1 + 2 attempts
      from = api.requests.length;
      const post = await call('down-post');
      expect(firstText(post)).toMatch(/HTTP 503/);
      expect(seen('/down', from)).toHaveLength(1);
    });

    it('stops retrying when Retry-After asks for longer than REST_TOOL_RETRY_MAX_DELAY or the time left, and says so', async () => {
      await createTool({ name: 'busy-long', url: `${api.url}/busy`, requestType: 'GET', maxRetries: 3, timeoutMs: 10_000 }).expect(200);
      await createTool({ name: 'busy-short', url: `${api.url}/busy?after=2`, requestType: 'GET', maxRetries: 3, timeoutMs: 1000 }).expect(200);
      let from = api.requests.length;
      let started = Date.now();
      const long = await call('busy-long');
      expect(Date.now() - started).toBeLessThan(1000); // not retried early, after the 3 s cap
      expect([long.isError, firstText(long)]).toEqual([true, 'HTTP 429 from busy-long (Retry-After asks for 60 s, more than REST_TOOL_RETRY_MAX_DELAY (3 s): not retried): come back later']);
      expect(seen('/busy', from)).toHaveLength(1);

      from = api.requests.length;
      started = Date.now();
      const short = await call('busy-short'); // 2 s is within the cap, but not within the 1 s timeout
      expect(Date.now() - started).toBeLessThan(1000);
      expect(short.isError).toBe(true);
      expect(firstText(short)).toMatch(/^HTTP 429 from busy-short \(Retry-After asks for 2 s, more than the [\d.]+ s left before the tool's timeout: not retried\): come back later$/);
      expect(seen('/busy', from)).toHaveLength(1);
    });

    it('ends a retry sequence at the tool timeout when a retry hangs', async () => {
      await createTool({ name: 'fail-then-hang', url: `${api.url}/fail-then-hang`, requestType: 'GET', maxRetries: 3, timeoutMs: 600 }).expect(200);
      const from = api.requests.length;
      const started = Date.now();
      const result = await call('fail-then-hang');
      const elapsed = Date.now() - started;
      expect([result.isError, firstText(result)]).toEqual([true, 'Calling fail-then-hang failed: no response within 600 ms']);
      expect(seen('/fail-then-hang', from)).toHaveLength(2); // the 503, then the retry the deadline cut off
      expect(elapsed).toBeGreaterThanOrEqual(550);
      expect(elapsed).toBeLessThan(1500);
    });

    it('retries network errors and reports them as isError', async () => {
      const port = await closedPort();
      await createTool({ name: 'refused', url: `http://127.0.0.1:${port}/x`, requestType: 'GET' }).expect(200);
      const result = await call('refused');
      expect(result.isError).toBe(true);
      expect(firstText(result)).toMatch(/after 3 attempts: .*ECONNREFUSED/);
    });

    it('ends a slow call at the tool timeout with isError', async () => {
      await createTool({ name: 'slow', url: `${api.url}/slow`, requestType: 'GET', timeoutMs: 300 }).expect(200);
      const started = Date.now();
      const result = await call('slow');
      const elapsed = Date.now() - started;
      expect(result.isError).toBe(true);
      expect(firstText(result)).toMatch(/no response within 300 ms/);
      expect(elapsed).toBeLessThan(1500);
    });

    it('refuses a response over the size limit', async () => {
      await createTool({ name: 'big', url: `${api.url}/big`, requestType: 'GET', maxResponseBytes: 10_000 }).expect(200);
      const result = await call('big');
      expect(result.isError).toBe(true);
      expect(firstText(result)).toMatch(/exceeds 10000 bytes/);
    });

    it('applies jsonpathFilter to the JSON response', async () => {
      await createTool({ name: 'names', url: `${api.url}/inventory`, requestType: 'GET', jsonpathFilter: '$.items[*].name' }).expect(200);
      await createTool({ name: 'total', url: `${api.url}/inventory`, requestType: 'GET', jsonpathFilter: '$.meta.total' }).expect(200);
      await createTool({ name: 'in-stock', url: `${api.url}/inventory`, requestType: 'GET', jsonpathFilter: '$.items[?(@.qty > 0)].name' }).expect(200);
      expect(JSON.parse(firstText(await call('names')))).toEqual(['apple', 'pear']);
      expect(JSON.parse(firstText(await call('total')))).toBe(2);
      expect(JSON.parse(firstText(await call('in-stock')))).toEqual(['apple']);
    });

    it('accepts the simple jq paths of the reference gateway (.items[].name) and suggests JSONPath for other jq', async () => {
      const jq = (await createTool({ name: 'jq-names', url: `${api.url}/inventory`, requestType: 'GET', jsonpathFilter: '.items[].name' }).expect(200)).body;
      expect(jq.jsonpathFilter).toBe('.items[].name'); // kept as written
      await createTool({ name: 'jq-total', url: `${api.url}/inventory`, requestType: 'GET', jsonpath_filter: '.meta | .total' }).expect(200);
      await createTool({ name: 'jq-first', url: `${api.url}/inventory`, requestType: 'GET', jsonpathFilter: '.items[0]' }).expect(200);
      expect(JSON.parse(firstText(await call('jq-names')))).toEqual(['apple', 'pear']);
      expect(JSON.parse(firstText(await call('jq-total')))).toBe(2);
      expect(JSON.parse(firstText(await call('jq-first')))).toEqual({ name: 'apple', qty: 3 });

      const select = await createTool({ name: 'jq-select', url: `${api.url}/inventory`, requestType: 'GET', jsonpathFilter: '.items[] | select(.qty > 0) | .name' }).expect(422);
      expect(select.body.message).toMatch(/^jsonpathFilter: `.*` is jq beyond simple paths .* \(the part before it, .*, is `\$\.items\[\*\]` in JSONPath\): write JSONPath such as/);
      const bad = await request(gw.url).put(`/tools/${jq.id}`).send({ jsonpathFilter: '..name' }).expect(422);
      expect(bad.body.message).toMatch(/^jsonpathFilter: /);
      expect((await request(gw.url).get(`/tools/${jq.id}`).expect(200)).body.jsonpathFilter).toBe('.items[].name');
    });

    it('returns structuredContent for a tool with an outputSchema (validated); an empty, non-JSON or non-object body is isError', async () => {
      const outputSchema = { type: 'object', properties: { temperature: { type: 'number' }, unit: { type: 'string' } }, required: ['temperature', 'unit'] };
      await createTool({ name: 'weather', url: `${api.url}/weather`, requestType: 'GET', outputSchema }).expect(200);
      await createTool({ name: 'station', url: `${api.url}/weather`, requestType: 'GET', jsonpathFilter: '$.station', outputSchema: { type: 'object', required: ['id'] } }).expect(200);
      await createTool({ name: 'weather-wrong', url: `${api.url}/weather`, requestType: 'GET', outputSchema: { type: 'object', required: ['humidity'] } }).expect(200);
      await createTool({ name: 'weather-empty', url: `${api.url}/nocontent`, requestType: 'GET', outputSchema }).expect(200);
      await createTool({ name: 'weather-text', url: `${api.url}/plain`, requestType: 'GET', outputSchema }).expect(200);
      await createTool({ name: 'weather-list', url: `${api.url}/inventory`, requestType: 'GET', jsonpathFilter: '$.items', outputSchema }).expect(200);
      const fresh = await connectMcp(`${gw.url}/mcp`); // lists the new tools' output schemas, which the SDK client checks results against
      try {
        await fresh.listTools();
        const weather = (await fresh.callTool({ name: 'weather', arguments: {} })) as CallResult;
        expect(weather.structuredContent).toEqual({ temperature: 21.5, unit: 'C', station: { id: 'DUB', name: 'Dublin' } });
        expect(JSON.parse(weather.content[0].text)).toEqual(weather.structuredContent);
        const station = (await fresh.callTool({ name: 'station', arguments: {} })) as CallResult;
        expect(station.structuredContent).toEqual({ id: 'DUB', name: 'Dublin' });
        const wrong = (await fresh.callTool({ name: 'weather-wrong', arguments: {} })) as CallResult;
        expect(wrong.isError).toBe(true);
        expect(firstText(wrong)).toMatch(/does not match its outputSchema.*humidity/);
        // A success without structuredContent would make the SDK client throw: these are isError results instead.
        const empty = (await fresh.callTool({ name: 'weather-empty', arguments: {} })) as CallResult;
        expect([empty.isError, firstText(empty)]).toEqual([true, 'Tool weather-empty declares an outputSchema but the response (HTTP 204) has no body']);
        const text = (await fresh.callTool({ name: 'weather-text', arguments: {} })) as CallResult;
        expect([text.isError, firstText(text)]).toEqual([true, 'Tool weather-text declares an outputSchema but the response is not JSON (text/plain): sunny, 21.5 C']);
        const list = (await fresh.callTool({ name: 'weather-list', arguments: {} })) as CallResult;
        expect(list.isError).toBe(true);
        expect(firstText(list)).toMatch(/^Tool weather-list declares an outputSchema but its structuredContent is not a JSON object: \[\{"name":"apple"/);
      } finally {
        await fresh.close();
      }
    });

    it('turns a non-2xx answer into isError with the status and a short excerpt', async () => {
      await createTool({ name: 'missing', url: `${api.url}/missing`, requestType: 'GET' }).expect(200);
      const result = await call('missing');
      expect(result.isError).toBe(true);
      const text = firstText(result);
      expect(text).toMatch(/^HTTP 404 from missing: no such pet !+…$/);
      expect(text.length).toBeLessThan(600);
    });

    it('updates adapter fields with validation', async () => {
      const created = await createTool({ name: 'upd', url: `${api.url}/u/{id}`, requestType: 'GET' }).expect(200);
      const id = created.body.id;
      const ok = await request(gw.url).put(`/tools/${id}`).send({ timeout_ms: 1234, jsonpath_filter: '$.path', argument_mapping: { id: 'path', q: 'header' } }).expect(200);
      expect(ok.body).toMatchObject({ timeoutMs: 1234, jsonpathFilter: '$.path', argumentMapping: { id: 'path', q: 'header' } });
      const from = api.requests.length;
      expect(JSON.parse(firstText(await call('upd', { id: '9', q: 'hdr' })))).toBe('/u/9');
      expect(api.requests[from].headers.q).toBe('hdr');
      const bad = await request(gw.url).put(`/tools/${id}`).send({ url: `${api.url}/no-placeholder` }).expect(422);
      expect(bad.body.message).toMatch(/argumentMapping\.id/);
    });
  });
});
