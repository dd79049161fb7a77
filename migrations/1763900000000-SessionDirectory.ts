import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from './portable';

/** Which replica holds each MCP session, so any replica can route a session's requests to its owner. */
export class SessionDirectory1763900000000 implements MigrationInterface {
  name = 'SessionDirectory1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col, index } = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'mcp_sessions',
        columns: [
          { ...col.key('id', 64), isPrimary: true },
          col.string('owner', 512, false),
          col.string('kind', 32, false),
          col.string('server_id', 36),
          col.timestamp('created_at'),
        ],
        indices: [index('mcp_sessions', ['owner']), index('mcp_sessions', ['created_at'])],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mcp_sessions', true);
  }
}
