import { Injectable } from '@nestjs/common';
import { Column, Entity, In, LessThan, PrimaryColumn } from 'typeorm';
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

  /** When the owner registered the session or last confirmed it is alive (it does so on every idle sweep). */
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
  /** Marks the sessions as alive at `at` (rows not confirmed for longer than the session TTL are purged). */
  abstract confirm(ids: string[], at: Date): Promise<void>;
  /** Forgets sessions registered or last confirmed before `date` (their replica died without cleaning up); returns how many. */
  abstract purgeCreatedBefore(date: Date): Promise<number>;
}

/** Ids per statement when confirming many sessions (well below every dialect's parameter limit). */
const CHUNK = 500;

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

  async confirm(ids: string[], at: Date): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await this.db.run((m) => m.getRepository(McpSessionEntity).update({ id: In(chunk) }, { createdAt: at }));
    }
  }

  async purgeCreatedBefore(date: Date): Promise<number> {
    const result = await this.db.run((m) => m.getRepository(McpSessionEntity).delete({ createdAt: LessThan(date) }));
    return result.affected ?? 0;
  }
}
