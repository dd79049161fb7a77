#!/usr/bin/env node
import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions, pendingMigrations, runMigrations } from '../database/data-source';

const USAGE = `Usage: npm run migrate [-- up|status|down]
  up      apply pending migrations (default)
  status  list pending migrations; exit code 1 when any is pending
  down    revert the most recent migration
Uses DATABASE_URL (and .env) like the gateway.`;

async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  const command = process.argv[2] ?? 'up';
  if (!['up', 'status', 'down'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const dataSource = await new DataSource(dataSourceOptions(config.database)).initialize();
  try {
    if (command === 'status') {
      const pending = await pendingMigrations(dataSource);
      console.log(pending.length ? `pending: ${pending.join(', ')}` : 'schema is up to date');
      return pending.length ? 1 : 0;
    }
    if (command === 'down') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
      return 0;
    }
    const applied = await runMigrations(dataSource);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `migration failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
