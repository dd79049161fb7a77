import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { OffsetListOptions, OffsetPage, Page } from '../../../common/catalog/catalog.model';
import type { ResolvedListOptions } from '../../../common/catalog/catalog.repository';
import { isForeignKeyViolation } from '../../../database/database-errors';
import { TypeOrmCatalogRepository } from '../../../database/typeorm-catalog.repository';
import { TypeOrmUnitOfWork } from '../../../database/typeorm-unit-of-work';
import { ValidationError } from '../../../common/errors/domain-error';
import { ServerEntity } from '../persistence/server.entity';
import type { AssociationKind, Server } from '../server.model';
import { ServerRepository } from './server.repository';

const JOIN: Record<AssociationKind, { table: string; column: string; property: keyof Server }> = {
  tools: { table: 'server_tools', column: 'tool_id', property: 'associatedTools' },
  resources: { table: 'server_resources', column: 'resource_id', property: 'associatedResources' },
  prompts: { table: 'server_prompts', column: 'prompt_id', property: 'associatedPrompts' },
};

@Injectable()
export class TypeOrmServerRepository extends TypeOrmCatalogRepository<Server, ServerEntity & Server> implements ServerRepository {
  constructor(db: TypeOrmUnitOfWork) {
    super(db, ServerEntity as new () => ServerEntity & Server, { label: 'server', keyProperty: 'name', federated: false });
  }

  /** Loads the associations of the given servers (three queries, whatever the number of servers). */
  private async attach<S extends ServerEntity | null>(manager: EntityManager, servers: S[]): Promise<S[]> {
    const present = servers.filter((s): s is NonNullable<S> => s !== null);
    if (present.length === 0) return servers;
    const byId = new Map(present.map((s) => [s.id, s]));
    for (const [kind, join] of Object.entries(JOIN) as Array<[AssociationKind, (typeof JOIN)[AssociationKind]]>) {
      for (const s of present) (s as unknown as Record<string, string[]>)[join.property] = [];
      const q = (name: string) => manager.connection.driver.escape(name);
      const rows: Array<{ serverId: string; entityId: string }> = await manager
        .createQueryBuilder()
        .select([`j.server_id AS ${q('serverId')}`, `j.${join.column} AS ${q('entityId')}`])
        .from(join.table, 'j')
        .where('j.server_id IN (:...ids)', { ids: [...byId.keys()] })
        .orderBy('j.position', 'ASC')
        .getRawMany();
      for (const r of rows) (byId.get(r.serverId) as unknown as Record<string, string[]>)[JOIN[kind].property].push(r.entityId);
    }
    return servers;
  }

  override findById(id: string): Promise<Server | null> {
    return this.db.run(async (m) => (await this.attach(m, [await this.repo(m).findOneBy({ id })]))[0]);
  }

  override findByKey(name: string): Promise<Server | null> {
    return this.db.run(async (m) => (await this.attach(m, [await this.repo(m).findOneBy({ name })]))[0]);
  }

  override findByIds(ids: string[]): Promise<Server[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.run(async (m) => this.attach(m, await this.repo(m).findBy({ id: In(ids) })));
  }

  override async list(options: ResolvedListOptions): Promise<Page<Server>> {
    const page = await super.list(options);
    await this.db.run((m) => this.attach(m, page.items as ServerEntity[]));
    return page;
  }

  override async listPage(options: OffsetListOptions): Promise<OffsetPage<Server>> {
    const page = await super.listPage(options);
    await this.db.run((m) => this.attach(m, page.items as ServerEntity[]));
    return page;
  }

  async setAssociations(serverId: string, kind: AssociationKind, ids: string[]): Promise<void> {
    const { table, column } = JOIN[kind];
    try {
      await this.db.run(async (m) => {
        await m.createQueryBuilder().delete().from(table).where('server_id = :serverId', { serverId }).execute();
        if (ids.length) {
          await m
            .createQueryBuilder()
            .insert()
            .into(table, ['server_id', column, 'position'])
            .values(ids.map((id, position) => ({ server_id: serverId, [column]: id, position })))
            .execute();
        }
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new ValidationError(JOIN[kind].property, `refers to a ${kind.slice(0, -1)} that does not exist`);
      throw err;
    }
  }

  serversContaining(kind: AssociationKind, entityId: string): Promise<string[]> {
    const { table, column } = JOIN[kind];
    return this.db.run(async (m) => {
      const rows: Array<{ serverId: string }> = await m
        .createQueryBuilder()
        .select(`j.server_id AS ${m.connection.driver.escape('serverId')}`)
        .from(table, 'j')
        .where(`j.${column} = :entityId`, { entityId })
        .getRawMany();
      return rows.map((r) => r.serverId);
    });
  }

  async removeMember(kind: AssociationKind, entityId: string): Promise<void> {
    const { table, column } = JOIN[kind];
    await this.db.run((m) => m.createQueryBuilder().delete().from(table).where(`${column} = :entityId`, { entityId }).execute());
  }
}
