import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from './portable';

/** The catalog (gateways, tools, resources, prompts, virtual servers and their associations) and the audit trail. */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col, auditColumns, fk, index } = portable(queryRunner);
    const common = () => [col.bool('enabled', true), col.json('tags', false), ...auditColumns()];

    await queryRunner.createTable(
      new Table({
        name: 'gateways',
        columns: [
          col.id(),
          col.key('name', 255),
          col.key('slug', 255),
          col.string('url', 2048, false),
          col.text('description'),
          col.string('transport', 32, false),
          col.string('auth_type', 32),
          col.text('auth_value'),
          col.json('capabilities'),
          col.bool('reachable', true),
          col.timestamp('last_seen', true),
          ...common(),
        ],
        indices: [index('gateways', ['name'], true), index('gateways', ['slug'], true)],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'tools',
        columns: [
          col.id(),
          col.key('name', 255),
          col.string('original_name', 255, false),
          col.string('display_name', 255),
          col.text('description'),
          col.string('integration_type', 16, false),
          col.string('request_type', 16, false),
          col.string('url', 2048),
          col.json('headers'),
          col.string('auth_type', 32),
          col.text('auth_value'),
          col.json('input_schema', false),
          col.json('output_schema'),
          col.json('annotations'),
          col.ref('gateway_id'),
          col.bool('reachable', true),
          ...common(),
        ],
        indices: [index('tools', ['name'], true), index('tools', ['gateway_id'])],
        foreignKeys: [fk('gateway_id', 'gateways')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'resources',
        columns: [
          col.id(),
          col.key('uri', 767),
          col.string('name', 255, false),
          col.text('description'),
          col.string('mime_type', 255),
          col.string('uri_template', 767),
          col.text('text_content'),
          col.text('binary_content'),
          col.int('size', undefined, true),
          col.ref('gateway_id'),
          ...common(),
        ],
        indices: [index('resources', ['uri'], true), index('resources', ['gateway_id'])],
        foreignKeys: [fk('gateway_id', 'gateways')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'prompts',
        columns: [
          col.id(),
          col.key('name', 255),
          col.string('original_name', 255, false),
          col.text('description'),
          col.text('template', false),
          col.json('arguments', false),
          col.ref('gateway_id'),
          ...common(),
        ],
        indices: [index('prompts', ['name'], true), index('prompts', ['gateway_id'])],
        foreignKeys: [fk('gateway_id', 'gateways')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'servers',
        columns: [col.id(), col.key('name', 255), col.text('description'), col.string('icon', 2048), ...common()],
        indices: [index('servers', ['name'], true)],
      }),
    );

    for (const [table, other, column] of [
      ['server_tools', 'tools', 'tool_id'],
      ['server_resources', 'resources', 'resource_id'],
      ['server_prompts', 'prompts', 'prompt_id'],
    ] as const) {
      await queryRunner.createTable(
        new Table({
          name: table,
          columns: [col.id('server_id'), col.id(column), col.int('position', 0)],
          indices: [index(table, [column])],
          foreignKeys: [fk('server_id', 'servers'), fk(column, other)],
        }),
      );
    }

    await queryRunner.createTable(
      new Table({
        name: 'audit_trail',
        columns: [
          col.serial(),
          col.timestamp('timestamp'),
          col.string('entity_type', 32, false),
          col.ref('entity_id', false),
          col.string('entity_name', 767),
          col.string('action', 16, false),
          col.string('actor', 255, false),
          col.string('actor_ip', 45),
          col.string('via', 32),
          col.string('user_agent', 512),
          col.string('request_id', 64),
          col.json('changed_fields', false),
        ],
        indices: [
          index('audit_trail', ['entity_type', 'entity_id']),
          index('audit_trail', ['timestamp']),
          index('audit_trail', ['actor']),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_trail', 'server_prompts', 'server_resources', 'server_tools', 'servers', 'prompts', 'resources', 'tools', 'gateways']) {
      await queryRunner.dropTable(table, true);
    }
  }
}
