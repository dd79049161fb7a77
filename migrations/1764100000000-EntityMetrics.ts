import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from './portable';

/** Running execution aggregates per tool, resource, prompt and virtual server (additive, so replicas can share them). */
export class EntityMetrics1764100000000 implements MigrationInterface {
  name = 'EntityMetrics1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { col, index } = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'entity_metrics',
        columns: [
          { ...col.key('entity_type', 16), isPrimary: true },
          { ...col.key('entity_id', 36), isPrimary: true },
          { ...col.bigint('executions', false), default: 0 },
          { ...col.bigint('failures', false), default: 0 },
          // Durations in microseconds: integer arithmetic is exact and identical on every dialect.
          { ...col.bigint('total_us', false), default: 0 },
          col.bigint('min_us'),
          col.bigint('max_us'),
          col.timestamp('last_execution_at', true),
          col.timestamp('last_failure_at', true),
          col.string('last_error', 500),
        ],
        indices: [index('entity_metrics', ['entity_type', 'executions'])],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('entity_metrics', true);
  }
}
