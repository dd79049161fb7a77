import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from './portable';

/**
 * The `database` cache backend (`cache_entries`: LRU by `accessed_at`, TTL by `expires_at`, both epoch numbers so
 * every dialect compares them alike) and the catalog version tokens every replica reads to know whether its cached
 * values are still current when no Redis is configured (`catalog_versions`).
 */
export class Cache1764200000000 implements MigrationInterface {
  name = 'Cache1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col, index } = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'cache_entries',
        columns: [
          { ...col.key('cache_key', 255), isPrimary: true },
          col.text('value', false),
          col.bigint('expires_at', false),
          col.bigint('accessed_at', false),
        ],
        indices: [index('cache_entries', ['accessed_at']), index('cache_entries', ['expires_at'])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'catalog_versions',
        columns: [{ ...col.key('kind', 16), isPrimary: true }, col.string('token', 32, false)],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('catalog_versions', true);
    await queryRunner.dropTable('cache_entries', true);
  }
}
