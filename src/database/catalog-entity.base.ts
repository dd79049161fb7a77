import { Column, PrimaryColumn } from 'typeorm';
import type { CatalogItem } from '../common/catalog/catalog.model';
import type { ChangeSource } from '../common/context/request-context';

/** Columns shared by every catalog table (see `auditColumns()` in migrations/portable.ts). */
export abstract class CatalogEntityBase implements CatalogItem {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ type: 'simple-json' })
  tags!: string[];

  @Column({ type: Date })
  createdAt!: Date;

  @Column({ type: 'varchar', nullable: true })
  createdBy!: string | null;

  @Column({ type: 'varchar', nullable: true })
  createdFromIp!: string | null;

  @Column({ type: 'varchar', nullable: true })
  createdVia!: ChangeSource | null;

  @Column({ type: 'varchar', nullable: true })
  createdUserAgent!: string | null;

  @Column({ type: Date })
  modifiedAt!: Date;

  @Column({ type: 'varchar', nullable: true })
  modifiedBy!: string | null;

  @Column({ type: 'varchar', nullable: true })
  modifiedFromIp!: string | null;

  @Column({ type: 'varchar', nullable: true })
  modifiedVia!: ChangeSource | null;

  @Column({ type: 'varchar', nullable: true })
  modifiedUserAgent!: string | null;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', nullable: true })
  importBatchId!: string | null;

  @Column({ type: 'varchar', nullable: true })
  federationSource!: string | null;
}
