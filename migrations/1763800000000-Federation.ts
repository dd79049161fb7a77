import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { portable } from './portable';

/** Peer federation: naming and fail-over options, health status, and leases for single-leader scheduled jobs. */
export class Federation1763800000000 implements MigrationInterface {
  name = 'Federation1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col, fk, index } = portable(queryRunner);
    await queryRunner.addColumns('gateways', [
      new TableColumn(col.bool('namespaced', true)),
      new TableColumn(col.ref('alternate_of')),
      new TableColumn(col.int('consecutive_failures', 0)),
      new TableColumn(col.text('last_error')),
      new TableColumn(col.timestamp('last_refresh_at', true)),
      new TableColumn(col.json('server_info')),
      new TableColumn(col.string('protocol_version', 32)),
    ]);
    await queryRunner.createForeignKey('gateways', new TableForeignKey(fk('alternate_of', 'gateways')));
    await queryRunner.createIndex('gateways', new TableIndex(index('gateways', ['alternate_of'])));

    await queryRunner.createTable(
      new Table({
        name: 'leases',
        columns: [{ ...col.key('name', 64), isPrimary: true }, col.string('holder', 64, false), col.timestamp('expires_at')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('leases', true);
    const table = await queryRunner.getTable('gateways');
    const foreignKey = table!.foreignKeys.find((f) => f.columnNames.includes('alternate_of'));
    if (foreignKey) await queryRunner.dropForeignKey('gateways', foreignKey);
    await queryRunner.dropIndex('gateways', 'ix_gateways_alternate_of');
    for (const c of ['protocol_version', 'server_info', 'last_refresh_at', 'last_error', 'consecutive_failures', 'alternate_of', 'namespaced']) {
      await queryRunner.dropColumn('gateways', c);
    }
  }
}
