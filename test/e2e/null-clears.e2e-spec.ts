import request from 'supertest';
import { DataSource } from 'typeorm';
import type { DatabaseDialect } from '../../src/config/app-config';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { type FixtureServer, startFixture } from '../support/fixture-server';
import { startGateway, type TestGateway } from '../support/gateway';
import { createTestPki } from '../support/tls';

/**
 * The other side of "null for a field that cannot be null is a 422" (catalog-api.e2e-spec.ts): every field that may
 * be empty takes `null` on an update (the admin UI sends it for an emptied input) and is really cleared, stored as
 * NULL on each SQL dialect, as one audited update.
 */
let fixture: FixtureServer;
const ca = createTestPki().caCert;

beforeAll(async () => {
  fixture = await startFixture({ name: 'clear-peer' });
});
afterAll(() => fixture?.stop());

interface ClearCase {
  path: string;
  /** Where GET shows the stored record. */
  info: (id: string) => string;
  body: () => Record<string, unknown>;
  /** The fields set to null, and what the record shows for each afterwards. */
  cleared: Record<string, unknown>;
}

const CASES: Array<[string, ClearCase]> = [
  [
    'REST tool',
    {
      path: '/tools',
      info: (id) => `/tools/${id}`,
      body: () => ({
        name: 'clear_rest',
        url: 'http://127.0.0.1:9/api/{id}',
        requestType: 'GET',
        inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        displayName: 'Clear me',
        description: 'to be cleared',
        headers: { 'X-Api-Version': '2' },
        auth: { authType: 'bearer', token: 'secret-token' },
        outputSchema: { type: 'object' },
        annotations: { readOnlyHint: true },
        argumentMapping: { id: 'path' },
        timeoutMs: 1000,
        maxRetries: 1,
        maxResponseBytes: 4096,
        jsonpathFilter: '$.items',
      }),
      cleared: {
        displayName: null,
        description: null,
        headers: null,
        auth: null,
        outputSchema: null,
        annotations: null,
        argumentMapping: null,
        timeoutMs: null,
        maxRetries: null,
        maxResponseBytes: null,
        jsonpathFilter: null,
      },
    },
  ],
  [
    'CLI tool',
    {
      path: '/tools',
      info: (id) => `/tools/${id}`,
      body: () => ({ name: 'clear_cli', integrationType: 'CLI', command: '/bin/echo', args: ['hello'], workingDirectory: '/tmp' }),
      // A CLI tool without arguments has an empty argv template.
      cleared: { args: [], workingDirectory: null },
    },
  ],
  [
    'text resource',
    {
      path: '/resources',
      info: (id) => `/resources/${id}/info`,
      body: () => ({ uri: 'file:///clear/readme.md', name: 'readme', content: '# hi', description: 'd', mimeType: 'text/markdown', cacheTtl: 60 }),
      cleared: { description: null, mimeType: null, cacheTtl: null },
    },
  ],
  [
    'HTTP-backed template resource',
    {
      path: '/resources',
      info: (id) => `/resources/${id}/info`,
      body: () => ({ uri: 'file:///clear/{day}', name: 'days', uriTemplate: 'file:///clear/{day}', contentUrl: 'http://127.0.0.1:9/days/{day}' }),
      cleared: { contentUrl: null, uriTemplate: null },
    },
  ],
  [
    'prompt',
    {
      path: '/prompts',
      info: (id) => `/prompts/${id}/info`,
      body: () => ({ name: 'clear_prompt', template: 'Hi {{who}}', description: 'd', arguments: [{ name: 'who', description: 'Whom to greet', required: false }] }),
      // `arguments: null` discovers them from the template again.
      cleared: { description: null, arguments: [{ name: 'who', required: true }] },
    },
  ],
  [
    'virtual server',
    {
      path: '/servers',
      info: (id) => `/servers/${id}`,
      body: () => ({ name: 'clear_server', description: 'd', icon: 'https://example.com/icon.png' }),
      cleared: { description: null, icon: null },
    },
  ],
  [
    'gateway',
    {
      path: '/gateways',
      info: (id) => `/gateways/${id}`,
      body: () => ({ name: 'clear_peer', url: fixture.mcpUrl, description: 'd', auth: { authType: 'bearer', token: 'peer-token' }, caCertificate: ca }),
      cleared: { description: null, auth: null, caCertificate: null },
    },
  ],
];

describe.each<DatabaseDialect>(['sqlite', 'postgres', 'mysql'])('null clears an optional field on %s', (dialect) => {
  let db: TestDatabase;
  let gw: TestGateway;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    gw = await startGateway({ CLI_TOOLS_ALLOWED_COMMANDS: '/bin/echo' }, db);
    http = request(gw.url);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  it.each(CASES)('%s', async (_label, c) => {
    const created = await http.post(c.path).send(c.body());
    expect([created.status < 300, created.body.message]).toEqual([true, undefined]);
    const id = created.body.id as string;
    const fields = Object.keys(c.cleared);
    for (const f of fields) expect([f, created.body[f]]).not.toEqual([f, c.cleared[f]]);

    const updated = await http.put(`${c.path}/${id}`).send(Object.fromEntries(fields.map((f) => [f, null])));
    expect([updated.status, updated.body.message]).toEqual([200, undefined]);
    const stored = (await http.get(c.info(id)).expect(200)).body as Record<string, unknown>;
    expect(Object.fromEntries(fields.map((f) => [f, stored[f]]))).toEqual(c.cleared);
    expect(stored.version).toBe(2);
    const trail = (await http.get(`/audit?entity_id=${id}`).expect(200)).body.items;
    expect(trail[0].action).toBe('update');
    expect(trail[0].changedFields).toEqual(expect.arrayContaining(fields.map((f) => (f === 'auth' ? 'authType' : f))));

    // In the database itself: SQL NULL, not a JSON `null` or an empty value.
    const columns = fields.filter((f) => c.cleared[f] === null).map((f) => (f === 'auth' ? 'auth_value' : f.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`)));
    const row = await gw.app
      .get(DataSource)
      .createQueryBuilder()
      .select(columns.map((col) => `CASE WHEN t.${col} IS NULL THEN 1 ELSE 0 END`).join(' + '), 'nulls')
      .from(c.path.slice(1), 't')
      .where('t.id = :id', { id })
      .getRawOne<{ nulls: number | string }>();
    expect([columns, Number(row?.nulls)]).toEqual([columns, columns.length]);
  });
});
