import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { EntityKind } from '../../../common/catalog/catalog.model';
import type { ChangeSource } from '../../../common/context/request-context';
import type { AuditAction, AuditEntry } from '../audit.model';

@Entity('audit_trail')
export class AuditEntryEntity implements AuditEntry {
  @PrimaryGeneratedColumn('increment')
  id!: number;

  @Column({ type: Date })
  timestamp!: Date;

  @Column({ type: 'varchar' })
  entityType!: EntityKind;

  @Column({ type: 'varchar' })
  entityId!: string;

  @Column({ type: 'varchar', nullable: true })
  entityName!: string | null;

  @Column({ type: 'varchar' })
  action!: AuditAction;

  @Column({ type: 'varchar' })
  actor!: string;

  @Column({ type: 'varchar', nullable: true })
  actorIp!: string | null;

  @Column({ type: 'varchar', nullable: true })
  via!: ChangeSource | null;

  @Column({ type: 'varchar', nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', nullable: true })
  requestId!: string | null;

  @Column({ type: 'simple-json' })
  changedFields!: string[];
}
