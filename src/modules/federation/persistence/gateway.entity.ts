import { Column, Entity } from 'typeorm';
import type { AuthType } from '../../../common/credentials';
import { CatalogEntityBase } from '../../../database/catalog-entity.base';
import type { Gateway, GatewayTransport } from '../gateway.model';

@Entity('gateways')
export class GatewayEntity extends CatalogEntityBase implements Gateway {
  @Column({ type: 'varchar' })
  name!: string;

  @Column({ type: 'varchar' })
  slug!: string;

  @Column({ type: 'varchar' })
  url!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar' })
  transport!: GatewayTransport;

  @Column({ type: 'varchar', nullable: true })
  authType!: AuthType | null;

  @Column({ type: 'text', nullable: true })
  authValue!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  capabilities!: Record<string, unknown> | null;

  @Column({ type: 'boolean' })
  reachable!: boolean;

  @Column({ type: Date, nullable: true })
  lastSeen!: Date | null;

  @Column({ type: 'boolean' })
  namespaced!: boolean;

  @Column({ type: 'varchar', nullable: true })
  alternateOf!: string | null;

  @Column({ type: 'integer' })
  consecutiveFailures!: number;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: Date, nullable: true })
  lastRefreshAt!: Date | null;

  @Column({ type: 'simple-json', nullable: true })
  serverInfo!: Record<string, unknown> | null;

  @Column({ type: 'varchar', nullable: true })
  protocolVersion!: string | null;

  @Column({ type: 'text', nullable: true })
  caCertificate!: string | null;
}
