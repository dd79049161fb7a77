import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The current version token of one kind of catalog entity (see migrations: `catalog_versions`). */
@Entity('catalog_versions')
export class CatalogVersionEntity {
  @PrimaryColumn({ type: 'varchar' })
  kind!: string;

  @Column({ type: 'varchar' })
  token!: string;
}
