import request from 'supertest';
import { ToolRepository } from '../../src/modules/tools/repositories/tool.repository';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { type FixtureServer, startFixture } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { startHttpUpstream } from '../support/http-upstream';

/** The catalog REST API over real HTTP, on a fresh SQLite database. */
describe('catalog REST API', () => {
  let gw: TestGateway;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    gw = await startGateway({ MAX_RESOURCE_SIZE: '1000' });
    http = request(gw.url);
  });
  afterAll(() => gw.close());

  const restTool = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    url: 'http://127.0.0.1:9/api/{id}',
    requestType: 'GET',
    inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    ...extra,
  });

  /** Counts what a rejected request must not have changed. */
  async function snapshot() {
    const [tools, audit] = await Promise.all([http.get('/tools?limit=0&include_inactive=true'), http.get('/audit?limit=0')]);
    return { tools: tools.body.length as number, audit: audit.body.items.length as number };
  }

  describe('tools', () => {
    it('creates a tool from a plain body and from the wrapped, snake_case form of the reference gateway', async () => {
      const plain = await http.post('/tools').send(restTool('plain_tool', { tags: ['Demo', ' demo ', 'x'] })).expect(200);
      expect(plain.body).toMatchObject({ name: 'plain_tool', integrationType: 'REST', requestType: 'GET', version: 1, tags: ['demo', 'x'], enabled: true });
      expect(plain.body.id).toMatch(/^[0-9a-f]{32}$/);

      const wrapped = await http
        .post('/tools')
        .set('User-Agent', 'reference-client/1.0')
        .send({ tool: { name: 'wrapped_tool', url: 'http://127.0.0.1:9/x', integration_type: 'REST', request_type: 'post', input_schema: { type: 'object' } }, team_id: null, visibility: 'public' })
        .expect(200);
      expect(wrapped.body).toMatchObject({ name: 'wrapped_tool', integrationType: 'REST', requestType: 'POST', inputSchema: { type: 'object' } });
      expect(wrapped.body.createdVia).toBe('api');
      expect(wrapped.body.createdFromIp).toBe('127.0.0.1');
      expect(wrapped.body.createdUserAgent).toBe('reference-client/1.0');
    });

    it('stores credentials encrypted and shows them masked', async () => {
      const res = await http.post('/tools').send(restTool('secret_tool', { auth: { auth_type: 'basic', username: 'u', password: 'hunter2' } })).expect(200);
      expect(res.body.auth).toEqual({ authType: 'basic', username: 'u', password: '*****' });
      expect(JSON.stringify(res.body)).not.toContain('hunter2');
      expect(res.body.authValue).toBeUndefined();
      // Sending the mask back keeps the stored secret; changing the username only is an update.
      const upd = await http.put(`/tools/${res.body.id}`).send({ auth: { authType: 'basic', username: 'v', password: '*****' } }).expect(200);
      expect(upd.body.auth).toEqual({ authType: 'basic', username: 'v', password: '*****' });
      expect(upd.body.version).toBe(2);
    });

    it.each([
      ['an invalid JSON Schema', restTool('bad_schema', { inputSchema: { type: 'object', properties: { a: { type: 'wat' } } } }), 422, /inputSchema.*properties\/a\/type/],
      ['a non-object input schema', restTool('bad_schema2', { inputSchema: { type: 'string' } }), 422, /inputSchema.type/],
      ['an unknown field', restTool('unknown_field', { colour: 'red' }), 422, /colour: property colour should not exist/],
      ['a wrong type', restTool('wrong_type', { description: 42 }), 422, /description: must be a string/],
      ['an invalid name', restTool('has space'), 422, /^name: /],
      ['a bad URL', restTool('bad_url', { url: 'ftp://x' }), 422, /^url: must be an http\(s\) URL/],
      ['an MCP tool', restTool('mcp_tool', { integrationType: 'MCP' }), 422, /integrationType/],
      ['a header with a line break', restTool('crlf', { headers: { 'X-A': 'a\r\nX-Injected: 1' } }), 422, /headers/],
      ['a duplicate name', restTool('plain_tool'), 409, /name 'plain_tool' already exists/],
      ['the same field in both spellings', { ...restTool('both'), request_type: 'GET' }, 422, /requestType: given twice/],
    ])('rejects %s with a clear error and changes nothing', async (_label, body, status, message) => {
      const before = await snapshot();
      const res = await http.post('/tools').send(body).expect(status);
      expect(res.body.message).toMatch(message);
      expect(res.body.statusCode).toBe(status);
      expect(await snapshot()).toEqual(before);
    });

    it('answers malformed JSON with 400 and a non-object body with 400', async () => {
      const bad = await http.post('/tools').set('content-type', 'application/json').send('{"name":').expect(400);
      expect(bad.body.message).toMatch(/Malformed JSON body/);
      await http.post('/tools').send([1, 2]).expect(400);
    });

    it('lists a plain array by default, or pages with include_pagination and a cursor', async () => {
      for (const n of ['page_a', 'page_b', 'page_c']) await http.post('/tools').send(restTool(n, { tags: ['paged'] })).expect(200);
      const all = await http.get('/tools?tags=paged').expect(200);
      expect(all.body.map((t: { name: string }) => t.name)).toEqual(['page_a', 'page_b', 'page_c']);
      const p1 = await http.get('/tools?tags=paged&limit=2&include_pagination=true').expect(200);
      expect(p1.body.tools.map((t: { name: string }) => t.name)).toEqual(['page_a', 'page_b']);
      const p2 = await http.get(`/tools?tags=paged&limit=2&include_pagination=true&cursor=${p1.body.nextCursor}`).expect(200);
      expect(p2.body).toMatchObject({ tools: [{ name: 'page_c' }], nextCursor: null });
      await http.get('/tools?cursor=garbage').expect(422);
      await http.get('/tools?limit=-1').expect(422);
      await http.get('/tools?bogus=1').expect(422);
    });

    it('updates with a version bump, audits the changed fields, and refuses a stale version with 409', async () => {
      const created = (await http.post('/tools').send(restTool('versioned')).expect(200)).body;
      const v2 = await http.put(`/tools/${created.id}`).send({ description: 'second', version: 1 }).expect(200);
      expect(v2.body).toMatchObject({ description: 'second', version: 2 });
      const stale = await http.put(`/tools/${created.id}`).send({ description: 'third', version: 1 }).expect(409);
      expect(stale.body.message).toMatch(/modified concurrently/);
      // An update that changes nothing does not bump the version.
      expect((await http.put(`/tools/${created.id}`).send({ description: 'second' }).expect(200)).body.version).toBe(2);
      const trail = await http.get(`/audit?entity_type=tool&entity_id=${created.id}`).expect(200);
      expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
      expect(trail.body.items[0].changedFields).toEqual(['description']);
    });

    it('lets exactly one of two concurrent updates of the same version win', async () => {
      const created = (await http.post('/tools').send(restTool('racy')).expect(200)).body;
      const results = await Promise.all(
        ['x', 'y', 'z'].map((d) => http.put(`/tools/${created.id}`).send({ description: d, version: 1 })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      expect((await http.get(`/tools/${created.id}`)).body.version).toBe(2);
    });

    it('disables and enables through /state and the older /toggle, hiding disabled tools from listings', async () => {
      const t = (await http.post('/tools').send(restTool('toggled')).expect(200)).body;
      const off = await http.post(`/tools/${t.id}/state?activate=false`).expect(200);
      expect(off.body).toMatchObject({ status: 'success', tool: { id: t.id, enabled: false } });
      expect((await http.get('/tools?limit=0')).body.map((x: { id: string }) => x.id)).not.toContain(t.id);
      expect((await http.get('/tools?limit=0&include_inactive=true')).body.map((x: { id: string }) => x.id)).toContain(t.id);
      await http.post(`/tools/${t.id}/toggle?activate=true`).expect(200);
      expect((await http.get(`/tools/${t.id}`)).body.enabled).toBe(true);
      const trail = await http.get(`/audit?entity_id=${t.id}&action=enable,disable`).expect(200);
      expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['enable', 'disable']);
    });

    it('accepts tool schemas that share an $id, in every supported dialect', async () => {
      const $id = 'https://example.com/schemas/args.json';
      await http.post('/tools').send(restTool('same_id_a', { inputSchema: { $id, type: 'object', properties: { a: { type: 'string' } } } })).expect(200);
      const b = await http.post('/tools').send(restTool('same_id_b', { inputSchema: { $id, type: 'object', properties: { b: { type: 'string' } } } })).expect(200);
      await http.put(`/tools/${b.body.id}`).send({ inputSchema: { $id, type: 'object', properties: { b: { type: 'integer' } } } }).expect(200);
      const draft4 = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true } } };
      await http.post('/tools').send(restTool('draft4_tool', { inputSchema: draft4 })).expect(200);
      const odd = await http.post('/tools').send(restTool('odd_dialect', { inputSchema: { $schema: 'https://example.com/my-dialect', type: 'object' } })).expect(422);
      expect(odd.body.details.field).toBe('inputSchema.$schema');
    });

    it('answers a call of a tool whose stored inputSchema does not compile with an error naming the tool', async () => {
      const t = (await http.post('/tools').send(restTool('broken_schema')).expect(200)).body;
      // Only a database edit (or a peer) can store such a schema: the API refuses it.
      await gw.app.get(ToolRepository).update(t.id, t.version, { inputSchema: { type: 'object', properties: { a: { $ref: '#/definitions/nowhere' } } } });
      const res = await http.post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'broken_schema', arguments: { a: 1 } } }).expect(200);
      expect(res.body.error.message).toMatch(/^Tool 'broken_schema' inputSchema is not a usable JSON Schema: can't resolve reference/);
    });

    it('answers a call of a REST tool whose stored outputSchema does not compile with an isError result naming the tool', async () => {
      const upstream = await startHttpUpstream();
      try {
        const t = (await http.post('/tools').send(restTool('broken_output', { url: `${upstream.url}/api/{id}`, outputSchema: { type: 'object' } })).expect(200)).body;
        await gw.app.get(ToolRepository).update(t.id, t.version, { outputSchema: { type: 'object', properties: { method: { $ref: '#/definitions/nowhere' } } } });
        const res = await http.post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'broken_output', arguments: { id: '7' } } }).expect(200);
        expect(res.body.result.isError).toBe(true);
        expect(res.body.result.content[0].text).toMatch(/^Tool 'broken_output' outputSchema is not a usable JSON Schema: can't resolve reference/);
        expect(upstream.requests.map((r) => r.path)).toEqual(['/api/7']);
      } finally {
        await upstream.close();
      }
    });

    it('deletes, then answers 404', async () => {
      const t = (await http.post('/tools').send(restTool('doomed')).expect(200)).body;
      expect((await http.delete(`/tools/${t.id}`).expect(200)).body.status).toBe('success');
      const gone = await http.get(`/tools/${t.id}`).expect(404);
      expect(gone.body).toMatchObject({ code: 'NOT_FOUND', message: `Tool not found: ${t.id}` });
      await http.delete(`/tools/${t.id}`).expect(404);
    });
  });

  describe('resources', () => {
    it('creates text and binary resources; GET returns the content, /info the metadata', async () => {
      const text = (await http.post('/resources').send({ uri: 'file:///docs/a.md', name: 'A', content: '# Hi', mimeType: 'text/markdown' }).expect(200)).body;
      expect(text).toMatchObject({ uri: 'file:///docs/a.md', size: 4, mimeType: 'text/markdown' });
      expect(text.textContent).toBeUndefined();
      expect((await http.get(`/resources/${text.id}`).expect(200)).body).toEqual({ type: 'resource', id: text.id, uri: 'file:///docs/a.md', mimeType: 'text/markdown', text: '# Hi' });

      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64');
      const bin = (await http.post('/resources').send({ resource: { uri: 'file:///img.png', name: 'img', blob: png, mime_type: 'image/png' } }).expect(200)).body;
      expect(bin.size).toBe(4);
      expect((await http.get(`/resources/${bin.id}`)).body.blob).toBe(png);
      expect((await http.get(`/resources/${bin.id}/info`)).body).toMatchObject({ name: 'img', mimeType: 'image/png' });
    });

    it('rejects oversize content with 413 naming the limit, and content plus blob with 422', async () => {
      const before = await snapshot();
      const big = await http.post('/resources').send({ uri: 'file:///big', name: 'big', content: 'x'.repeat(1001) }).expect(413);
      expect(big.body.message).toMatch(/content: 1001 bytes exceeds the limit of 1000 bytes \(MAX_RESOURCE_SIZE\)/);
      await http.post('/resources').send({ uri: 'file:///both', name: 'b', content: 'x', blob: 'eA==' }).expect(422);
      await http.post('/resources').send({ uri: 'not a uri', name: 'b', content: 'x' }).expect(422);
      await http.post('/resources').send({ uri: 'file:///none', name: 'none' }).expect(422);
      expect(await snapshot()).toEqual(before);
    });

    it('accepts a template resource without content and rejects a duplicate URI', async () => {
      await http.post('/resources').send({ uri: 'file:///logs/{date}', name: 'logs', uriTemplate: 'file:///logs/{date}' }).expect(200);
      await http.post('/resources').send({ uri: 'file:///logs/{date}', name: 'again', content: 'x' }).expect(409);
    });
  });

  describe('prompts', () => {
    it('discovers arguments from the template, renders by id or name, and requires required arguments', async () => {
      const p = (await http.post('/prompts').send({ name: 'greet', template: '# User: Say hi to {{who}} {{#if loud}}LOUDLY{{/if}}\n# Assistant: Hi {{who}}!' }).expect(200)).body;
      // `loud` is only tested ({{#if loud}}): optional.
      expect(p.arguments).toEqual([
        { name: 'who', required: true },
        { name: 'loud', required: false },
      ]);
      const rendered = await http.post('/prompts/greet').send({ who: 'Ada', loud: true }).expect(200);
      expect(rendered.body.messages).toEqual([
        { role: 'user', content: { type: 'text', text: 'Say hi to Ada LOUDLY' } },
        { role: 'assistant', content: { type: 'text', text: 'Hi Ada!' } },
      ]);
      const missing = await http.post(`/prompts/${p.id}`).send({ loud: false }).expect(422);
      expect(missing.body.message).toMatch(/arguments.who: is required/);
      expect((await http.get('/prompts/greet/info')).body.id).toBe(p.id);
    });

    it('never exposes prototype properties and rejects an unparsable template', async () => {
      await http.post('/prompts').send({ name: 'proto', template: '{{constructor}}{{__proto__}}x{{a}}', arguments: [{ name: 'a' }] }).expect(200);
      const r = await http.post('/prompts/proto').send({ a: 'y' }).expect(200);
      expect(r.body.messages[0].content.text).toBe('xy');
      const bad = await http.post('/prompts').send({ name: 'broken', template: '{{#if x}}unclosed' }).expect(422);
      expect(bad.body.message).toMatch(/^template: is not a valid Handlebars template/);
    });
  });

  describe('virtual servers', () => {
    it('creates a server (201) with associations, lists its tools, and validates ids atomically', async () => {
      const t1 = (await http.post('/tools').send(restTool('srv_t1')).expect(200)).body;
      const t2 = (await http.post('/tools').send(restTool('srv_t2')).expect(200)).body;
      const before = await http.get('/servers?limit=0');
      const bad = await http.post('/servers').send({ server: { name: 'bad', associated_tools: [t1.id, 'missing'] } }).expect(422);
      expect(bad.body.message).toMatch(/associatedTools: unknown tool id\(s\): missing/);
      expect((await http.get('/servers?limit=0')).body).toHaveLength(before.body.length);

      const s = (await http.post('/servers').send({ server: { name: 'My Server', associatedTools: [t2.id, t1.id], icon: 'https://example.com/i.png' } }).expect(201)).body;
      // The reference gateway's read model: tool names in associatedTools, ids in associatedToolIds.
      expect(s).toMatchObject({ associatedTools: ['srv_t2', 'srv_t1'], associatedToolIds: [t2.id, t1.id], associatedResources: [], associatedResourceIds: [], associatedPrompts: [] });
      expect((await http.get(`/servers/${s.id}`)).body).toMatchObject({ associatedTools: ['srv_t2', 'srv_t1'], associatedToolIds: [t2.id, t1.id] });
      const listed = (await http.get('/servers?limit=0')).body.find((x: { id: string }) => x.id === s.id);
      expect(listed).toMatchObject({ associatedTools: ['srv_t2', 'srv_t1'], associatedToolIds: [t2.id, t1.id] });
      expect((await http.get(`/servers/${s.id}/tools`)).body.map((t: { name: string }) => t.name)).toEqual(['srv_t2', 'srv_t1']);

      await http.post(`/tools/${t2.id}/state?activate=false`).expect(200);
      expect((await http.get(`/servers/${s.id}/tools`)).body.map((t: { name: string }) => t.name)).toEqual(['srv_t1']);

      const upd = await http.put(`/servers/${s.id}`).send({ associatedTools: [t1.id] }).expect(200);
      expect(upd.body).toMatchObject({ associatedTools: ['srv_t1'], associatedToolIds: [t1.id], version: 2 });
      // Paging and tag parameters are not options of the member listings.
      await http.get(`/servers/${s.id}/tools?limit=1`).expect(422);
      expect((await http.get(`/servers/${s.id}/tools?include_inactive=true`).expect(200)).body.map((t: { name: string }) => t.name)).toEqual(['srv_t1']);
      const trail = await http.get(`/audit?entity_type=server&entity_id=${s.id}`);
      expect(trail.body.items[0].changedFields).toEqual(['associatedTools']);
    });

    it('detaches a deleted tool, resource or prompt from its servers as an audited, versioned server update', async () => {
      const [keep, gone] = await Promise.all(['det_keep', 'det_gone'].map(async (n) => (await http.post('/tools').send(restTool(n)).expect(200)).body));
      const res = (await http.post('/resources').send({ uri: 'file:///detach/r', name: 'r', content: 'x' }).expect(200)).body;
      const prompt = (await http.post('/prompts').send({ name: 'detach_p', template: 'x' }).expect(200)).body;
      const ids = { associatedTools: [gone.id, keep.id], associatedResources: [res.id], associatedPrompts: [prompt.id] };
      const [s1, s2] = await Promise.all(['det_s1', 'det_s2'].map(async (name) => (await http.post('/servers').send({ name, ...ids }).expect(201)).body));
      const other = (await http.post('/servers').send({ name: 'det_other', associatedTools: [keep.id] }).expect(201)).body;

      await http.delete(`/tools/${gone.id}`).expect(200);
      for (const s of [s1, s2]) {
        const now = (await http.get(`/servers/${s.id}`).expect(200)).body;
        expect(now).toMatchObject({ version: 2, associatedToolIds: [keep.id], associatedTools: ['det_keep'] });
        const trail = (await http.get(`/audit?entity_type=server&entity_id=${s.id}`).expect(200)).body.items;
        expect(trail[0]).toMatchObject({ action: 'update', changedFields: ['associatedTools'] });
      }
      expect((await http.get(`/servers/${other.id}`)).body.version).toBe(1);

      await http.delete(`/resources/${res.id}`).expect(200);
      await http.delete(`/prompts/${prompt.id}`).expect(200);
      const last = (await http.get(`/servers/${s1.id}`)).body;
      expect(last).toMatchObject({ version: 4, associatedResources: [], associatedPrompts: [] });
      const trail = (await http.get(`/audit?entity_type=server&entity_id=${s1.id}&limit=2`)).body.items;
      expect(trail.map((e: { changedFields: string[] }) => e.changedFields)).toEqual([['associatedPrompts'], ['associatedResources']]);
    });

    it('accepts a client-chosen id', async () => {
      const s = await http.post('/servers').send({ id: 'my-server-1', name: 'chosen' }).expect(201);
      expect(s.body.id).toBe('my-server-1');
      const dupId = await http.post('/servers').send({ id: 'my-server-1', name: 'again' }).expect(409);
      expect(dupId.body).toMatchObject({ message: "A server with id 'my-server-1' already exists", details: { field: 'id' } });
      const dupName = await http.post('/servers').send({ id: 'my-server-2', name: 'chosen' }).expect(409);
      expect(dupName.body).toMatchObject({ message: "A server with name 'chosen' already exists", details: { field: 'name' } });
    });
  });

  describe('tags, health, version', () => {
    it('aggregates tags across entity kinds', async () => {
      await http.post('/prompts').send({ name: 'tagged_p', template: 'x', tags: ['shared-tag'] }).expect(200);
      await http.post('/tools').send(restTool('tagged_t', { tags: ['shared-tag'] })).expect(200);
      const tags = await http.get('/tags?include_entities=true').expect(200);
      const shared = tags.body.find((t: { name: string }) => t.name === 'shared-tag');
      expect(shared.stats).toMatchObject({ tools: 1, prompts: 1, total: 2 });
      expect(shared.entities.map((e: { name: string }) => e.name).sort()).toEqual(['tagged_p', 'tagged_t']);
      expect((await http.get('/tags/shared-tag/entities?entity_types=tools')).body).toEqual([expect.objectContaining({ name: 'tagged_t', type: 'tool' })]);
    });

    it('accepts the reference gateway\'s [{id, label}] tags and its apijsonpath list parameter', async () => {
      const t = await http.post('/tools').send(restTool('obj_tags', { tags: [{ id: 'ref-tag', label: 'Ref Tag' }, { label: 'Data Processing' }, 'plain', 'REF-TAG'] })).expect(200);
      expect(t.body.tags).toEqual(['ref-tag', 'data-processing', 'plain']);
      const bad = await http.post('/tools').send(restTool('obj_tags_bad', { tags: [{ colour: 'red' }] })).expect(422);
      expect(bad.body.details.fields).toEqual(['tags']);
      for (const path of ['/tools', '/resources', '/prompts', '/servers', '/gateways', '/tags']) {
        await http.get(`${path}?apijsonpath=${encodeURIComponent('$[*].name')}`).expect(200);
      }
    });

    it('lists the entities of a tag without disabled ones unless include_inactive=true', async () => {
      const on = (await http.post('/tools').send(restTool('tag_on', { tags: ['lifecycle'] })).expect(200)).body;
      const off = (await http.post('/tools').send(restTool('tag_off', { tags: ['lifecycle'] })).expect(200)).body;
      await http.post(`/tools/${off.id}/state?activate=false`).expect(200);
      const names = async (q: string) => (await http.get(`/tags/lifecycle/entities${q}`).expect(200)).body.map((e: { name: string }) => e.name).sort();
      expect(await names('')).toEqual([on.name]);
      expect(await names('?include_inactive=true')).toEqual([off.name, on.name].sort());
    });

    it('reports health, readiness and version with secrets masked', async () => {
      expect((await http.get('/health').expect(200)).body).toMatchObject({ status: 'ok', info: { eventLoop: { status: 'up' } } });
      expect((await http.get('/ready').expect(200)).body.info.migrations).toMatchObject({ status: 'up', pending: 0 });
      const v = (await http.get('/version').expect(200)).body;
      expect(v.app).toMatchObject({ name: 'MCP Gateway', packageName: 'mcp-gateway' });
      expect(v.database).toMatchObject({ dialect: 'sqlite', reachable: true, pendingMigrations: 0 });
      expect(v.settings.JWT_SECRET_KEY).toBe('*****');
      expect(v.settings.DATABASE_URL).toBe('*****');
      expect(v.settings.PORT).toBe(0);
    });

    it('answers unknown routes with a JSON 404', async () => {
      const r = await http.get('/nope').expect(404);
      expect(r.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });
  });
});

/**
 * What PostgreSQL refuses and SQLite silently stores: values longer than their column. Every string the API accepts
 * must fit, so here the same requests that pass on SQLite must get a clear 4xx (or be fitted), never a 500.
 */
describe('catalog REST API on PostgreSQL', () => {
  let db: TestDatabase;
  let gw: TestGateway;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    gw = await startGateway({}, db);
    http = request(gw.url);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  const tool = (name: string) => ({ name, url: 'http://127.0.0.1:9/x', requestType: 'GET' });
  const long = (n: number, c = 'x') => c.repeat(n);
  const longUrl = (n: number) => `http://127.0.0.1:9/${long(n - 'http://127.0.0.1:9/'.length)}`;

  /** How many entities of each kind, audit entries and API tokens exist: what a rejected request must not change. */
  async function counts() {
    const lists = await Promise.all(['/tools', '/resources', '/prompts', '/servers', '/gateways'].map((p) => http.get(`${p}?limit=0&include_inactive=true`)));
    const [audit, tokens] = await Promise.all([http.get('/audit?limit=0'), http.get('/tokens')]);
    return [...lists.map((r) => r.body.length as number), audit.body.items.length as number, tokens.body.length as number];
  }

  const OVERLONG: Array<[string, string, Record<string, unknown>, string]> = [
    ['tool displayName', '/tools', { ...tool('t1'), displayName: long(256) }, 'displayName'],
    ['tool description', '/tools', { ...tool('t2'), description: long(8193) }, 'description'],
    ['tool name', '/tools', tool(long(129)), 'name'],
    ['tool url', '/tools', { ...tool('t3'), url: longUrl(2049) }, 'url'],
    ['tool requestType', '/tools', { ...tool('t4'), requestType: long(17, 'G') }, 'requestType'],
    ['tool annotations.title', '/tools', { ...tool('t5'), annotations: { title: long(256) } }, 'annotations.title'],
    ['tool jsonpathFilter', '/tools', { ...tool('t6'), jsonpathFilter: `$.${long(2047)}` }, 'jsonpathFilter'],
    ['tool tag', '/tools', { ...tool('t7'), tags: [long(65)] }, 'tags'],
    ['CLI tool command', '/tools', { name: 't8', integrationType: 'CLI', command: `/${long(1024)}` }, 'command'],
    ['CLI tool workingDirectory', '/tools', { name: 't9', integrationType: 'CLI', command: '/bin/echo', workingDirectory: `/${long(1024)}` }, 'workingDirectory'],
    ['tool auth username', '/tools', { ...tool('t10'), auth: { authType: 'basic', username: long(256), password: 'p' } }, 'auth.username'],
    ['resource uri', '/resources', { uri: `file:///${long(760)}`, name: 'r', content: 'x' }, 'uri'],
    ['resource name', '/resources', { uri: 'file:///r1', name: long(256), content: 'x' }, 'name'],
    ['resource mimeType', '/resources', { uri: 'file:///r2', name: 'r', content: 'x', mimeType: `text/plain; charset=${long(240)}` }, 'mimeType'],
    ['resource uriTemplate', '/resources', { uri: 'file:///r3/{a}', name: 'r', uriTemplate: `file:///r3/{a}${long(760)}` }, 'uriTemplate'],
    ['resource contentUrl', '/resources', { uri: 'file:///r4', name: 'r', contentUrl: longUrl(2049) }, 'contentUrl'],
    ['prompt name', '/prompts', { name: long(129), template: 'x' }, 'name'],
    ['prompt description', '/prompts', { name: 'p1', template: 'x', description: long(8193) }, 'description'],
    ['prompt argument description', '/prompts', { name: 'p2', template: '{{a}}', arguments: [{ name: 'a', description: long(1025) }] }, 'arguments.0.description'],
    ['prompt message mimeType', '/prompts', { name: 'p3', messages: [{ role: 'user', content: { type: 'image', data: 'eA==', mimeType: `image/png; x=${long(250)}` } }] }, 'messages.0.content.mimeType'],
    ['server id', '/servers', { id: long(37, 'a'), name: 's1' }, 'id'],
    ['server name', '/servers', { name: long(256) }, 'name'],
    ['server icon', '/servers', { name: 's2', icon: longUrl(2049) }, 'icon'],
    ['gateway name', '/gateways', { name: long(256), url: 'http://127.0.0.1:9/mcp' }, 'name'],
    ['gateway url', '/gateways', { name: 'g1', url: longUrl(2049) }, 'url'],
    ['gateway alternateOf', '/gateways', { name: 'g2', url: 'http://127.0.0.1:9/mcp', alternateOf: long(37) }, 'alternateOf'],
    ['OpenAPI import tag filter', '/tools/import/openapi', { spec: { openapi: '3.0.0', info: { title: 't', version: '1' }, paths: {} }, tags: [long(256)] }, 'tags'],
    ['API token name', '/tokens', { name: long(256) }, 'name'],
    ['API token subject', '/tokens', { subject: long(256) }, 'subject'],
  ];

  it.each(OVERLONG)('refuses an over-long %s with 422 naming the field, storing nothing', async (_label, path, body, field) => {
    const before = await counts();
    const res = await http.post(path).send(body);
    expect([res.status, res.body.details?.fields]).toEqual([422, expect.arrayContaining([field])]);
    expect(await counts()).toEqual(before);
  });

  /**
   * JSON `null` for a field whose column is NOT NULL (or that the service reads as a value) reached the database
   * through IsOptional / PartialType: a 500. Each such field of each kind, on create and on update, must be a 422
   * naming it that changes nothing.
   */
  describe('null for a field that cannot be null', () => {
    let fixture: FixtureServer;
    beforeAll(async () => {
      fixture = await startFixture({ name: 'null-peer' });
    });
    afterAll(() => fixture?.stop());

    const common = { tags: ['keep'], enabled: true };
    /** Per kind: its path, where GET shows the record, a valid create body, and its fields that must not be null. */
    const KINDS: Array<{ path: string; info: (id: string) => string; body: (n: string) => Record<string, unknown>; required: string[]; createOnly?: string[] }> = [
      {
        path: '/tools',
        info: (id) => `/tools/${id}`,
        body: (n) => ({ ...tool(n), integrationType: 'REST', inputSchema: { type: 'object' }, ...common }),
        required: ['name', 'integrationType', 'requestType', 'inputSchema', 'tags', 'enabled'],
      },
      {
        path: '/resources',
        info: (id) => `/resources/${id}/info`,
        body: (n) => ({ uri: `file:///nulls/${n}`, name: n, content: 'kept', ...common }),
        required: ['uri', 'name', 'content', 'blob', 'tags', 'enabled'],
      },
      {
        path: '/prompts',
        info: (id) => `/prompts/${id}/info`,
        body: (n) => ({ name: n, template: 'Hi {{who}}', ...common }),
        required: ['name', 'template', 'messages', 'tags', 'enabled'],
      },
      {
        path: '/servers',
        info: (id) => `/servers/${id}`,
        body: (n) => ({ name: n, associatedTools: [], ...common }),
        required: ['name', 'associatedTools', 'associatedResources', 'associatedPrompts', 'tags', 'enabled'],
        createOnly: ['id'],
      },
      {
        path: '/gateways',
        info: (id) => `/gateways/${id}`,
        body: (n) => ({ name: n, url: fixture.mcpUrl, transport: 'STREAMABLEHTTP', namespaced: true, ...common }),
        required: ['name', 'url', 'transport', 'namespaced', 'tags', 'enabled'],
      },
    ];
    /** Health state of a peer, which its scheduled checks may update at any time. */
    const STATUS = ['lastSeen', 'reachable', 'consecutiveFailures', 'lastError', 'lastRefreshAt'];
    const record = async (path: string) => {
      const res = await http.get(path).expect(200);
      return Object.fromEntries(Object.entries(res.body as Record<string, unknown>).filter(([k]) => !STATUS.includes(k)));
    };

    it.each(KINDS.map((k) => [k.path, k] as const))('POST %s with null for a required field: 422 naming it, nothing stored', async (_path, kind) => {
      const before = await counts();
      for (const field of [...kind.required, ...(kind.createOnly ?? [])]) {
        const res = await http.post(kind.path).send({ ...kind.body(`null_create_${field.toLowerCase()}`), [field]: null });
        expect([field, res.status, res.body.details?.fields]).toEqual([field, 422, [field]]);
        expect(res.body.message).toMatch(new RegExp(`^${field}: `));
      }
      expect(await counts()).toEqual(before);
    });

    it.each(KINDS.map((k) => [k.path, k] as const))('PUT %s with null for a required field: 422 naming it, the record unchanged', async (_path, kind) => {
      const created = await http.post(kind.path).send(kind.body(`null_target_${kind.path.slice(1)}`));
      expect(created.status).toBeLessThan(300);
      const id = created.body.id as string;
      const before = await record(kind.info(id));
      const trail = (await http.get(`/audit?entity_id=${id}`).expect(200)).body.items.length;
      for (const field of [...kind.required, 'version']) {
        const res = await http.put(`${kind.path}/${id}`).send({ [field]: null });
        expect([field, res.status, res.body.details?.fields]).toEqual([field, 422, [field]]);
        expect(await record(kind.info(id))).toEqual(before);
      }
      expect(before).toMatchObject({ version: 1, tags: ['keep'], enabled: true });
      expect((await http.get(`/audit?entity_id=${id}`).expect(200)).body.items.length).toBe(trail);
    });
  });

  it('imports OpenAPI operations whose URL fits a tool url, skips and reports the others, and names baseUrl when none fits', async () => {
    const baseUrl = longUrl(2000);
    const doc = (paths: string[]) => ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths: Object.fromEntries(paths.map((p) => [p, { get: {} }])) });
    const tooLong = `/${long(60)}`;
    const res = await http.post('/tools/import/openapi').send({ spec: doc(['/fits', tooLong]), baseUrl, namePrefix: 'long_base.' }).expect(200);
    expect(res.body.tools.map((t: { name: string; url: string }) => [t.name, t.url])).toEqual([['long_base.get_fits', `${baseUrl}/fits`]]);
    expect(res.body.skipped).toEqual([{ operation: `GET ${tooLong}`, reason: 'its URL (base URL + path) would be 2061 characters, over the 2048 a tool URL may have' }]);

    const before = await counts();
    const none = await http.post('/tools/import/openapi').send({ spec: doc([tooLong]), baseUrl, namePrefix: 'none_fits.' });
    expect([none.status, none.body.details?.field]).toEqual([422, 'baseUrl']);
    expect(none.body.message).toBe(`baseUrl: contains no operation that can become a tool (skipped: GET ${tooLong}: its URL (base URL + path) would be 2061 characters, over the 2048 a tool URL may have)`);
    expect(await counts()).toEqual(before);
  });

  it('answers a foreign or forged cursor with 422 naming cursor, before it reaches SQL', async () => {
    for (const n of ['cur_a', 'cur_b', 'cur_c']) await http.post('/tools').send({ ...tool(n), tags: ['cursors'] }).expect(200);
    const toolsPage = await http.get('/tools?tags=cursors&limit=1&include_pagination=true').expect(200);
    const auditPage = await http.get('/audit?limit=1').expect(200);
    expect(toolsPage.body.nextCursor).toEqual(expect.any(String));
    expect(auditPage.body.nextCursor).toEqual(expect.any(String));
    // Each cursor works on its own listing...
    await http.get(`/audit?limit=1&cursor=${auditPage.body.nextCursor}`).expect(200);
    await http.get(`/tools?tags=cursors&limit=1&cursor=${toolsPage.body.nextCursor}`).expect(200);
    // ...and is refused by the other; so are hand-made ones.
    const forged = (k: unknown) => Buffer.from(JSON.stringify({ k }), 'utf8').toString('base64url');
    const refused: Array<[string, string]> = [
      ['/audit', toolsPage.body.nextCursor],
      ['/tools', auditPage.body.nextCursor],
      ['/audit', forged(1e300)],
      ['/audit', forged('abc')],
      ['/audit', forged(-5)],
      ['/servers', forged({ k: 1 })],
      ['/resources', forged(null)],
    ];
    for (const [path, cursor] of refused) {
      const res = await http.get(`${path}?cursor=${cursor}`);
      expect([path, cursor, res.status, res.body.details?.field]).toEqual([path, cursor, 422, 'cursor']);
    }
  });

  it('fits an over-long User-Agent and client address into the audit columns on create, update and in the trail', async () => {
    const agent = `agent/${'u'.repeat(700)}`;
    const forwarded = 'f'.repeat(100);
    const created = await http.post('/tools').set('User-Agent', agent).set('X-Forwarded-For', forwarded).send(tool('long_agent')).expect(200);
    expect(created.body.createdUserAgent).toBe(agent.slice(0, 512));
    expect(created.body.createdFromIp).toBe(forwarded.slice(0, 45));
    const updated = await http.put(`/tools/${created.body.id}`).set('User-Agent', agent).send({ description: 'changed' }).expect(200);
    expect(updated.body).toMatchObject({ version: 2, modifiedUserAgent: agent.slice(0, 512) });
    const trail = await http.get(`/audit?entity_id=${created.body.id}`).expect(200);
    expect(trail.body.items.map((e: { userAgent: string }) => e.userAgent)).toEqual([agent.slice(0, 512), agent.slice(0, 512)]);
    expect(trail.body.items[1].actorIp).toBe(forwarded.slice(0, 45));
  });
});
