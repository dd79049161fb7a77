import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startFixture, type FixtureServer } from '../support/fixture-server';
import { startGateway } from '../support/gateway';
import { echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { type GatewayProcess, ROOT, spawnGateway } from '../support/process';

const SECRET_VALUE = 'SUPER-SECRET-UPSTREAM-TOKEN-4b1d';
const OLD_KEY = 'the-old-encryption-passphrase-0001';
/** Peer credentials, one per auth type, plus one the peer refuses. */
const PEER_BEARER = 'PEER-BEARER-SECRET-9f3a';
const PEER_PASSWORD = 'PEER-BASIC-PASSWORD-77c2';
const PEER_HEADER = 'PEER-HEADER-SECRET-e01b';
const PEER_WRONG = 'PEER-WRONG-SECRET-5d6e';
const TOOL_HEADER = 'TOOL-HEADER-SECRET-a4f0';
const NEW_KEY = 'the-new-encryption-passphrase-0002';

describe('credentials at rest', () => {
  let db: TestDatabase;
  let upstream: HttpUpstream;
  beforeAll(async () => {
    [db, upstream] = await Promise.all([createTestDatabase('sqlite'), startHttpUpstream(echo)]);
  });
  afterAll(async () => {
    await upstream.close();
    await db.drop();
  });

  it('are unreadable in the database file, masked in every response, and survive a key rotation', async () => {
    let gw = await startGateway({ AUTH_ENCRYPTION_SECRET: OLD_KEY }, db);
    const tool = (
      await request(gw.url)
        .post('/tools')
        .send({ name: 'secured_call', url: `${upstream.url}/secure`, requestType: 'GET', auth: { authType: 'bearer', token: SECRET_VALUE } })
        .expect(200)
    ).body;
    for (const path of ['/tools', `/tools/${tool.id}`, '/audit']) {
      expect(JSON.stringify((await request(gw.url).get(path)).body)).not.toContain(SECRET_VALUE);
    }
    await gw.close();

    const file = db.url.replace(/^sqlite:\/\//, '');
    const bytes = Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from(SECRET_VALUE))).toBe(false);
    expect(bytes.includes(Buffer.from('enc:v1:'))).toBe(true);

    const rotate = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/rotate-secrets.js')], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, AUTH_ENCRYPTION_SECRET: NEW_KEY, AUTH_ENCRYPTION_SECRET_PREVIOUS: OLD_KEY },
      encoding: 'utf8',
    });
    expect(rotate.stderr).toBe('');
    expect(rotate.stdout).toContain('tools: 1 of 1 credentials re-encrypted');

    // Only the new key now: the credential still reaches the upstream.
    gw = await startGateway({ AUTH_ENCRYPTION_SECRET: NEW_KEY }, db);
    try {
      const res = await request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'secured_call', arguments: {} } }).expect(200);
      expect(JSON.parse(res.body.result.content[0].text).auth).toBe(`Bearer ${SECRET_VALUE}`);
    } finally {
      await gw.close();
    }
  });

  it('refuses credentials in static tool headers (422 pointing to auth), storing nothing', async () => {
    const gw = await startGateway();
    try {
      const res = await request(gw.url)
        .post('/tools')
        .send({ name: 'leaky_headers', url: `${upstream.url}/x`, headers: { Accept: 'application/json', Authorization: `Bearer ${SECRET_VALUE}` } })
        .expect(422);
      expect(res.body.message).toBe("headers: must not carry credentials ('Authorization'): put them in auth (authType bearer, basic or authheaders), which is stored encrypted and masked in responses");
      const tools = (await request(gw.url).get('/tools?include_inactive=true').expect(200)).body as Array<{ name: string }>;
      expect(tools).toEqual([]);
      const imported = await request(gw.url).post('/tools/import/openapi').send({ spec: { openapi: '3.0.0', info: { title: 't', version: '1' }, paths: {} }, baseUrl: upstream.url, headers: { 'X-API-Key': SECRET_VALUE } }).expect(422);
      expect(imported.body.message).toMatch(/^headers: must not carry credentials \('X-API-Key'\)/);
    } finally {
      await gw.close();
    }
  });
});

describe('peer credentials at rest and in logs (a gateway process at LOG_LEVEL=debug)', () => {
  let db: TestDatabase;
  let upstream: HttpUpstream;
  let securedPeer: FixtureServer;
  let openPeer: FixtureServer;
  let gw: GatewayProcess;

  beforeAll(async () => {
    [db, upstream, securedPeer, openPeer] = await Promise.all([createTestDatabase('sqlite'), startHttpUpstream(echo), startFixture({ name: 'secured', token: PEER_BEARER }), startFixture({ name: 'open' })]);
    gw = await spawnGateway({ DATABASE_URL: db.url, LOG_LEVEL: 'debug', LOG_REQUESTS: 'true', AUTH_REQUIRED: 'false', AUTH_ENCRYPTION_SECRET: NEW_KEY, MAX_TOOL_RETRIES: '0' }, { timeoutMs: 45_000 });
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([upstream?.close(), securedPeer?.stop(), openPeer?.stop()]);
    await db?.drop();
  });

  it('never appear in responses, the database file or the process output, also after failing calls', async () => {
    const peers = [
      { name: 'bearer peer', url: securedPeer.mcpUrl, auth: { authType: 'bearer', token: PEER_BEARER } },
      { name: 'basic peer', url: openPeer.mcpUrl, auth: { authType: 'basic', username: 'peer-user', password: PEER_PASSWORD } },
      { name: 'header peer', url: openPeer.sseUrl, transport: 'SSE', auth: { authType: 'authheaders', authHeaderKey: 'X-Peer-Key', authHeaderValue: PEER_HEADER } },
    ];
    const ids: string[] = [];
    for (const peer of peers) ids.push((await request(gw.url).post('/gateways').send(peer).expect(200)).body.id);
    // The bearer token reached the peer that requires it: its tools are in the catalog, and callable.
    const call = (name: string, args: Record<string, unknown> = {}) => request(gw.url).post('/rpc').send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
    expect((await call('bearer-peer-echo', { text: 'hi' }).expect(200)).body.result.content[0].text).toBe('hi');

    // Failing calls with credentials in play: a peer that refuses the token, a peer that is down, an upstream error.
    const refused = await request(gw.url).post('/gateways').send({ name: 'wrong token peer', url: securedPeer.mcpUrl, auth: { authType: 'bearer', token: PEER_WRONG } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    upstream.handle((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('upstream exploded');
    });
    await request(gw.url).post('/tools').send({ name: 'failing_tool', url: `${upstream.url}/fail`, requestType: 'POST', auth: { authType: 'authheaders', authHeaderKey: 'X-Tool-Key', authHeaderValue: TOOL_HEADER } }).expect(200);
    expect((await call('failing_tool').expect(200)).body.result.isError).toBe(true);
    await securedPeer.kill();
    const down = await call('bearer-peer-echo', { text: 'again' });
    expect(down.body.error ?? down.body.result?.isError).toBeTruthy();

    const secrets = [PEER_BEARER, PEER_PASSWORD, PEER_HEADER, PEER_WRONG, TOOL_HEADER];
    const listed = await request(gw.url).get('/gateways?include_inactive=true').expect(200);
    expect(listed.body).toHaveLength(3);
    const responses = [JSON.stringify(listed.body), ...(await Promise.all(ids.map(async (id) => JSON.stringify((await request(gw.url).get(`/gateways/${id}`).expect(200)).body))))];
    responses.push(JSON.stringify((await request(gw.url).get('/tools?include_inactive=true')).body), JSON.stringify((await request(gw.url).get('/audit')).body));
    for (const body of responses) for (const secret of secrets) expect(body).not.toContain(secret);
    expect(listed.body.map((p: { auth: unknown }) => p.auth)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ authType: 'bearer', token: '*****' }),
        expect.objectContaining({ authType: 'basic', username: 'peer-user', password: '*****' }),
        expect.objectContaining({ authType: 'authheaders', authHeaderKey: 'X-Peer-Key', authHeaderValue: '*****' }),
      ]),
    );

    await gw.stop();
    const output = gw.output();
    expect(output).toMatch(/DEBUG/); // debug logging was really on
    for (const secret of secrets) expect([secret, output.includes(secret)]).toEqual([secret, false]);
    const file = db.url.replace(/^sqlite:\/\//, '');
    const bytes = Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from('enc:v1:'))).toBe(true);
    for (const secret of secrets) expect([secret, bytes.includes(Buffer.from(secret))]).toEqual([secret, false]);
  });
});
