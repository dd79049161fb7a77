import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions, runMigrations } from '../../src/database/data-source';
import { TypeOrmUnitOfWork } from '../../src/database/typeorm-unit-of-work';
import { ApiTokenEntity } from '../../src/modules/auth/api-token.entity';
import { type ApiToken, TypeOrmApiTokenRepository } from '../../src/modules/auth/api-token.repository';
import { LeaseEntity } from '../../src/modules/coordination/lease.entity';
import { TypeOrmLeaseRepository } from '../../src/modules/coordination/lease.repository';
import { McpSessionEntity, TypeOrmSessionDirectory } from '../../src/modules/transports/sessions/session-directory';
import { createTestDatabase, testDialect, type TestDatabase } from '../support/databases';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
/** Whole milliseconds: every dialect keeps at least that precision. */
const at = (ms: number) => new Date(Math.floor(ms));

/**
 * The repositories behind multi-replica coordination and API tokens, each on a real database of every dialect:
 * leases (single-leader jobs), the MCP session directory (which replica holds a session) and issued/revoked tokens.
 */
describe(`coordination and token repositories on ${testDialect()}`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let uow: TypeOrmUnitOfWork;

  beforeAll(async () => {
    db = await createTestDatabase();
    const options = dataSourceOptions(loadConfig({ DATABASE_URL: db.url }).database);
    dataSource = await new DataSource({ ...options, entities: [LeaseEntity, ApiTokenEntity, McpSessionEntity] }).initialize();
    await runMigrations(dataSource);
    uow = new TypeOrmUnitOfWork(dataSource, []);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  describe('leases (TypeOrmLeaseRepository)', () => {
    let leases: TypeOrmLeaseRepository;
    const stored = (name: string) => dataSource.getRepository(LeaseEntity).findOneBy({ name });

    beforeAll(() => {
      leases = new TypeOrmLeaseRepository(uow);
    });

    it('lets A acquire a free lease, refuses B while it is held, lets A renew it', async () => {
      const name = unique('jobs');
      expect(await leases.tryAcquire(name, 'replica-a', 60_000)).toBe(true);
      const first = await stored(name);
      expect(first).toMatchObject({ name, holder: 'replica-a' });
      expect(await leases.tryAcquire(name, 'replica-b', 60_000)).toBe(false);
      expect((await stored(name))!.holder).toBe('replica-a');
      await sleep(20);
      expect(await leases.tryAcquire(name, 'replica-a', 60_000)).toBe(true);
      const renewed = await stored(name);
      expect(renewed!.holder).toBe('replica-a');
      expect(renewed!.expiresAt.getTime()).toBeGreaterThan(first!.expiresAt.getTime());
    });

    it('lets B take the lease once it has expired', async () => {
      const name = unique('expiring');
      expect(await leases.tryAcquire(name, 'replica-a', 150)).toBe(true);
      expect(await leases.tryAcquire(name, 'replica-b', 150)).toBe(false);
      await sleep(300);
      expect(await leases.tryAcquire(name, 'replica-b', 60_000)).toBe(true);
      expect((await stored(name))!.holder).toBe('replica-b');
      expect(await leases.tryAcquire(name, 'replica-a', 60_000)).toBe(false);
    });

    it('releases only for its holder: another replica releasing changes nothing', async () => {
      const name = unique('released');
      expect(await leases.tryAcquire(name, 'replica-a', 60_000)).toBe(true);
      await leases.release(name, 'replica-b');
      expect(await leases.tryAcquire(name, 'replica-b', 60_000)).toBe(false);
      await leases.release(name, 'replica-a');
      expect(await stored(name)).toBeNull();
      expect(await leases.tryAcquire(name, 'replica-b', 60_000)).toBe(true);
    });

    it('grants a contested free lease to exactly one of several replicas', async () => {
      const name = unique('contested');
      const results = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((holder) => leases.tryAcquire(name, holder, 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = ['r1', 'r2', 'r3', 'r4', 'r5'][results.indexOf(true)];
      expect((await stored(name))!.holder).toBe(winner);
    });

    it('keeps leases of different names independent', async () => {
      const [a, b] = [unique('one'), unique('two')];
      expect(await leases.tryAcquire(a, 'replica-a', 60_000)).toBe(true);
      expect(await leases.tryAcquire(b, 'replica-b', 60_000)).toBe(true);
      expect(await leases.tryAcquire(a, 'replica-b', 60_000)).toBe(false);
      expect(await leases.tryAcquire(b, 'replica-a', 60_000)).toBe(false);
    });
  });

  describe('session directory (TypeOrmSessionDirectory)', () => {
    let sessions: TypeOrmSessionDirectory;

    beforeAll(() => {
      sessions = new TypeOrmSessionDirectory(uow);
    });

    it('registers, looks up and unregisters a session', async () => {
      const id = randomUUID();
      await sessions.register(id, 'http://10.0.0.1:4444', 'streamable-http', 'server_1');
      expect(await sessions.lookup(id)).toEqual({ owner: 'http://10.0.0.1:4444', kind: 'streamable-http', serverId: 'server_1' });
      const global = randomUUID();
      await sessions.register(global, 'http://10.0.0.1:4444', 'sse');
      expect(await sessions.lookup(global)).toEqual({ owner: 'http://10.0.0.1:4444', kind: 'sse', serverId: null });
      await sessions.unregister(id);
      expect(await sessions.lookup(id)).toBeNull();
      expect(await sessions.lookup(randomUUID())).toBeNull();
    });

    it('refuses to register the same session id twice', async () => {
      const id = randomUUID();
      await sessions.register(id, 'http://a', 'websocket');
      await expect(sessions.register(id, 'http://b', 'websocket')).rejects.toThrow();
      expect((await sessions.lookup(id))!.owner).toBe('http://a');
    });

    it('forgets every session of one replica, and only those', async () => {
      const [gone, alsoGone, kept] = [randomUUID(), randomUUID(), randomUUID()];
      const restarted = unique('http://restarted');
      await sessions.register(gone, restarted, 'streamable-http');
      await sessions.register(alsoGone, restarted, 'sse');
      await sessions.register(kept, unique('http://other'), 'sse');
      await sessions.purgeOwner(restarted);
      expect(await sessions.lookup(gone)).toBeNull();
      expect(await sessions.lookup(alsoGone)).toBeNull();
      expect(await sessions.lookup(kept)).not.toBeNull();
    });

    it('purges sessions created before a given time', async () => {
      const old = randomUUID();
      await sessions.register(old, 'http://a', 'rpc');
      await sleep(50);
      const cut = new Date();
      await sleep(50);
      const recent = randomUUID();
      await sessions.register(recent, 'http://a', 'rpc');
      await sessions.purgeCreatedBefore(cut);
      expect(await sessions.lookup(old)).toBeNull();
      expect(await sessions.lookup(recent)).not.toBeNull();
    });
  });

  describe('API tokens (TypeOrmApiTokenRepository)', () => {
    let tokens: TypeOrmApiTokenRepository;
    const now = Date.now();
    const token = (overrides: Partial<ApiToken> = {}): ApiToken =>
      Object.assign(new ApiTokenEntity(), {
        jti: randomUUID(),
        subject: 'alice@example.com',
        name: 'ci token ✓',
        createdAt: at(now),
        createdBy: 'admin',
        expiresAt: at(now + 3_600_000),
        revokedAt: null,
        revokedBy: null,
        ...overrides,
      });

    beforeAll(() => {
      tokens = new TypeOrmApiTokenRepository(uow);
    });

    it('round-trips a token, dates and nulls included', async () => {
      const t = token({ name: null, createdBy: null, expiresAt: null });
      await tokens.insert(t);
      expect(await tokens.find(t.jti)).toEqual(t);
      expect(await tokens.find(randomUUID())).toBeNull();
    });

    it('refuses a duplicate jti', async () => {
      const t = token();
      await tokens.insert(t);
      await expect(tokens.insert(token({ jti: t.jti }))).rejects.toThrow();
    });

    it('lists newest first, at most `limit`', async () => {
      const older = token({ createdAt: at(now + 10_000) });
      const newer = token({ createdAt: at(now + 20_000) });
      const newest = token({ createdAt: at(now + 30_000) });
      for (const t of [newer, older, newest]) await tokens.insert(t);
      expect((await tokens.list(2)).map((t) => t.jti)).toEqual([newest.jti, newer.jti]);
      expect((await tokens.list(100)).map((t) => t.jti)).toEqual(expect.arrayContaining([older.jti, newer.jti, newest.jti]));
    });

    it('marks a token revoked, and lists the revocations that still matter', async () => {
      const live = token();
      const forever = token({ expiresAt: null });
      const expired = token({ expiresAt: at(now - 60_000) });
      const untouched = token();
      for (const t of [live, forever, expired, untouched]) await tokens.insert(t);
      const when = at(now + 1_000);
      for (const t of [live, forever, expired]) await tokens.markRevoked(t.jti, 'admin', when);
      expect(await tokens.find(live.jti)).toMatchObject({ revokedAt: when, revokedBy: 'admin' });
      const active = await tokens.activeRevocations(new Date(now));
      expect(active).toEqual(expect.arrayContaining([live.jti, forever.jti]));
      expect(active).not.toContain(expired.jti);
      expect(active).not.toContain(untouched.jti);
      // Once a revoked token has expired it no longer needs refusing.
      expect(await tokens.activeRevocations(new Date(now + 7_200_000))).not.toContain(live.jti);
      expect(await tokens.activeRevocations(new Date(now + 7_200_000))).toContain(forever.jti);
    });
  });
});
