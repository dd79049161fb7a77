import { Injectable } from '@nestjs/common';
import { Column, Entity, LessThan, PrimaryColumn } from 'typeorm';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import type { TransportKind } from '../mcp-scope';

@Entity('mcp_sessions')
export class McpSessionEntity {
  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  /** Base URL of the replica that holds the session. */
  @Column({ type: 'varchar' })
  owner!: string;

  @Column({ type: 'varchar' })
  kind!: TransportKind;

  @Column({ type: 'varchar', nullable: true })
  serverId!: string | null;

  @Column({ type: Date })
  createdAt!: Date;
}

export interface SessionOwner {
  owner: string;
  kind: TransportKind;
  serverId: string | null;
}

/** Shared record of which replica holds which MCP session (database-backed, so it needs no extra infrastructure). */
export abstract class SessionDirectory {
  abstract register(id: string, owner: string, kind: TransportKind, serverId?: string): Promise<void>;
  abstract unregister(id: string): Promise<void>;
  abstract lookup(id: string): Promise<SessionOwner | null>;
  /** Forgets every session of a replica (it restarted: its sessions are gone). */
  abstract purgeOwner(owner: string): Promise<void>;
  abstract purgeCreatedBefore(date: Date): Promise<void>;
}

@Injectable()
export class TypeOrmSessionDirectory extends SessionDirectory {
  constructor(private readonly db: TypeOrmUnitOfWork) {
    super();
  }

  async register(id: string, owner: string, kind: TransportKind, serverId?: string): Promise<void> {
    await this.db.run((m) => m.getRepository(McpSessionEntity).insert({ id, owner, kind, serverId: serverId ?? null, createdAt: new Date() }));
  }

  async unregister(id: string): Promise<void> {
    await this.db.run((m) => m.getRepository(McpSessionEntity).delete({ id }));
  }

  lookup(id: string): Promise<SessionOwner | null> {
    return this.db.run((m) => m.getRepository(McpSessionEntity).findOne({ where: { id }, select: { owner: true, kind: true, serverId: true } }));
  }

  async purgeOwner(owner: string): Promise<void> {
    await this.db.run((m) => m.getRepository(McpSessionEntity).delete({ owner }));
  }

  async purgeCreatedBefore(date: Date): Promise<void> {
    await this.db.run((m) => m.getRepository(McpSessionEntity).delete({ createdAt: LessThan(date) }));
  }
}
