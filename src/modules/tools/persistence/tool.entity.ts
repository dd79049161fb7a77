import { Column, Entity } from 'typeorm';
import type { AuthType } from '../../../common/credentials';
import type { JsonSchema } from '../../../common/json-schema';
import { CatalogEntityBase } from '../../../database/catalog-entity.base';
import type { ArgumentMapping, IntegrationType, Tool, ToolAnnotations } from '../tool.model';

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

  @Column({ type: 'simple-json', nullable: true })
  argumentMapping!: ArgumentMapping | null;

  @Column({ type: 'integer', nullable: true })
  timeoutMs!: number | null;

  @Column({ type: 'integer', nullable: true })
  maxRetries!: number | null;

  @Column({ type: 'integer', nullable: true })
  maxResponseBytes!: number | null;

  @Column({ type: 'text', nullable: true })
  jsonpathFilter!: string | null;

  @Column({ type: 'varchar', nullable: true })
  command!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  args!: string[] | null;

  @Column({ type: 'varchar', nullable: true })
  workingDirectory!: string | null;

  @Column({ type: 'varchar', nullable: true })
  gatewayId!: string | null;

  @Column({ type: 'boolean' })
  reachable!: boolean;
}
