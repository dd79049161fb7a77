import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startGateway } from '../support/gateway';
import { echo, type HttpUpstream, startHttpUpstream } from '../support/http-upstream';
import { ROOT } from '../support/process';

const SECRET_VALUE = 'SUPER-SECRET-UPSTREAM-TOKEN-4b1d';
const OLD_KEY = 'the-old-encryption-passphrase-0001';
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
});
