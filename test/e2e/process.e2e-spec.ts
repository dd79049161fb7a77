import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { MAIN, spawnGateway } from '../support/process';

/** The built gateway as a user runs it: a real process, its default SQLite file, restarts. */
describe('gateway process', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpgw-proc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on the default SQLite file, and a tool created over HTTP survives a restart', async () => {
    let gw = await spawnGateway({}, { cwd: dir });
    try {
      expect(existsSync(join(dir, 'mcp.db'))).toBe(true);
      // Secure by default: the quick start's default Basic credentials.
      const created = await request(gw.url)
        .post('/tools')
        .auth('admin', 'changeme')
        .send({ name: 'durable', url: 'http://127.0.0.1:9/x' })
        .expect(200);
      await gw.stop();
      gw = await spawnGateway({}, { cwd: dir });
      await request(gw.url).get(`/tools/${created.body.id}`).expect(401);
      const loaded = await request(gw.url).get(`/tools/${created.body.id}`).auth('admin', 'changeme').expect(200);
      expect(loaded.body).toMatchObject({ name: 'durable', version: 1 });
      expect(gw.output()).not.toMatch(/applied migration/); // already applied on the first start
    } finally {
      await gw.stop();
    }
  });

  it('refuses to start on a bad variable, naming it, with exit code 78', async () => {
    const child = spawn(process.execPath, [MAIN], { cwd: dir, env: { PATH: process.env.PATH ?? '', PORT: 'eighty' } });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(78);
    expect(err).toMatch(/Invalid configuration:\n {2}- PORT: /);
  });
});
