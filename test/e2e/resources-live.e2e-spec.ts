import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startGateway, type TestGateway } from '../support/gateway';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstream';
import { connectMcp, rpcError, until } from '../support/mcp';
import { startDedicatedRedis, type DedicatedRedis } from '../support/redis';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x10]);
const MAX = 2000;

/**
 * Live resources on a running gateway, read by real SDK clients over Streamable HTTP: URI templates resolved on
 * read, HTTP-backed content from a real upstream (cache, refresh, failures), the MIME allowlist and size limit,
 * binary content, and `notifications/resources/updated` to subscribers only.
 */
describe('live resources', () => {
  let gw: TestGateway;
  let up: HttpUpstream;
  let http: ReturnType<typeof request>;
  let docBody = 'version 1';
  let liveBody = '';
  let ticks = 0;
  const hits = (path: string) => up.requests.filter((r) => r.path === path).length;

  beforeAll(async () => {
    up = await startHttpUpstream((req, res) => {
      if (req.path === '/tick') {
        // Content that differs on every fetch, like a timestamp.
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end(`tick ${++ticks}`);
      }
      if (req.path === '/live') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end(liveBody);
      }
      if (req.path === '/doc') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end(docBody);
      }
      if (req.path.startsWith('/users/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ user: decodeURIComponent(req.path.slice('/users/'.length)), page: req.query.page ?? null }));
      }
      if (req.path === '/img') {
        res.writeHead(200, { 'content-type': 'image/png' });
        return void res.end(PNG);
      }
      if (req.path === '/exe') {
        res.writeHead(200, { 'content-type': 'application/x-msdownload' });
        return void res.end('MZ');
      }
      if (req.path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('x'.repeat(MAX * 3));
      }
      if (req.path === '/slow') {
        const timer = setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('late');
        }, 5000);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('boom');
    });
    gw = await startGateway({ MAX_RESOURCE_SIZE: String(MAX), RESOURCE_FETCH_TIMEOUT: '1.5', RESOURCE_CACHE_TTL: '60' });
    http = request(gw.url);
  });

  afterAll(async () => {
    await gw.close();
    await up.close();
  });

  const create = async (body: Record<string, unknown>, status = 200) => (await http.post('/resources').send(body).expect(status)).body;

  /** A connected client recording the resource notifications it receives. */
  async function watcher(): Promise<{ client: Client; updated: string[]; listChanged: number[] }> {
    const client = await connectMcp(`${gw.url}/mcp`);
    const updated: string[] = [];
    const listChanged: number[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged.push(Date.now()));
    // The SDK client opens its GET stream after initialization; give it a moment to attach.
    await new Promise((r) => setTimeout(r, 200));
    return { client, updated, listChanged };
  }

  describe('URI templates', () => {
    beforeAll(async () => {
      await create({ uri: 'users://{id}/profile', name: 'profile', uriTemplate: 'users://{id}/profile', content: 'Profile of {id}: {"json": true}', mimeType: 'text/markdown' });
      await create({ uri: 'api://users/{name}', name: 'api-user', uriTemplate: 'api://users/{name}{?page}', contentUrl: `${up.url}/users/{name}{?page}`, cacheTtl: 0 });
    });

    it('lists template resources under resources/templates/list, not resources/list', async () => {
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        const templates = (await client.listResourceTemplates()).resourceTemplates;
        expect(templates).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ uriTemplate: 'users://{id}/profile', name: 'profile', mimeType: 'text/markdown' }),
            expect.objectContaining({ uriTemplate: 'api://users/{name}{?page}', name: 'api-user' }),
          ]),
        );
        expect((await client.listResources()).resources.map((r) => r.uri)).not.toContain('users://{id}/profile');
        const rest = (await http.get('/resources/templates/list').expect(200)).body.resourceTemplates;
        expect(rest.map((t: { uriTemplate: string }) => t.uriTemplate).sort()).toEqual(templates.map((t) => t.uriTemplate).sort());
      } finally {
        await client.close();
      }
    });

    it('reads a concrete URI through its template, filling the variables into the text', async () => {
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        const read = await client.readResource({ uri: 'users://42/profile' });
        expect(read.contents).toEqual([{ uri: 'users://42/profile', mimeType: 'text/markdown', text: 'Profile of 42: {"json": true}' }]);
        expect((await client.readResource({ uri: 'users://ada/profile' })).contents[0]).toMatchObject({ text: 'Profile of ada: {"json": true}' });
      } finally {
        await client.close();
      }
    });

    it('fetches an HTTP-backed template with the variables percent-encoded into its URL', async () => {
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        const read = await client.readResource({ uri: 'api://users/a%20b?page=2' });
        expect(read.contents).toEqual([{ uri: 'api://users/a%20b?page=2', mimeType: 'application/json', text: JSON.stringify({ user: 'a b', page: '2' }) }]);
        // A value cannot escape its path segment.
        // Query expressions are optional.
        expect((await client.readResource({ uri: 'api://users/..%2Fadmin' })).contents[0]).toMatchObject({ text: JSON.stringify({ user: '../admin', page: null }) });
        expect(up.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/users/a%20b', '/users/..%2Fadmin']));
        expect(up.requests.some((r) => r.path === '/admin')).toBe(false);
      } finally {
        await client.close();
      }
    });

    it('answers -32002 for a URI no resource or template matches', async () => {
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        const err = await rpcError(client.readResource({ uri: 'nothing://here' }));
        expect(err.code).toBe(-32002);
        expect(err.message).toMatch(/Resource not found: nothing:\/\/here/);
        expect((await rpcError(client.readResource({ uri: 'users://42/other' }))).code).toBe(-32002);
      } finally {
        await client.close();
      }
    });

    it('validates templates and their contentUrl variables (422 naming the field)', async () => {
      const unknownVar = await create({ uri: 'x://{a}', name: 'x', uriTemplate: 'x://{a}', contentUrl: `${up.url}/{b}` }, 422);
      expect(unknownVar.message).toMatch(/^contentUrl: uses \{b\}, which uriTemplate does not define/);
      const plain = await create({ uri: 'x://plain', name: 'x', contentUrl: `${up.url}/{b}` }, 422);
      expect(plain.message).toMatch(/^contentUrl: may use \{variables\} only in a template resource/);
    });
  });

  describe('HTTP-backed resources', () => {
    let doc: { id: string; uri: string };

    beforeAll(async () => {
      doc = await create({ resource: { uri: 'web://doc', name: 'doc', contentUrl: `${up.url}/doc`, cacheTtl: 60 } });
    });

    it('fetches on the first read, then serves reads within the TTL from the cache (MCP and REST)', async () => {
      expect(doc).toMatchObject({ contentUrl: `${up.url}/doc`, cacheTtl: 60, mimeType: null, contentHash: null });
      const before = hits('/doc');
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        const first = await client.readResource({ uri: 'web://doc' });
        expect(first.contents).toEqual([{ uri: 'web://doc', mimeType: 'text/plain', text: 'version 1' }]);
        expect(hits('/doc')).toBe(before + 1);
        expect((await client.readResource({ uri: 'web://doc' })).contents[0]).toMatchObject({ text: 'version 1' });
        expect((await http.get(`/resources/${doc.id}`).expect(200)).body).toEqual({ type: 'resource', id: doc.id, uri: 'web://doc', mimeType: 'text/plain', text: 'version 1' });
        expect(hits('/doc')).toBe(before + 1);
        // The fetch recorded the baseline hash of the content.
        expect((await http.get(`/resources/${doc.id}/info`).expect(200)).body).toMatchObject({ contentHash: expect.stringMatching(/^[0-9a-f]{64}$/), size: 9 });
      } finally {
        await client.close();
      }
    });

    it('refresh notifies subscribers when the upstream content changed, and only then; unsubscribed clients hear nothing', async () => {
      const subscribed = await watcher();
      const other = await watcher();
      try {
        await subscribed.client.subscribeResource({ uri: 'web://doc' });
        // The read above recorded the baseline: the upstream has not changed since.
        const baseline = (await http.get(`/resources/${doc.id}/info`).expect(200)).body.contentHash;
        const unchanged = (await http.post(`/resources/${doc.id}/refresh`).expect(200)).body;
        expect(unchanged).toMatchObject({ id: doc.id, changed: false, size: 9, mimeType: 'text/plain', contentHash: baseline });

        docBody = 'version 2, longer';
        const started = Date.now();
        const changed = (await http.post(`/resources/${doc.id}/refresh`).expect(200)).body;
        expect(changed).toMatchObject({ changed: true, size: docBody.length });
        expect(changed.contentHash).not.toBe(baseline);
        await until(() => subscribed.updated.length === 1 || undefined);
        console.log(`resources/updated received ${Date.now() - started} ms after the refresh request`);
        expect(subscribed.updated).toEqual(['web://doc']);

        // The refreshed content is what reads now return, from the cache the refresh primed.
        const fetchesBefore = hits('/doc');
        expect((await subscribed.client.readResource({ uri: 'web://doc' })).contents[0]).toMatchObject({ text: 'version 2, longer' });
        expect(hits('/doc')).toBe(fetchesBefore);
        expect((await http.get(`/resources/${doc.id}/info`).expect(200)).body).toMatchObject({ contentHash: changed.contentHash, size: docBody.length });

        await new Promise((r) => setTimeout(r, 300));
        expect(other.updated).toEqual([]);
        expect(subscribed.updated).toHaveLength(1);
      } finally {
        await subscribed.client.close();
        await other.client.close();
      }
    });

    it('notifies subscribers when a read after the cache TTL fetches new content, and only then', async () => {
      liveBody = 'live 1';
      const live = await create({ uri: 'web://live', name: 'live', contentUrl: `${up.url}/live`, cacheTtl: 1 });
      const subscribed = await watcher();
      const other = await watcher();
      try {
        await subscribed.client.subscribeResource({ uri: 'web://live' });
        const read = async () => ((await subscribed.client.readResource({ uri: 'web://live' })).contents[0] as { text: string }).text;
        expect(await read()).toBe('live 1');
        // The first fetch records the baseline, which counts as a change.
        await until(() => subscribed.updated.length === 1 || undefined);
        const baseline = (await http.get(`/resources/${live.id}/info`).expect(200)).body;
        expect(baseline).toMatchObject({ size: 6, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

        // Within the TTL the cache answers; the upstream's new content is not seen yet.
        liveBody = 'live 2, changed';
        const fetches = hits('/live');
        expect(await read()).toBe('live 1');
        expect(hits('/live')).toBe(fetches);

        // After the TTL a read fetches again, finds new content and tells the subscribers.
        await new Promise((r) => setTimeout(r, 1100));
        const started = Date.now();
        expect(await read()).toBe('live 2, changed');
        expect(hits('/live')).toBe(fetches + 1);
        await until(() => subscribed.updated.length === 2 || undefined);
        console.log(`resources/updated received ${Date.now() - started} ms after the read that fetched new content`);
        expect(subscribed.updated).toEqual(['web://live', 'web://live']);
        const after = (await http.get(`/resources/${live.id}/info`).expect(200)).body;
        expect(after).toMatchObject({ size: liveBody.length, version: baseline.version + 1, modifiedVia: 'system' });
        expect(after.contentHash).not.toBe(baseline.contentHash);
        // The fetched content is what the cache holds now: no second fetch.
        expect(await read()).toBe('live 2, changed');
        expect(hits('/live')).toBe(fetches + 1);

        // A re-fetch of unchanged content (after the TTL) notifies no one.
        await new Promise((r) => setTimeout(r, 1100));
        expect(await read()).toBe('live 2, changed');
        expect(hits('/live')).toBe(fetches + 2);
        await new Promise((r) => setTimeout(r, 300));
        expect(subscribed.updated).toHaveLength(2);
        expect(other.updated).toEqual([]);
        expect((await http.get(`/resources/${live.id}/info`).expect(200)).body.version).toBe(after.version);
      } finally {
        await subscribed.client.close();
        await other.client.close();
      }
    });

    /** A watcher that, like a real client, reads the resource again whenever it is told it changed. */
    async function rereader(uri: string): Promise<Awaited<ReturnType<typeof watcher>> & { rereads: number }> {
      const w = Object.assign(await watcher(), { rereads: 0 });
      w.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        w.updated.push(n.params.uri);
        w.rereads++;
        void w.client.readResource({ uri }).catch(() => undefined);
      });
      await w.client.subscribeResource({ uri });
      return w;
    }

    it('with cacheTtl 0, reads of an upstream that changes on every fetch record nothing and notify no one', async () => {
      const tick = await create({ uri: 'web://tick', name: 'tick', contentUrl: `${up.url}/tick`, cacheTtl: 0 });
      const subscribed = await rereader('web://tick');
      const listChangedBefore = subscribed.listChanged.length;
      try {
        const fetches = hits('/tick');
        const texts = new Set<string>();
        for (let i = 0; i < 3; i++) texts.add(((await subscribed.client.readResource({ uri: 'web://tick' })).contents[0] as { text: string }).text);
        // REST reads (and the admin detail preview, which reads the same way) too.
        for (let i = 0; i < 2; i++) texts.add((await http.get(`/resources/${tick.id}`).expect(200)).body.text);
        expect(texts.size).toBe(5);
        expect(hits('/tick')).toBe(fetches + 5);

        await new Promise((r) => setTimeout(r, 400));
        expect(subscribed.updated).toEqual([]);
        expect(subscribed.listChanged).toHaveLength(listChangedBefore);
        // Nothing re-read behind our back: every fetch was one of ours.
        expect(hits('/tick')).toBe(fetches + 5);
        expect((await http.get(`/resources/${tick.id}/info`).expect(200)).body).toMatchObject({ version: 1, contentHash: null, size: null });
        // A refresh still detects the change when asked.
        expect((await http.post(`/resources/${tick.id}/refresh`).expect(200)).body.changed).toBe(true);
        await until(() => subscribed.updated.length === 1 || undefined);
      } finally {
        await subscribed.client.close();
      }
    });

    it('with a cache TTL, records a change at most once per TTL, however often the cache is missed', async () => {
      const clock = await create({ uri: 'web://clock', name: 'clock', contentUrl: `${up.url}/tick`, cacheTtl: 60 });
      const other = await create({ uri: 'docs://bystander', name: 'bystander', content: 'x' });
      const subscribed = await rereader('web://clock');
      try {
        const read = async () => ((await subscribed.client.readResource({ uri: 'web://clock' })).contents[0] as { text: string }).text;
        const first = await read();
        // The first fetch records the baseline; the subscriber's re-read is served from the cache.
        await until(() => subscribed.updated.length === 1 || undefined);
        const baseline = (await http.get(`/resources/${clock.id}/info`).expect(200)).body;
        expect(baseline).toMatchObject({ version: 2, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
        await until(() => subscribed.rereads === 1 || undefined);
        const fetches = hits('/tick');

        // Any resource change outdates the fetch cache: each read below fetches new content, within the TTL.
        const seen = new Set([first]);
        for (let i = 0; i < 3; i++) {
          await http.put(`/resources/${other.id}`).send({ description: `change ${i}` }).expect(200);
          seen.add(await read());
        }
        expect(seen.size).toBe(4);
        expect(hits('/tick')).toBe(fetches + 3);
        await new Promise((r) => setTimeout(r, 400));
        expect(subscribed.updated).toEqual(['web://clock']);
        expect((await http.get(`/resources/${clock.id}/info`).expect(200)).body).toMatchObject({ version: baseline.version, contentHash: baseline.contentHash });
      } finally {
        await subscribed.client.close();
      }
    });

    it('serves binary upstream content as a blob', async () => {
      const img = await create({ uri: 'web://img', name: 'img', contentUrl: `${up.url}/img` });
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        const read = await client.readResource({ uri: 'web://img' });
        expect(read.contents).toEqual([{ uri: 'web://img', mimeType: 'image/png', blob: PNG.toString('base64') }]);
        expect(Buffer.from((await http.get(`/resources/${img.id}`).expect(200)).body.blob, 'base64')).toEqual(PNG);
      } finally {
        await client.close();
      }
    });

    it('turns upstream failures into quick JSON-RPC errors naming the URL and status (REST: 502/504)', async () => {
      const failing = await create({ uri: 'web://fail', name: 'fail', contentUrl: `${up.url}/fail` });
      const slow = await create({ uri: 'web://slow', name: 'slow', contentUrl: `${up.url}/slow` });
      const exe = await create({ uri: 'web://exe', name: 'exe', contentUrl: `${up.url}/exe` });
      const big = await create({ uri: 'web://big', name: 'big', contentUrl: `${up.url}/big` });
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        let started = Date.now();
        const e500 = await rpcError(client.readResource({ uri: 'web://fail' }));
        expect(e500.message).toContain(`contentUrl ${up.url}/fail answered HTTP 500`);
        expect(Date.now() - started).toBeLessThan(2000);

        started = Date.now();
        const timeout = await rpcError(client.readResource({ uri: 'web://slow' }));
        const waited = Date.now() - started;
        console.log(`slow upstream: JSON-RPC error after ${waited} ms (RESOURCE_FETCH_TIMEOUT=1.5)`);
        expect(timeout.message).toMatch(/no response within 1500 ms \(RESOURCE_FETCH_TIMEOUT\)/);
        expect(waited).toBeLessThan(3500);

        expect((await rpcError(client.readResource({ uri: 'web://exe' }))).message).toMatch(/content type application\/x-msdownload, which ALLOWED_MIME_TYPES does not allow/);
        expect((await rpcError(client.readResource({ uri: 'web://big' }))).message).toMatch(/exceeds the limit of 2000 bytes \(MAX_RESOURCE_SIZE\)/);

        expect((await http.get(`/resources/${failing.id}`).expect(502)).body.message).toMatch(/answered HTTP 500/);
        await http.get(`/resources/${slow.id}`).expect(504);
        await http.post(`/resources/${exe.id}/refresh`).expect(502);
        await http.post(`/resources/${big.id}/refresh`).expect(413);
        // Errors are not cached: a healthy upstream is asked again.
        const before = hits('/fail');
        await rpcError(client.readResource({ uri: 'web://fail' }));
        expect(hits('/fail')).toBe(before + 1);
      } finally {
        await client.close();
      }
    });

    it('validates contentUrl (422 naming the field) and refuses refreshing a resource without one', async () => {
      expect((await create({ uri: 'web://both', name: 'b', content: 'x', contentUrl: `${up.url}/doc` }, 422)).message).toMatch(/^contentUrl: /);
      expect((await create({ uri: 'web://ftp', name: 'b', contentUrl: 'ftp://example.com/x' }, 422)).message).toMatch(/^contentUrl: must be an http\(s\) URL/);
      expect((await create({ uri: 'web://meta', name: 'b', contentUrl: 'http://169.254.169.254/latest/meta-data' }, 422)).message).toMatch(/^contentUrl: is not allowed by SSRF protection/);
      expect((await create({ uri: 'web://ttl', name: 'b', contentUrl: `${up.url}/doc`, cacheTtl: -1 }, 422)).message).toMatch(/cacheTtl/);
      const stored = await create({ uri: 'web://stored', name: 's', content: 'x' });
      expect((await http.post(`/resources/${stored.id}/refresh`).expect(422)).body.message).toMatch(/^contentUrl: this resource has no contentUrl/);
    });
  });

  describe('notifications on REST changes', () => {
    it('sends resources/updated to subscribers of a changed resource (and of URIs a changed template matches), list_changed to all', async () => {
      const notes = await create({ uri: 'docs://notes', name: 'notes', content: 'v1' });
      const template = (await http.get('/resources?limit=0').expect(200)).body.find((r: { uri: string }) => r.uri === 'users://{id}/profile');
      const subscribed = await watcher();
      const other = await watcher();
      try {
        await subscribed.client.subscribeResource({ uri: 'docs://notes' });
        await subscribed.client.subscribeResource({ uri: 'users://7/profile' });
        await http.put(`/resources/${notes.id}`).send({ content: 'v2' }).expect(200);
        await until(() => subscribed.updated.includes('docs://notes') || undefined);
        expect((await subscribed.client.readResource({ uri: 'docs://notes' })).contents[0]).toMatchObject({ text: 'v2' });

        await http.put(`/resources/${template.id}`).send({ content: 'New profile of {id}' }).expect(200);
        await until(() => subscribed.updated.includes('users://7/profile') || undefined);
        expect((await subscribed.client.readResource({ uri: 'users://7/profile' })).contents[0]).toMatchObject({ text: 'New profile of 7' });

        await subscribed.client.unsubscribeResource({ uri: 'docs://notes' });
        const seen = subscribed.updated.length;
        await http.put(`/resources/${notes.id}`).send({ content: 'v3' }).expect(200);
        await create({ uri: 'docs://new', name: 'new', content: 'x' });
        await until(() => other.listChanged.length > 0 || undefined);
        await new Promise((r) => setTimeout(r, 300));
        expect(subscribed.updated).toHaveLength(seen);
        expect(other.updated).toEqual([]);
      } finally {
        await subscribed.client.close();
        await other.client.close();
      }
    });
  });

  describe('MIME allowlist, size limit and binary content', () => {
    it('rejects a MIME type outside ALLOWED_MIME_TYPES with 422 naming mimeType, on create and update', async () => {
      const bad = await create({ uri: 'file:///x.exe', name: 'exe', content: 'MZ', mimeType: 'application/x-msdownload' }, 422);
      expect(bad.message).toMatch(/^mimeType: application\/x-msdownload is not allowed \(ALLOWED_MIME_TYPES: text\/\*/);
      const ok = await create({ uri: 'file:///ok.json', name: 'ok', content: '{}', mimeType: 'application/json; charset=utf-8' });
      expect((await http.put(`/resources/${ok.id}`).send({ mimeType: 'video/mp4' }).expect(422)).body.message).toMatch(/^mimeType: video\/mp4 is not allowed/);
    });

    it('rejects oversize content and blobs with 413 naming the field', async () => {
      expect((await create({ uri: 'file:///big.txt', name: 'big', content: 'x'.repeat(MAX + 1) }, 413)).message).toMatch(/^content: 2001 bytes exceeds/);
      expect((await create({ uri: 'file:///big.bin', name: 'big', blob: Buffer.alloc(MAX + 1).toString('base64') }, 413)).message).toMatch(/^blob: 2001 bytes exceeds/);
    });

    it('round-trips binary content as a base64 blob over REST and MCP', async () => {
      const png = await create({ uri: 'file:///logo.png', name: 'logo', blob: PNG.toString('base64'), mimeType: 'image/png' });
      expect(png).toMatchObject({ size: PNG.length, mimeType: 'image/png' });
      expect((await http.get(`/resources/${png.id}`).expect(200)).body).toEqual({ type: 'resource', id: png.id, uri: 'file:///logo.png', mimeType: 'image/png', blob: PNG.toString('base64') });
      const client = await connectMcp(`${gw.url}/mcp`);
      try {
        const [content] = (await client.readResource({ uri: 'file:///logo.png' })).contents as Array<{ blob: string; mimeType: string }>;
        expect(content.mimeType).toBe('image/png');
        expect(Buffer.from(content.blob, 'base64')).toEqual(PNG);
      } finally {
        await client.close();
      }
    });
  });
});

/**
 * Two gateways sharing one PostgreSQL database, with and without Redis: a session subscribed on one replica hears
 * of content changes made through the other (exact relay over Redis; without it, a coarse change found by polling
 * re-notifies every subscription).
 */
describe.each([
  { name: 'with Redis', redis: true },
  { name: 'without Redis', redis: false },
])('resources/updated across replicas ($name)', ({ redis: withRedis }) => {
  let db: TestDatabase;
  let redis: DedicatedRedis | undefined;
  let up: HttpUpstream;
  let a: TestGateway;
  let b: TestGateway;
  let body = 'one';

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    if (withRedis) redis = await startDedicatedRedis();
    up = await startHttpUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(body);
    });
    const env = { CACHE_TYPE: 'memory', ...(redis ? { REDIS_URL: redis.url, CACHE_PREFIX: 'live:' } : {}) };
    a = await startGateway(env, db);
    b = await startGateway(env, db);
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await up?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('notifies a subscriber on replica B of a REST update and of a refresh made through replica A', async () => {
    const notes = (await request(a.url).post('/resources').send({ uri: 'docs://shared', name: 'shared', content: 'v1' }).expect(200)).body;
    const web = (await request(a.url).post('/resources').send({ uri: 'web://shared', name: 'web', contentUrl: `${up.url}/x` }).expect(200)).body;
    const subscriber = await connectMcp(`${b.url}/mcp`);
    const bystander = await connectMcp(`${b.url}/mcp`);
    const updated: string[] = [];
    const heardByBystander: string[] = [];
    subscriber.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    bystander.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void heardByBystander.push(n.params.uri));
    try {
      await new Promise((r) => setTimeout(r, 200));
      await subscriber.subscribeResource({ uri: 'docs://shared' });
      await subscriber.subscribeResource({ uri: 'web://shared' });
      expect((await subscriber.readResource({ uri: 'web://shared' })).contents[0]).toMatchObject({ text: 'one' });

      const started = Date.now();
      await request(a.url).put(`/resources/${notes.id}`).send({ content: 'v2' }).expect(200);
      await until(() => updated.includes('docs://shared') || undefined, 10_000);
      console.log(`${withRedis ? 'Redis' : 'polling'} relay: resources/updated on replica B ${Date.now() - started} ms after the update on A`);
      expect((await subscriber.readResource({ uri: 'docs://shared' })).contents[0]).toMatchObject({ text: 'v2' });

      body = 'two';
      updated.length = 0;
      expect((await request(a.url).post(`/resources/${web.id}/refresh`).expect(200)).body.changed).toBe(true);
      await until(() => updated.includes('web://shared') || undefined, 10_000);
      expect((await subscriber.readResource({ uri: 'web://shared' })).contents[0]).toMatchObject({ text: 'two' });
      expect(heardByBystander).toEqual([]);
    } finally {
      await subscriber.close();
      await bystander.close();
    }
  });
});
