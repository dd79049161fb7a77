import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions, pendingMigrations, runMigrations } from '../../src/database/data-source';
import { MIGRATIONS } from '../../migrations';
import { createTestDatabase, testDialect, type TestDatabase } from '../support/databases';

const TABLES = ['gateways', 'tools', 'resources', 'prompts', 'servers', 'server_tools', 'server_resources', 'server_prompts', 'audit_trail', 'leases', 'mcp_sessions', 'api_tokens', 'prompt_versions'];

describe(`migrations on ${testDialect()}`, () => {
  let db: TestDatabase;
  const open = () => new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: db.url }).database)).initialize();

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('applies every migration on an empty database, then finds nothing pending', async () => {
    const ds = await open();
    try {
      expect(await pendingMigrations(ds)).toEqual(MIGRATIONS.map((M) => new M().name));
      const applied = await runMigrations(ds);
      expect(applied).toEqual(MIGRATIONS.map((M) => new M().name));
      const runner = ds.createQueryRunner();
      for (const table of TABLES) expect(await runner.hasTable(table)).toBe(true);
      await runner.release();
      expect(await pendingMigrations(ds)).toEqual([]);
      expect(await runMigrations(ds)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('reverts every migration, newest first, down to an empty schema, and re-applies them all', async () => {
    const ds = await open();
    try {
      const runner = ds.createQueryRunner();
      for (let reverted = 1; reverted <= MIGRATIONS.length; reverted++) {
        await ds.undoLastMigration({ transaction: 'each' });
        expect(await pendingMigrations(ds)).toHaveLength(reverted);
      }
      for (const table of TABLES) expect(await runner.hasTable(table)).toBe(false);
      expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
      for (const table of TABLES) expect(await runner.hasTable(table)).toBe(true);
      expect((await runner.getTable('gateways'))!.findColumnByName('alternate_of')).toBeDefined();
      await runner.release();
    } finally {
      await ds.destroy();
    }
  });

  if (testDialect() !== 'sqlite') {
    it('applies each migration once when several replicas start together (database lock)', async () => {
      const fresh = await createTestDatabase();
      const options = dataSourceOptions(loadConfig({ DATABASE_URL: fresh.url }).database);
      const sources = await Promise.all([1, 2, 3].map(() => new DataSource(options).initialize()));
      try {
        const results = await Promise.all(sources.map((ds) => runMigrations(ds)));
        expect(results.flat()).toHaveLength(MIGRATIONS.length);
        expect(await pendingMigrations(sources[0])).toEqual([]);
      } finally {
        await Promise.all(sources.map((ds) => ds.destroy()));
        await fresh.drop();
      }
    });
  }
});
