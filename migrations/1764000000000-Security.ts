import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { portable } from './portable';

/** Per-peer CA bundles, and issued/revoked API tokens (by jti). */
export class Security1764000000000 implements MigrationInterface {
  name = 'Security1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col, index } = portable(queryRunner);
    await queryRunner.addColumn('gateways', new TableColumn(col.text('ca_certificate')));
    await queryRunner.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          { ...col.key('jti', 64), isPrimary: true },
          col.string('subject', 255, false),
          col.string('name', 255),
          col.timestamp('created_at'),
          col.string('created_by', 255),
          col.timestamp('expires_at', true),
          col.timestamp('revoked_at', true),
          col.string('revoked_by', 255),
        ],
        indices: [index('api_tokens', ['revoked_at']), index('api_tokens', ['subject'])],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_tokens', true);
    await queryRunner.dropColumn('gateways', 'ca_certificate');
  }
}
