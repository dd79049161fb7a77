import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';
import { portable } from './portable';

/** The catalog tables and their natural key, the default sort of the admin UI's listings. */
const TABLES: Array<[table: string, key: string]> = [
  ['tools', 'name'],
  ['resources', 'uri'],
  ['prompts', 'name'],
  ['servers', 'name'],
  ['gateways', 'name'],
];

/**
 * Indexes behind the admin UI's listings: sorting by creation or modification time, and the enabled filter combined
 * with the natural-key order (the default listing of active items), so pages stay fast with thousands of entities.
 */
export class AdminIndexes1764500000000 implements MigrationInterface {
  name = 'AdminIndexes1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { index } = portable(queryRunner);
    for (const [table, key] of TABLES) {
      await queryRunner.createIndices(table, [
        new TableIndex(index(table, ['created_at'])),
        new TableIndex(index(table, ['modified_at'])),
        new TableIndex(index(table, ['enabled', key])),
      ]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, key] of TABLES) {
      for (const columns of [['created_at'], ['modified_at'], ['enabled', key]]) {
        await queryRunner.dropIndex(table, `ix_${table}_${columns.join('_')}`);
      }
    }
  }
}
