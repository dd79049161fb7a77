import { Column, Entity } from 'typeorm';
import { CatalogEntityBase } from '../../../database/catalog-entity.base';

/** The `servers` row. Associations live in the `server_tools|resources|prompts` tables. */
@Entity('servers')
export class ServerEntity extends CatalogEntityBase {
  @Column({ type: 'varchar' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', nullable: true })
  icon!: string | null;

  associatedTools!: string[];
  associatedResources!: string[];
  associatedPrompts!: string[];
}
