import { Column, Entity } from 'typeorm';
import { CatalogEntityBase } from '../../../database/catalog-entity.base';
import type { Resource } from '../resource.model';

@Entity('resources')
export class ResourceEntity extends CatalogEntityBase implements Resource {
  @Column({ type: 'varchar' })
  uri!: string;

  @Column({ type: 'varchar' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', nullable: true })
  mimeType!: string | null;

  @Column({ type: 'varchar', nullable: true })
  uriTemplate!: string | null;

  @Column({ type: 'text', nullable: true })
  textContent!: string | null;

  @Column({ type: 'text', nullable: true })
  binaryContent!: string | null;

  @Column({ type: 'integer', nullable: true })
  size!: number | null;

  @Column({ type: 'varchar', nullable: true })
  contentUrl!: string | null;

  @Column({ type: 'integer', nullable: true })
  cacheTtl!: number | null;

  @Column({ type: 'varchar', nullable: true })
  contentHash!: string | null;

  @Column({ type: 'varchar', nullable: true })
  gatewayId!: string | null;
}
