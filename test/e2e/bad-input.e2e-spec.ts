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

/** A plain `null`, as often as any other kind of odd value: a NOT NULL column must answer it with a 422, never a 500. */
const oddValue = (maxDepth: number) => fc.oneof(nasty, fc.constant(null), fc.jsonValue({ maxDepth }));

/** A valid tool body with one field replaced by something odd, or an extra field. */
const mutatedTool = fc
  .tuple(fc.constantFrom(...Object.keys(validTool), 'tags', 'enabled', 'integrationType', 'auth', 'headers', 'annotations', 'outputSchema', 'unknownField'), oddValue(4))
  .map(([field, value]) => ({ ...validTool, name: `f${Math.random().toString(36).slice(2, 10)}`, [field]: value }));

function deep(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { n: v };
  return v;
}

type Row = Record<string, unknown> & { id?: string };
type AuditRow = Row & { entityId?: string };

/** Everything the API can show of the database: every list (inactive included), the tokens and the audit log. */
interface DbState {
  lists: Record<string, Row[]>;
  tokens: Row[];
  audit: AuditRow[];
}

/**
 * Throws malformed and hostile input at the REST API, /rpc and /mcp: the gateway must answer 4xx (or a JSON-RPC
 * error), never 5xx, never crash, and store nothing it rejected: the full state the API shows (every list, the
 * tokens, the audit log) is compared before and after each property, minus what inputs that were accepted created.
 * Runs on PostgreSQL, the strictest of the three about text (it refuses NUL bytes).
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

  async function get<T>(path: string): Promise<T> {
    const res = await request(gw.url).get(path);
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body as T;
  }

  async function state(): Promise<DbState> {
    const [lists, tokens, audit] = await Promise.all([
      Promise.all(ENTITIES.map(async (e) => [e, await get<Row[]>(`${e}?limit=0&include_inactive=true`)] as const)),
      get<Row[]>('/tokens'),
      get<{ items: AuditRow[] }>('/audit?limit=0'),
    ]);
    return { lists: Object.fromEntries(lists), tokens, audit: audit.items };
  }

  /** The state without the given entities and their audit entries (what accepted inputs were allowed to add). */
  function minus(s: DbState, ids: Set<string>): DbState {
    return {
      lists: Object.fromEntries(Object.entries(s.lists).map(([k, rows]) => [k, rows.filter((r) => !ids.has(r.id!))])),
      tokens: s.tokens,
      audit: s.audit.filter((a) => !ids.has(a.entityId!)),
    };
  }

  /** Runs `body` and checks that the database is exactly as before, apart from the entities it reports as accepted. */
  async function unchangedExcept(body: (acceptedIds: Set<string>) => Promise<void>): Promise<void> {
    const before = await state();
    const ids = new Set<string>();
    await body(ids);
    const after = await state();
    expect(minus(after, ids)).toEqual(minus(before, ids));
  }

  /** Sends a request and checks the outcome; returns the response when it was accepted (2xx). */
  async function probe(req: request.Test, label: string): Promise<request.Response | null> {
    tried++;
    const res = await req;
    if (res.status >= 500) throw new Error(`${label}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    if (res.status < 300) accepted++;
    return res.status < 300 ? res : null;
  }

  it('answers malformed JSON with 400, or a JSON-RPC parse error, changing nothing', async () => {
    const notJson = fc.string({ unit: 'binary', minLength: 1 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    });
    await unchangedExcept(async () => {
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
  });

  it('rejects arbitrary JSON and mutated bodies on every create route without a 5xx, storing exactly what it accepted', async () => {
    await unchangedExcept(async (created) => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 6 }), mutatedTool), fc.constantFrom(...ENTITIES), async (body, path) => {
          const ok = await probe(request(gw.url).post(path).set('content-type', 'application/json').send(JSON.stringify(body)), `POST ${path}`);
          if (ok) {
            expect(typeof ok.body.id).toBe('string');
            created.add(ok.body.id as string);
          }
          return true;
        }),
        { numRuns: RUNS * 3 },
      );
    });
  });

  it('rejects hostile values in the fields of an update, leaving the entity exactly as it was', async () => {
    const tool = (await request(gw.url).post('/tools').send({ ...validTool, name: 'update_target' }).expect(200)).body;
    let current = await get<Row>(`/tools/${tool.id}`);
    const changed = new Set<string>();
    await unchangedExcept(async (ids) => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('name', 'displayName', 'description', 'url', 'requestType', 'tags', 'enabled', 'headers', 'auth', 'inputSchema', 'outputSchema', 'annotations', 'timeoutMs', 'integrationType', 'version'),
          oddValue(3),
          async (field, value) => {
            const ok = await probe(request(gw.url).put(`/tools/${tool.id}`).send({ [field]: value }), `PUT ${field}`);
            const now = await get<Row>(`/tools/${tool.id}`);
            if (ok) {
              changed.add(tool.id as string);
              current = now;
            } else {
              expect([field, now]).toEqual([field, current]);
            }
            return true;
          },
        ),
        { numRuns: RUNS },
      );
      // Accepted updates changed the target (and its audit trail); nothing else may have changed.
      for (const id of changed) ids.add(id);
    });
  });

  it('answers anything posted to /rpc and /mcp with a JSON-RPC error or result, never a 5xx, changing nothing', async () => {
    const message = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }),
      fc.record({ jsonrpc: fc.oneof(fc.constant('2.0'), nasty), id: fc.oneof(fc.integer(), fc.string(), fc.jsonValue()), method: fc.oneof(fc.constantFrom('tools/call', 'tools/list', 'resources/read', 'prompts/get', 'initialize', 'completion/complete', 'logging/setLevel'), nasty), params: fc.jsonValue({ maxDepth: 4 }) }, { requiredKeys: [] }),
    );
    await unchangedExcept(async () => {
      await fc.assert(
        fc.asyncProperty(message, fc.constantFrom('/rpc', '/mcp'), async (body, path) => {
          tried++;
          const res = await request(gw.url).post(path).timeout(5000).set('accept', 'application/json, text/event-stream').set('content-type', 'application/json').send(JSON.stringify(body));
          if (res.status >= 500) throw new Error(`POST ${path}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
          return true;
        }),
        { numRuns: RUNS * 2 },
      );
    });
  });

  it('refuses NUL characters in paths, query strings and bodies with a 400, changing nothing', async () => {
    await unchangedExcept(async () => {
      for (const path of ['/tools/a%00b', '/tools?search=a%00', '/prompts/x%00/info']) {
        tried++;
        expect([path, (await request(gw.url).get(path)).status]).toEqual([path, 400]);
      }
      tried++;
      const res = await request(gw.url).post('/tools').send({ ...validTool, name: 'nul_test', description: 'a\u0000b' }).expect(400);
      expect(res.body.message).toBe('description: strings must not contain NUL characters');
    });
  });

  it('refuses bodies nested deeper than MAX_JSON_DEPTH and bodies over MAX_REQUEST_BODY_BYTES, changing nothing', async () => {
    await unchangedExcept(async () => {
      for (const path of [...ENTITIES, '/rpc', '/mcp', '/message?session_id=x']) {
        tried += 2;
        const tooDeep = await request(gw.url).post(path).send(deep(80) as object);
        expect([path, tooDeep.status]).toEqual([path, 400]);
        expect(tooDeep.body.message ?? tooDeep.body.error?.message).toMatch(/nests deeper than 64 levels/);
        const huge = await request(gw.url).post(path).set('content-type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(BODY_LIMIT + 1) }));
        expect([path, huge.status]).toEqual([path, 413]);
      }
    });
  });
});
