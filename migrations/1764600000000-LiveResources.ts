import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { portable } from './portable';

/**
 * Live resources: content fetched from an HTTP(S) URL on read (`content_url`), cached for `cache_ttl` seconds,
 * with the hash of the content last seen by a refresh (`content_hash`), so a change can notify subscribers.
 */
export class LiveResources1764600000000 implements MigrationInterface {
  name = 'LiveResources1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col } = portable(queryRunner);
    await queryRunner.addColumns('resources', [
      new TableColumn(col.string('content_url', 2048)),
      new TableColumn(col.int('cache_ttl', undefined, true)),
      new TableColumn(col.string('content_hash', 64)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('resources', ['content_hash', 'cache_ttl', 'content_url']);
  }
}
