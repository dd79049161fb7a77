import { ErrorCode, GetPromptResultSchema } from '@modelcontextprotocol/sdk/types.js';
import request from 'supertest';
import { GatewayRepository } from '../../src/modules/federation/repositories/gateway.repository';
import { PromptVersionRepository } from '../../src/modules/prompts/repositories/prompt-version.repository';
import { PromptRepository } from '../../src/modules/prompts/repositories/prompt.repository';
import { makeGateway, makePrompt } from '../factories/catalog.factory';
import { startGateway, type TestGateway } from '../support/gateway';
import { connectMcp, rpcError } from '../support/mcp';

const PNG = Buffer.from('\x89PNG\r\n\x1a\n-not-really-an-image').toString('base64');

/** Prompts over REST and MCP on a running gateway: discovery, validation, rendering, multimodal messages, versions. */
describe('prompts', () => {
  let gw: TestGateway;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    gw = await startGateway({ PROMPT_RENDER_TIMEOUT: '0.3', MAX_PROMPT_SIZE: '4000', MAX_PROMPT_OUTPUT_SIZE: '5000' });
    http = request(gw.url);
  });
  afterAll(() => gw.close());

  const create = async (body: Record<string, unknown>, status = 200) => (await http.post('/prompts').send(body).expect(status)).body;
  const versionsOf = async (id: string) => (await http.get(`/prompts/${id}/versions?limit=0`).expect(200)).body as Array<Record<string, unknown>>;
  /** What a rejected request must not have changed. */
  const snapshot = async () => ({
    prompts: (await http.get('/prompts?limit=0&include_inactive=true')).body.length as number,
    audit: (await http.get('/audit?limit=0&entity_type=prompt')).body.items.length as number,
  });

  describe('argument discovery', () => {
    it('derives arguments from the template, including nested blocks; only-tested variables are optional', async () => {
      const p = await create({
        name: 'report',
        template: [
          '# User: Write a {{tone}} report for {{audience.name}}.',
          '{{#if detailed}}Be thorough.{{/if}}',
          '{{#each sections}}- {{title}} ({{../audience.name}}, {{@index}}){{#if ../numbered}} #{{@index}}{{/if}}{{else}}{{fallback}}{{/each}}',
          '{{#with (lookup styles tone)}}{{font}}{{/with}}',
        ].join('\n'),
      });
      expect(p.arguments).toEqual([
        { name: 'tone', required: true },
        { name: 'audience', required: true },
        { name: 'detailed', required: false },
        { name: 'sections', required: true },
        { name: 'numbered', required: false },
        { name: 'fallback', required: true },
        { name: 'styles', required: true },
      ]);
      expect(p.warnings).toBeUndefined();
      expect(p.messages).toBeNull();
      expect((await http.get('/prompts/report/info').expect(200)).body.arguments).toEqual(p.arguments);
    });

    it('lets explicit arguments win and warns about variables left out and arguments never read', async () => {
      const p = await create({
        prompt: {
          name: 'explicit',
          template: 'Translate {{text}} into {{language}}.{{constructor}}',
          arguments: [
            { name: 'text', description: 'What to translate', required: true },
            { name: 'unused', description: 'For the client only' },
          ],
        },
      });
      expect(p.arguments).toEqual([
        { name: 'text', description: 'What to translate', required: true },
        { name: 'unused', description: 'For the client only', required: false },
      ]);
      expect(p.warnings).toEqual([
        'the template reads `constructor`, a property every JavaScript object has: it is never an argument and renders empty unless a caller passes it',
        'the template reads `language`, which is not a declared argument: it renders empty unless a caller passes it',
        'argument `unused` is declared but the template never reads it',
      ]);
      // Undeclared variables still render when a caller passes them.
      const r = await http.post('/prompts/explicit').send({ text: 'hello', language: 'Irish' }).expect(200);
      expect(r.body.messages[0].content.text).toBe('Translate hello into Irish.');
    });

    it('on a template change, rediscovers discovered arguments (keeping descriptions) and keeps declared ones', async () => {
      const discovered = await create({ name: 'evolving', template: 'About {{topic}}' });
      const described = await http.put(`/prompts/${discovered.id}`).send({ arguments: [{ name: 'topic', description: 'The subject', required: true }] }).expect(200);
      expect(described.body.warnings).toBeUndefined();
      // Declared now equals what the template reads: a template change rediscovers, keeping the description.
      const changed = await http.put(`/prompts/${discovered.id}`).send({ template: 'About {{topic}} in {{words}} words' }).expect(200);
      expect(changed.body.arguments).toEqual([
        { name: 'topic', description: 'The subject', required: true },
        { name: 'words', required: true },
      ]);

      const declared = await create({ name: 'declared', template: '{{a}}', arguments: [{ name: 'a' }, { name: 'b' }] });
      const kept = await http.put(`/prompts/${declared.id}`).send({ template: '{{a}} {{c}}' }).expect(200);
      expect(kept.body.arguments).toEqual([
        { name: 'a', required: false },
        { name: 'b', required: false },
      ]);
      expect(kept.body.warnings).toEqual([
        'the template reads `c`, which is not a declared argument: it renders empty unless a caller passes it',
        'argument `b` is declared but the template never reads it',
      ]);
      // `arguments: null` goes back to discovery.
      const rediscovered = await http.put(`/prompts/${declared.id}`).send({ arguments: null }).expect(200);
      expect(rediscovered.body.arguments).toEqual([
        { name: 'a', required: true },
        { name: 'c', required: true },
      ]);
    });
  });

  describe('validation at create time (422/413, nothing written)', () => {
    it.each([
      ['a template that does not parse', { template: 'Hello\n{{#if x}}unclosed' }, 422, /^template: is not a valid Handlebars template: Parse error on line 2: Expecting .*got 'EOF'$/],
      ['mismatched blocks', { template: '{{#each x}}{{/with}}' }, 422, /^template: is not a valid Handlebars template: each doesn't match with - 1:3$/],
      ['a helper that is not built in', { template: '{{log "x"}}{{#custom}}{{/custom}}' }, 422, /^template: uses helpers that are not allowed: log, custom/],
      ['a partial', { template: '{{> secrets}}' }, 422, /^template: uses a partial/],
      ['both a template and messages', { template: 'x', messages: [{ role: 'user', content: { type: 'text', text: 'y' } }] }, 422, /^messages: give either `template` or `messages`, not both$/],
      ['neither a template nor messages', {}, 422, /^template: give a `template` or a `messages` list$/],
      ['an empty messages list', { messages: [] }, 422, /^messages: must contain at least one message$/],
      ['a message text that does not parse', { messages: [{ role: 'user', content: { type: 'text', text: 'ok' } }, { role: 'assistant', content: { type: 'text', text: '{{#if}}' } }] }, 422, /^messages\.1\.content\.text: is not a valid Handlebars template/],
      ['an unknown role', { messages: [{ role: 'system', content: { type: 'text', text: 'x' } }] }, 422, /messages\.0\.role: must be one of the following values: user, assistant/],
      ['an unknown content type', { messages: [{ role: 'user', content: { type: 'video', url: 'x' } }] }, 422, /messages\.0\.content\.type: must be one of the following values: text, image, audio, resource, resource_link/],
      ['an image given by URL', { messages: [{ role: 'user', content: { type: 'image', url: 'https://x/y.png', mimeType: 'image/png' } }] }, 422, /^messages\.0\.content\.url: property url should not exist; messages\.0\.content\.data: must be base64-encoded/],
      ['an image that is not base64', { messages: [{ role: 'user', content: { type: 'image', data: 'not base64!', mimeType: 'image/png' } }] }, 422, /^messages\.0\.content\.data: must be base64-encoded$/],
      ['a resource with text and blob', { messages: [{ role: 'user', content: { type: 'resource', resource: { uri: 'a://b', text: 'x', blob: PNG } } }] }, 422, /^messages\.0\.content\.resource: give either `text` or `blob`, not both$/],
      ['a resource without a URI', { messages: [{ role: 'user', content: { type: 'resource', resource: { text: 'x' } } }] }, 422, /^messages\.0\.content\.resource\.uri: must be an absolute URI with a scheme/],
      ['a duplicate argument', { template: '{{a}}', arguments: [{ name: 'a' }, { name: 'a' }] }, 422, /^arguments: argument 'a' is declared twice$/],
      ['a template over MAX_PROMPT_SIZE', { template: 'x'.repeat(4001) }, 413, /^template: 4001 bytes of template text exceed the limit of 4000 bytes \(MAX_PROMPT_SIZE\)$/],
      ['message texts over MAX_PROMPT_SIZE together', { messages: [1, 2].map(() => ({ role: 'user', content: { type: 'text', text: 'y'.repeat(2001) } })) }, 413, /^messages: 4002 bytes/],
    ])('rejects %s', async (_label, body, status, message) => {
      const before = await snapshot();
      const res = await http.post('/prompts').send({ name: 'rejected', ...body }).expect(status);
      expect(res.body.message).toMatch(message);
      expect(await snapshot()).toEqual(before);
    });

    it('names the template field and its line in the error details', async () => {
      const res = await http.post('/prompts').send({ name: 'rejected', template: 'a\nb\n{{#each}}' }).expect(422);
      expect(res.body.details).toEqual({ field: 'template', line: 3 });
      expect(res.body.code).toBe('VALIDATION');
    });
  });

  describe('rendering over REST', () => {
    it('splits roles at # User: / # Assistant: markers, by id or by name, with the description', async () => {
      const p = await create({ name: 'chat', description: 'A short chat', template: 'Context: {{ctx}}\n# Assistant: Noted.\n# User: Now answer {{q}}\n#assistant:{{#if polite}}Gladly.{{/if}}' });
      const byName = await http.post('/prompts/chat').send({ ctx: 'C', q: 'Q?', polite: true }).expect(200);
      expect(byName.body).toEqual({
        description: 'A short chat',
        messages: [
          { role: 'user', content: { type: 'text', text: 'Context: C' } },
          { role: 'assistant', content: { type: 'text', text: 'Noted.' } },
          { role: 'user', content: { type: 'text', text: 'Now answer Q?' } },
          { role: 'assistant', content: { type: 'text', text: 'Gladly.' } },
        ],
      });
      // `{"args": {...}}` is accepted too; an assistant message left empty is dropped.
      const byId = await http.post(`/prompts/${p.id}`).send({ args: { ctx: 'C', q: 'Q?' } }).expect(200);
      expect(byId.body.messages).toHaveLength(3);
    });

    it('answers a missing required argument with 422 naming each one', async () => {
      await create({ name: 'needs_two', template: '{{first}} {{second}} {{#if third}}{{/if}}' });
      const one = await http.post('/prompts/needs_two').send({ first: 'a', second: '' }).expect(422);
      expect(one.body).toMatchObject({ message: 'arguments.second: is required', code: 'VALIDATION', details: { field: 'arguments.second', fields: ['arguments.second'] } });
      const both = await http.get('/prompts/needs_two').expect(422);
      expect(both.body.message).toBe('arguments.first: is required; arguments.second: is required');
      expect(both.body.details.fields).toEqual(['arguments.first', 'arguments.second']);
      await http.post('/prompts/needs_two').send({ first: 'a', second: 'b' }).expect(200);
      await http.post('/prompts/no_such_prompt').send({}).expect(404);
    });

    it('stops a runaway render (PROMPT_RENDER_TIMEOUT) and refuses oversized output (MAX_PROMPT_OUTPUT_SIZE)', async () => {
      await create({ name: 'runaway', template: '{{#each a}}{{#each @root.a}}{{#each @root.a}}.{{/each}}{{/each}}{{/each}}' });
      const list = Array.from({ length: 1000 }, (_, i) => i);
      const slow = await http.post('/prompts/runaway').send({ a: list }).expect(422);
      expect(slow.body.message).toBe('template: rendering took longer than 300 ms (PROMPT_RENDER_TIMEOUT)');
      const big = await http.post('/prompts/runaway').send({ a: list.slice(0, 18) }).expect(413);
      expect(big.body.message).toBe('template: the rendered prompt exceeds 5000 characters (MAX_PROMPT_OUTPUT_SIZE)');
      // 2 x 2 x 2 dots: each level loops over the whole list (through @root).
      expect((await http.post('/prompts/runaway').send({ a: [1, 2] }).expect(200)).body.messages[0].content.text).toBe('........');
    });

    it('never exposes prototype properties', async () => {
      await create({ name: 'proto', template: '{{constructor}}{{__proto__}}x{{a}}{{lookup a "constructor"}}{{#with a}}{{constructor.name}}{{/with}}', arguments: [{ name: 'a' }] });
      const r = await http.post('/prompts/proto').send({ a: 'y' }).expect(200);
      expect(r.body.messages[0].content.text).toBe('xy');
    });
  });

  describe('explicit multimodal messages', () => {
    const messages = [
      { role: 'user', content: { type: 'text', text: 'Describe this picture for {{audience}}:' } },
      { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'resource', resource: { uri: 'docs://style-guide' } } },
      { role: 'user', content: { type: 'resource', resource: { uri: 'docs://logo' } } },
      { role: 'assistant', content: { type: 'resource', resource: { uri: 'notes://inline', mimeType: 'text/plain', text: 'Inline {{not rendered}}' } } },
      { role: 'user', content: { type: 'resource_link', uri: 'docs://style-guide', name: 'Style guide', mimeType: 'text/markdown' } },
      { role: 'assistant', content: { type: 'text', text: '{{#if short}}Briefly:{{else}}In detail:{{/if}}' } },
    ];
    const rendered = [
      { role: 'user', content: { type: 'text', text: 'Describe this picture for children:' } },
      { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'resource', resource: { uri: 'docs://style-guide', mimeType: 'text/markdown', text: '# Be kind' } } },
      { role: 'user', content: { type: 'resource', resource: { uri: 'docs://logo', mimeType: 'image/png', blob: PNG } } },
      { role: 'assistant', content: { type: 'resource', resource: { uri: 'notes://inline', mimeType: 'text/plain', text: 'Inline {{not rendered}}' } } },
      { role: 'user', content: { type: 'resource_link', uri: 'docs://style-guide', name: 'Style guide', mimeType: 'text/markdown' } },
      { role: 'assistant', content: { type: 'text', text: 'In detail:' } },
    ];

    beforeAll(async () => {
      await http.post('/resources').send({ uri: 'docs://style-guide', name: 'Style guide', content: '# Be kind', mimeType: 'text/markdown' }).expect(200);
      await http.post('/resources').send({ uri: 'docs://logo', name: 'Logo', blob: PNG, mimeType: 'image/png' }).expect(200);
    });

    it('stores the messages, discovers arguments from their text parts, and renders them over REST', async () => {
      const p = await create({ name: 'describe_image', description: 'Describe an image', messages });
      expect(p.template).toBe('');
      expect(p.messages).toEqual(messages);
      expect(p.arguments).toEqual([
        { name: 'audience', required: true },
        { name: 'short', required: false },
      ]);
      const r = await http.post('/prompts/describe_image').send({ audience: 'children' }).expect(200);
      expect(r.body).toEqual({ description: 'Describe an image', messages: rendered });
    });

    it('serves them over MCP: the result validates against the SDK schema; a missing argument is -32602', async () => {
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        const listed = (await client.listPrompts()).prompts.find((x) => x.name === 'describe_image');
        expect(listed).toEqual({
          name: 'describe_image',
          description: 'Describe an image',
          arguments: [
            { name: 'audience', required: true },
            { name: 'short', required: false },
          ],
        });
        const result = await client.getPrompt({ name: 'describe_image', arguments: { audience: 'children' } });
        expect(GetPromptResultSchema.parse(result)).toEqual(result);
        expect(result).toEqual({ description: 'Describe an image', messages: rendered });

        const err = await rpcError(client.getPrompt({ name: 'describe_image', arguments: { short: 'yes' } }));
        expect(err.code).toBe(ErrorCode.InvalidParams);
        expect(err.message).toMatch(/arguments\.audience: is required/);
        expect(err.data).toMatchObject({ field: 'arguments.audience' });

        // Template prompts through MCP too (same renderer): roles split, -32602 names the argument.
        const chat = await client.getPrompt({ name: 'chat', arguments: { ctx: 'c', q: 'q' } });
        expect(chat.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
        const missing = await rpcError(client.getPrompt({ name: 'chat', arguments: { ctx: 'c' } }));
        expect(missing.code).toBe(ErrorCode.InvalidParams);
        expect(missing.message).toMatch(/arguments\.q: is required/);
      } finally {
        await client.close();
      }
    });

    it('warns when an embedded resource is not in the catalog, and fails to render it (409) until it is', async () => {
      const p = await create({ name: 'dangling', messages: [{ role: 'user', content: { type: 'resource', resource: { uri: 'docs://later' } } }] });
      expect(p.warnings).toEqual(['messages.0.content.resource: `docs://later` is not a resource of the catalog (yet): rendering fails until it is']);
      const missing = await http.post('/prompts/dangling').send({}).expect(409);
      expect(missing.body.message).toBe("messages.0.content.resource.uri: the prompt embeds 'docs://later', which is not an enabled resource of the catalog");
      const r = (await http.post('/resources').send({ uri: 'docs://later', name: 'Later', content: 'now here' }).expect(200)).body;
      expect((await http.post('/prompts/dangling').send({}).expect(200)).body.messages[0].content.resource).toEqual({ uri: 'docs://later', mimeType: 'text/plain', text: 'now here' });
      await http.post(`/resources/${r.id}/state?activate=false`).expect(200);
      await http.post('/prompts/dangling').send({}).expect(409);
    });
  });

  describe('versions and rollback', () => {
    let id: string;

    beforeAll(async () => {
      id = (await create({ name: 'versioned', description: 'first', template: 'v1 {{a}}' })).id;
      await http.put(`/prompts/${id}`).send({ template: 'v2 {{a}} {{b}}', version: 1 }).expect(200); // 2
      await http.put(`/prompts/${id}`).send({ description: 'third' }).expect(200); // 3
      await http.put(`/prompts/${id}`).send({ tags: ['no-content-change'] }).expect(200); // 4: metadata only, versioned too
      await http.post(`/prompts/${id}/state?activate=false`).expect(200); // 5: so is a state change
      await http.put(`/prompts/${id}`).send({ description: 'third' }).expect(200); // unchanged: no bump at all
      await http.post(`/prompts/${id}/state?activate=true`).expect(200); // 6
    });

    it('stores a version at create and at every update, metadata and state changes included, listed newest first and paged', async () => {
      expect((await http.get(`/prompts/${id}/info`)).body.version).toBe(6);
      const all = await versionsOf(id);
      // The numbers follow the prompt's version, without gaps.
      expect(all.map((v) => v.version)).toEqual([6, 5, 4, 3, 2, 1]);
      expect(all[5]).toEqual({
        promptId: id,
        version: 1,
        template: 'v1 {{a}}',
        messages: null,
        arguments: [{ name: 'a', required: true }],
        description: 'first',
        createdAt: expect.any(String),
        createdBy: 'anonymous',
        restoredFrom: null,
      });
      expect(all[4]).toMatchObject({ version: 2, template: 'v2 {{a}} {{b}}', description: 'first', arguments: [{ name: 'a', required: true }, { name: 'b', required: true }] });
      expect(all[3]).toMatchObject({ version: 3, template: 'v2 {{a}} {{b}}', description: 'third' });
      // A metadata-only version carries the content the prompt had then.
      for (const v of all.slice(0, 3)) expect(v).toMatchObject({ template: 'v2 {{a}} {{b}}', description: 'third', restoredFrom: null });

      const page1 = (await http.get(`/prompts/versioned/versions?limit=2&include_pagination=true`).expect(200)).body;
      expect(page1.versions.map((v: { version: number }) => v.version)).toEqual([6, 5]);
      const page2 = (await http.get(`/prompts/${id}/versions?limit=2&include_pagination=true&cursor=${page1.nextCursor}`).expect(200)).body;
      expect(page2.versions.map((v: { version: number }) => v.version)).toEqual([4, 3]);
      const page3 = (await http.get(`/prompts/${id}/versions?limit=2&include_pagination=true&cursor=${page2.nextCursor}`).expect(200)).body;
      expect(page3).toEqual({ versions: [expect.objectContaining({ version: 2 }), expect.objectContaining({ version: 1 })], nextCursor: null });
    });

    it('fetches one version by number; unknown or malformed numbers are 404 / 422', async () => {
      expect((await http.get(`/prompts/${id}/versions/2`).expect(200)).body).toMatchObject({ promptId: id, version: 2, template: 'v2 {{a}} {{b}}' });
      expect((await http.get(`/prompts/versioned/versions/1`).expect(200)).body.template).toBe('v1 {{a}}');
      expect((await http.get(`/prompts/${id}/versions/4`).expect(200)).body).toMatchObject({ version: 4, template: 'v2 {{a}} {{b}}' });
      expect((await http.get(`/prompts/${id}/versions/9`).expect(404)).body.message).toBe('Prompt version not found: versioned version 9');
      expect((await http.get(`/prompts/${id}/versions/two`).expect(422)).body.message).toMatch(/version: must be an integer number/);
      await http.get('/prompts/nope/versions').expect(404);
    });

    it('rolls back: content restored as a new version, history kept, audited as rollback', async () => {
      const res = await http.post(`/prompts/${id}/rollback`).send({ version: 1 }).expect(200);
      expect(res.body).toMatchObject({ id, version: 7, template: 'v1 {{a}}', description: 'first', arguments: [{ name: 'a', required: true }], tags: ['no-content-change'], enabled: true });
      const all = await versionsOf(id);
      expect(all.map((v) => [v.version, v.restoredFrom])).toEqual([
        [7, 1],
        [6, null],
        [5, null],
        [4, null],
        [3, null],
        [2, null],
        [1, null],
      ]);
      expect((await http.post('/prompts/versioned').send({ a: 'A' }).expect(200)).body.messages[0].content.text).toBe('v1 A');

      const trail = (await http.get(`/audit?entity_type=prompt&entity_id=${id}`).expect(200)).body.items;
      expect(trail[0]).toMatchObject({ action: 'rollback', entityName: 'versioned', changedFields: ['arguments', 'description', 'template'] });
      expect((await http.get(`/audit?entity_id=${id}&action=rollback`)).body.items).toHaveLength(1);

      // `?version=` works too, by name, with an optimistic lock.
      const viaQuery = await http.post('/prompts/versioned/rollback?version=3').send({ expectedVersion: 7 }).expect(200);
      expect(viaQuery.body).toMatchObject({ version: 8, template: 'v2 {{a}} {{b}}', description: 'third' });
      expect((await versionsOf(id)).map((v) => v.version)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    });

    it('treats a rollback to the current content as a no-op, and rejects unknown, missing or conflicting versions', async () => {
      const before = await versionsOf(id);
      const same = await http.post(`/prompts/${id}/rollback`).send({ version: 3 }).expect(200);
      expect(same.body.version).toBe(8);
      expect(await versionsOf(id)).toEqual(before);

      expect((await http.post(`/prompts/${id}/rollback`).send({ version: 99 }).expect(404)).body.message).toBe('Prompt version not found: versioned version 99');
      expect((await http.post(`/prompts/${id}/rollback`).expect(422)).body.message).toBe('version: give the version to restore, as {"version": n} or ?version=n');
      expect((await http.post(`/prompts/${id}/rollback?version=1`).send({ version: 2 }).expect(422)).body.message).toMatch(/^version: given twice with different values/);
      expect((await http.post(`/prompts/${id}/rollback`).send({ version: 0 }).expect(422)).body.message).toMatch(/^version: must not be less than 1/);
      expect((await http.post(`/prompts/${id}/rollback`).send({ version: 1, expected_version: 3 }).expect(409)).body.message).toMatch(/modified concurrently \(expected version 3, found 8\)/);
      await http.post('/prompts/nope/rollback').send({ version: 1 }).expect(404);
      expect(await versionsOf(id)).toEqual(before);
    });

    it('keeps optimistic locking on updates: a stale version is 409 and stores nothing', async () => {
      const before = await versionsOf(id);
      const stale = await http.put(`/prompts/${id}`).send({ template: 'never {{x}}', version: 2 }).expect(409);
      expect(stale.body.message).toMatch(/expected version 2, found 8/);
      expect(await versionsOf(id)).toEqual(before);
      expect((await http.get(`/prompts/${id}/info`)).body.template).toBe('v2 {{a}} {{b}}');
    });

    it('versions a messages prompt and rolls back between template and messages', async () => {
      const p = await create({ name: 'switcher', template: 'plain {{x}}' });
      await http.put(`/prompts/${p.id}`).send({ messages: [{ role: 'assistant', content: { type: 'text', text: 'multi {{y}}' } }] }).expect(200);
      expect((await http.post('/prompts/switcher').send({ y: 'Y' }).expect(200)).body.messages).toEqual([{ role: 'assistant', content: { type: 'text', text: 'multi Y' } }]);
      const back = await http.post(`/prompts/${p.id}/rollback`).send({ version: 1 }).expect(200);
      expect(back.body).toMatchObject({ version: 3, template: 'plain {{x}}', messages: null, arguments: [{ name: 'x', required: true }] });
      const v2 = (await http.get(`/prompts/${p.id}/versions/2`).expect(200)).body;
      expect(v2).toMatchObject({ template: '', messages: [{ role: 'assistant', content: { type: 'text', text: 'multi {{y}}' } }], arguments: [{ name: 'y', required: true }] });
    });

    it('deletes the versions with the prompt', async () => {
      const p = await create({ name: 'short_lived', template: 'a {{x}}' });
      await http.put(`/prompts/${p.id}`).send({ template: 'b {{x}}' }).expect(200);
      const repo = gw.app.get(PromptVersionRepository);
      expect((await repo.list(p.id, 10)).items).toHaveLength(2);
      await http.delete(`/prompts/${p.id}`).expect(200);
      expect((await repo.list(p.id, 10)).items).toEqual([]);
      await http.get(`/prompts/${p.id}/versions`).expect(404);
      // A new prompt of the same name starts its own history.
      const again = await create({ name: 'short_lived', template: 'c' });
      expect((await versionsOf(again.id)).map((v) => v.version)).toEqual([1]);
    });

    it('refuses versions and rollback of a federated prompt (409), whose content lives at its peer', async () => {
      const peer = await gw.app.get(GatewayRepository).insert(makeGateway({ name: 'peer-a' }));
      const federated = await gw.app.get(PromptRepository).insert(makePrompt({ name: 'peer-a-remote', gatewayId: peer.id, federationSource: 'peer-a', template: '' }));
      const list = await http.get(`/prompts/${federated.id}/versions`).expect(409);
      expect(list.body.message).toBe("Prompt 'peer-a-remote' is federated from peer 'peer-a': its content lives at the peer, so it has no versions here");
      await http.get(`/prompts/${federated.id}/versions/1`).expect(409);
      await http.post(`/prompts/${federated.id}/rollback`).send({ version: 1 }).expect(409);
      const edit = await http.put(`/prompts/${federated.id}`).send({ template: 'local {{x}}' }).expect(422);
      expect(edit.body.message).toMatch(/^gatewayId: this prompt is federated/);
      // A local description edit is allowed and stores no version.
      await http.put(`/prompts/${federated.id}`).send({ description: 'annotated here' }).expect(200);
      expect((await gw.app.get(PromptVersionRepository).list(federated.id, 10)).items).toEqual([]);
    });
  });
});
