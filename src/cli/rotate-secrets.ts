#!/usr/bin/env node
/**
 * Re-encrypts every stored credential (tool and peer auth) under the current AUTH_ENCRYPTION_SECRET.
 *
 * Rotation: set AUTH_ENCRYPTION_SECRET to the new passphrase and AUTH_ENCRYPTION_SECRET_PREVIOUS to the old one,
 * restart the gateways (they read both), run `npm run rotate-secrets`, then remove the previous secret.
 */
import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { DataSource } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box';
import { ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source';

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const config = loadConfig();
  const box = new SecretBox(config);
  const ds = await new DataSource(dataSourceOptions(config.database)).initialize();
  try {
    for (const table of ['tools', 'gateways']) {
      const rows: Array<{ id: string; auth_value: string }> = await ds.query(`SELECT id, auth_value FROM ${table} WHERE auth_value IS NOT NULL`);
      let rotated = 0;
      await ds.transaction(async (m) => {
        for (const row of rows) {
          if (!box.needsReencryption(row.auth_value)) continue;
          const fresh = box.encrypt(box.decrypt(row.auth_value));
          const param = ds.options.type === 'postgres' ? ['$1', '$2'] : ['?', '?'];
          await m.query(`UPDATE ${table} SET auth_value = ${param[0]} WHERE id = ${param[1]}`, [fresh, row.id]);
          rotated++;
        }
      });
      console.log(`${table}: ${rotated} of ${rows.length} credentials re-encrypted`);
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `rotate-secrets: ${(err as Error).message}`);
  process.exit(1);
});
