import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';
import type { EntityMetricsRow, MeteredKind } from './entity-metrics.model';

/** PostgreSQL and MySQL return BIGINT as a string. */
const bigint: ValueTransformer = { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

/** See migrations: `entity_metrics`. */
@Entity('entity_metrics')
export class EntityMetricsEntity implements EntityMetricsRow {
  @PrimaryColumn({ type: 'varchar' })
  entityType!: MeteredKind;

  @PrimaryColumn({ type: 'varchar' })
  entityId!: string;

  @Column({ type: 'bigint', transformer: bigint })
  executions!: number;

  @Column({ type: 'bigint', transformer: bigint })
  failures!: number;

  @Column({ type: 'bigint', transformer: bigint })
  totalUs!: number;

  @Column({ type: 'bigint', nullable: true, transformer: bigint })
  minUs!: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigint })
  maxUs!: number | null;

  @Column({ type: Date, nullable: true })
  lastExecutionAt!: Date | null;

  @Column({ type: Date, nullable: true })
  lastFailureAt!: Date | null;

  @Column({ type: 'varchar', nullable: true })
  lastError!: string | null;
}
