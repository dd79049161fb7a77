import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseDialect } from '../../src/config/app-config';

/** Servers started by `scripts/ensure-services.sh` (the machine's own services, on loopback). */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  dialect: DatabaseDialect;
  url: string;
  drop(): Promise<void>;
}

export function testDialect(): DatabaseDialect {
  const d = process.env.TEST_DB_DIALECT ?? 'sqlite';
  if (d !== 'sqlite' && d !== 'postgres' && d !== 'mysql') throw new Error(`unknown TEST_DB_DIALECT ${d}`);
  return d;
}

/** A brand-new, empty database (or SQLite file) that belongs to one test file; `drop()` removes it. */
export async function createTestDatabase(dialect: DatabaseDialect = testDialect()): Promise<TestDatabase> {
  const name = `mcpgw_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mcpgw-'));
    return { dialect, url: `sqlite:///${join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = new DataSource(
    dialect === 'postgres' ? { type: 'postgres', url: PG_ADMIN_URL } : { type: 'mysql', url: MYSQL_ADMIN_URL },
  );
  await admin.initialize();
  try {
    await admin.query(dialect === 'postgres' ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  const url = dialect === 'postgres' ? PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`) : `${MYSQL_ADMIN_URL}/${name}`;
  return {
    dialect,
    url,
    drop: async () => {
      const ds = new DataSource(dialect === 'postgres' ? { type: 'postgres', url: PG_ADMIN_URL } : { type: 'mysql', url: MYSQL_ADMIN_URL });
      await ds.initialize();
      try {
        await ds.query(dialect === 'postgres' ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await ds.destroy();
      }
    },
  };
}
