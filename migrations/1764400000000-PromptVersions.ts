import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { portable } from './portable';

/**
 * Prompts: an explicit `messages` list (multimodal parts) beside the template, and `prompt_versions`, the
 * append-only history of each local prompt's content. Every existing local prompt gets its current content as
 * its first stored version (numbered with its current `version`). Federated prompts keep no history: their
 * content lives at their peer.
 */
export class PromptVersions1764400000000 implements MigrationInterface {
  name = 'PromptVersions1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col, fk } = portable(queryRunner);
    await queryRunner.addColumn('prompts', new TableColumn(col.json('messages')));
    await queryRunner.createTable(
      new Table({
        name: 'prompt_versions',
        columns: [
          { ...col.ref('prompt_id', false), isPrimary: true },
          { ...col.int('version'), isPrimary: true },
          col.text('template', false),
          col.json('messages'),
          col.json('arguments', false),
          col.text('description'),
          col.timestamp('created_at'),
          col.string('created_by', 255),
          col.int('restored_from', undefined, true),
        ],
        foreignKeys: [fk('prompt_id', 'prompts')],
      }),
    );
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    const columns = ['prompt_id', 'version', 'template', 'messages', 'arguments', 'description', 'created_at', 'created_by'].map(q).join(', ');
    const values = ['id', 'version', 'template', 'messages', 'arguments', 'description', 'modified_at', 'modified_by'].map(q).join(', ');
    await queryRunner.query(`INSERT INTO ${q('prompt_versions')} (${columns}) SELECT ${values} FROM ${q('prompts')} WHERE ${q('gateway_id')} IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('prompt_versions', true);
    await queryRunner.dropColumn('prompts', 'messages');
  }
}
