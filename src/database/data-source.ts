import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import type { DatabaseConfig } from '../config/app-config';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** Strips a Python-style driver suffix (`postgresql+psycopg://` → `postgresql://`) so reference URLs work as-is. */
function normalizeUrl(url: string): string {
  return url.replace(/^(\w+)\+\w+:/, '$1:').replace(/^mariadb:/, 'mysql:');
}

/** TypeORM options for the configured dialect. Schema changes only ever come from `migrations/`. */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    namingStrategy: new SnakeNamingStrategy(),
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: db.logging,
  } as const;
  switch (db.dialect) {
    case 'sqlite':
      return {
        ...common,
        type: 'better-sqlite3',
        database: db.sqlitePath!,
        enableWAL: db.sqlitePath !== ':memory:',
        timeout: 5000,
      };
    case 'postgres':
      return { ...common, type: 'postgres', url: normalizeUrl(db.url), poolSize: db.poolSize, connectTimeoutMS: 10_000 };
    case 'mysql':
      return {
        ...common,
        type: 'mysql',
        url: normalizeUrl(db.url),
        timezone: 'Z',
        charset: 'utf8mb4_unicode_ci',
        poolSize: db.poolSize,
        connectTimeout: 10_000,
      };
  }
}

const LOCK_NAME = 'mcpgw_schema_migrations';

/**
 * Applies pending migrations, holding a database-wide lock (PostgreSQL advisory lock, MySQL GET_LOCK) so that
 * several replicas starting at once apply each migration exactly once. SQLite is single-host: its file lock suffices.
 * Returns the names of the migrations applied.
 */
export async function runMigrations(dataSource: DataSource, logger = new Logger('Migrations')): Promise<string[]> {
  const type = dataSource.options.type;
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    if (type === 'postgres') await lockRunner.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK_NAME]);
    if (type === 'mysql') {
      const rows: Array<{ acquired: number }> = await lockRunner.query('SELECT GET_LOCK(?, 300) AS acquired', [LOCK_NAME]);
      if (Number(rows[0]?.acquired) !== 1) throw new Error('Timed out waiting for the migration lock');
    }
    const applied = await dataSource.runMigrations({ transaction: type === 'mysql' ? 'none' : 'each' });
    for (const m of applied) logger.log(`applied migration ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    if (type === 'postgres') await lockRunner.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_NAME]).catch(() => undefined);
    if (type === 'mysql') await lockRunner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]).catch(() => undefined);
    await lockRunner.release();
  }
}

/** Names of migrations that exist in code but are not yet applied to the database. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const executed = new Set<string>();
  const runner = dataSource.createQueryRunner();
  try {
    const table = dataSource.options.migrationsTableName ?? 'migrations';
    if (await runner.hasTable(table)) {
      const rows: Array<{ name: string }> = await runner.query(`SELECT name FROM ${table}`);
      for (const r of rows) executed.add(r.name);
    }
  } finally {
    await runner.release();
  }
  return dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !executed.has(n));
}
