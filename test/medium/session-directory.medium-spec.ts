import type { INestApplication } from '@nestjs/common';
import { SessionDirectory } from '../../src/modules/transports/sessions/session-directory';
import { testDialect, type TestDatabase } from '../support/databases';
import { createTestApp } from '../support/gateway';

describe(`MCP session directory on ${testDialect()}`, () => {
  let app: INestApplication;
  let db: TestDatabase;
  let directory: SessionDirectory;

  beforeAll(async () => {
    ({ app, db } = await createTestApp());
    await app.init();
    directory = app.get(SessionDirectory);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('registers, looks up and unregisters sessions', async () => {
    await directory.register('s-1', 'http://10.0.0.1:4444', 'streamable-http', 'server-1');
    await directory.register('s-2', 'http://10.0.0.2:4444', 'sse');
    expect(await directory.lookup('s-1')).toEqual({ owner: 'http://10.0.0.1:4444', kind: 'streamable-http', serverId: 'server-1' });
    expect(await directory.lookup('s-2')).toEqual({ owner: 'http://10.0.0.2:4444', kind: 'sse', serverId: null });
    await directory.unregister('s-1');
    expect(await directory.lookup('s-1')).toBeNull();
    await directory.purgeOwner('http://10.0.0.2:4444');
    expect(await directory.lookup('s-2')).toBeNull();
  });

  it('purges rows not confirmed since a date, and keeps the confirmed ones (in chunks beyond 500 ids)', async () => {
    const ids = Array.from({ length: 620 }, (_, i) => `live-${i}`);
    for (const id of [...ids, 'dead-1', 'dead-2']) await directory.register(id, 'http://10.0.0.3:4444', 'streamable-http');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await directory.confirm([...ids, 'dead-1', 'dead-2'], hourAgo);
    await directory.confirm(ids, new Date());
    expect(await directory.purgeCreatedBefore(new Date(Date.now() - 60_000))).toBe(2);
    expect(await directory.lookup('dead-1')).toBeNull();
    expect(await directory.lookup('live-0')).not.toBeNull();
    expect(await directory.lookup('live-619')).not.toBeNull();
    expect(await directory.purgeCreatedBefore(new Date(Date.now() - 60_000))).toBe(0);
    await directory.confirm([], new Date());
    await directory.purgeOwner('http://10.0.0.3:4444');
  });
});
