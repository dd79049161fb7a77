import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { portable } from './portable';

const COLUMNS = ['argument_mapping', 'timeout_ms', 'max_retries', 'max_response_bytes', 'jsonpath_filter', 'command', 'args', 'working_directory'];

/**
 * Tool adapters: REST argument mapping, per-tool timeout / retries / response limit and JSONPath filter, and the
 * command, argv template and working directory of CLI tools. All nullable: existing tools keep the defaults.
 */
export class ToolAdapters1764300000000 implements MigrationInterface {
  name = 'ToolAdapters1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col } = portable(queryRunner);
    await queryRunner.addColumns('tools', [
      new TableColumn(col.json('argument_mapping')),
      new TableColumn(col.int('timeout_ms', undefined, true)),
      new TableColumn(col.int('max_retries', undefined, true)),
      new TableColumn(col.int('max_response_bytes', undefined, true)),
      new TableColumn(col.text('jsonpath_filter')),
      new TableColumn(col.string('command', 1024)),
      new TableColumn(col.json('args')),
      new TableColumn(col.string('working_directory', 1024)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of [...COLUMNS].reverse()) await queryRunner.dropColumn('tools', name);
  }
}
