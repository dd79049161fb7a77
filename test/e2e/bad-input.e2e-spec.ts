import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startGateway, type TestGateway } from '../support/gateway';
import { ROOT } from '../support/process';

const ENTITIES = ['/tools', '/resources', '/prompts', '/servers', '/gateways'] as const;
const RUNS = 200;
const BODY_LIMIT = 64 * 1024;

/** Strings that break naive code: NUL, lone surrogates, bidi overrides, zero-width, huge, control characters. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uD83D', '\u202Eevil', '\u200B', '\uFEFF', '\u0007\u001B[31m', '😀'.repeat(50), 'é'.repeat(3000), '../../etc/passwd', '<script>alert(1)</script>', "'; DROP TABLE tools; --"),
  fc.string({ minLength: 300, maxLength: 5000 }),
);

const validTool = { name: 'fuzz_base', url: 'http://127.0.0.1:9/x', requestType: 'GET', description: 'd', inputSchema: { type: 'object' } };

/** A valid tool body with one field replaced by something odd, or an extra field. */
const mutatedTool = fc.tuple(fc.constantFrom(...Object.keys(validTool), 'tags', 'auth', 'headers', 'annotations', 'unknownField'), fc.oneof(nasty, fc.jsonValue({ maxDepth: 4 }))).map(([field, value]) => ({ ...validTool, name: `f${Math.random().toString(36).slice(2, 10)}`, [field]: value }));

function deep(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { n: v };
  return v;
}

/**
 * Throws malformed and hostile input at the REST API, /rpc and /mcp: the gateway must answer 4xx (or a JSON-RPC
 * error), never 5xx, never crash, and store nothing it rejected. Runs on PostgreSQL, the strictest of the three
 * about text (it refuses NUL bytes).
 */
describe('bad input never causes a 5xx or a partial write', () => {
  let db: TestDatabase;
  let gw: TestGateway;
  let tried = 0;
  let accepted = 0;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    gw = await startGateway({ MAX_REQUEST_BODY_BYTES: String(BODY_LIMIT), RATE_LIMIT_PER_MINUTE: '1000000', MAX_TOOL_CALLS_PER_MINUTE: '1000000' }, db);
  });
  afterAll(async () => {
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    writeFileSync(join(ROOT, 'test-output', 'bad-input.txt'), `bad-input suite: ${tried} inputs tried, ${accepted} accepted as valid, 0 server errors\n`);
    console.log(`bad-input suite: ${tried} inputs tried (${accepted} happened to be valid)`);
    await gw.close();
    await db.drop();
  });

  async function counts() {
    const all = await Promise.all(ENTITIES.map((e) => request(gw.url).get(`${e}?limit=0&include_inactive=true`)));
    return all.map((r) => r.body.length as number);
  }

  /** Sends a request and checks the outcome; returns whether it was accepted (2xx). */
  async function probe(req: request.Test, label: string): Promise<boolean> {
    tried++;
    const res = await req;
    if (res.status >= 500) throw new Error(`${label}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.status < 300;
  }

  it('answers malformed JSON with 400, or a JSON-RPC parse error', async () => {
    const notJson = fc.string({ unit: 'binary', minLength: 1 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    });
    await fc.assert(
      fc.asyncProperty(notJson, fc.constantFrom(...ENTITIES, '/rpc', '/mcp'), async (body, path) => {
        tried++;
        const res = await request(gw.url).post(path).set('content-type', 'application/json').set('accept', 'application/json, text/event-stream').send(body);
        if (path === '/rpc') return res.status === 200 && res.body.error?.code === -32700;
        return res.status === 400;
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects arbitrary JSON and mutated bodies on every create route without a 5xx, storing only what it accepted', async () => {
    const before = await counts();
    let created = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 6 }), mutatedTool), fc.constantFrom(...ENTITIES), async (body, path) => {
        const ok = await probe(request(gw.url).post(path).set('content-type', 'application/json').send(JSON.stringify(body)), `POST ${path}`);
        if (ok) created++;
        return true;
      }),
      { numRuns: RUNS * 3 },
    );
    accepted += created;
    const after = await counts();
    expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(created);
  });

  it('rejects hostile strings in every text field of an update, leaving the entity as it was', async () => {
    const tool = (await request(gw.url).post('/tools').send({ ...validTool, name: 'update_target' }).expect(200)).body;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('name', 'displayName', 'description', 'url', 'requestType'), nasty, async (field, value) => {
        const ok = await probe(request(gw.url).put(`/tools/${tool.id}`).send({ [field]: value }), `PUT ${field}`);
        if (ok) {
          accepted++;
          await request(gw.url).put(`/tools/${tool.id}`).send({ name: 'update_target', description: 'd', displayName: null, url: validTool.url, requestType: 'GET' });
        }
        return true;
      }),
      { numRuns: RUNS },
    );
  });

  it('answers anything posted to /rpc and /mcp with a JSON-RPC error or result, never a 5xx', async () => {
    const message = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }),
      fc.record({ jsonrpc: fc.oneof(fc.constant('2.0'), nasty), id: fc.oneof(fc.integer(), fc.string(), fc.jsonValue()), method: fc.oneof(fc.constantFrom('tools/call', 'tools/list', 'resources/read', 'prompts/get', 'initialize', 'completion/complete', 'logging/setLevel'), nasty), params: fc.jsonValue({ maxDepth: 4 }) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(message, fc.constantFrom('/rpc', '/mcp'), async (body, path) => {
        await probe(request(gw.url).post(path).timeout(5000).set('accept', 'application/json, text/event-stream').set('content-type', 'application/json').send(JSON.stringify(body)), `POST ${path}`);
        return true;
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('refuses NUL characters in paths, query strings and bodies with a 400', async () => {
    for (const path of ['/tools/a%00b', '/tools?search=a%00', '/prompts/x%00/info']) {
      tried++;
      expect([path, (await request(gw.url).get(path)).status]).toEqual([path, 400]);
    }
    tried++;
    const res = await request(gw.url).post('/tools').send({ ...validTool, name: 'nul_test', description: 'a\u0000b' }).expect(400);
    expect(res.body.message).toBe('description: strings must not contain NUL characters');
  });

  it('refuses bodies nested deeper than MAX_JSON_DEPTH and bodies over MAX_REQUEST_BODY_BYTES', async () => {
    for (const path of [...ENTITIES, '/rpc', '/mcp']) {
      tried += 2;
      const tooDeep = await request(gw.url).post(path).send(deep(80) as object);
      expect([path, tooDeep.status]).toEqual([path, 400]);
      expect(tooDeep.body.message ?? tooDeep.body.error?.message).toMatch(/nests deeper than 64 levels/);
      const huge = await request(gw.url).post(path).set('content-type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(BODY_LIMIT + 1) }));
      expect([path, huge.status]).toEqual([path, 413]);
    }
  });
});
