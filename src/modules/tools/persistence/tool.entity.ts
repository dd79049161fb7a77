import { Column, Entity } from 'typeorm';
import type { AuthType } from '../../../common/credentials';
import type { JsonSchema } from '../../../common/json-schema';
import { CatalogEntityBase } from '../../../database/catalog-entity.base';
import type { IntegrationType, Tool, ToolAnnotations } from '../tool.model';

@Entity('tools')
export class ToolEntity extends CatalogEntityBase implements Tool {
  @Column({ type: 'varchar' })
  name!: string;

  @Column({ type: 'varchar' })
  originalName!: string;

  @Column({ type: 'varchar', nullable: true })
  displayName!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar' })
  integrationType!: IntegrationType;

  @Column({ type: 'varchar' })
  requestType!: string;

  @Column({ type: 'varchar', nullable: true })
  url!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  headers!: Record<string, string> | null;

  @Column({ type: 'varchar', nullable: true })
  authType!: AuthType | null;

  @Column({ type: 'text', nullable: true })
  authValue!: string | null;

  @Column({ type: 'simple-json' })
  inputSchema!: JsonSchema;

  @Column({ type: 'simple-json', nullable: true })
  outputSchema!: JsonSchema | null;

  @Column({ type: 'simple-json', nullable: true })
  annotations!: ToolAnnotations | null;

  @Column({ type: 'varchar', nullable: true })
  gatewayId!: string | null;

  @Column({ type: 'boolean' })
  reachable!: boolean;
}
