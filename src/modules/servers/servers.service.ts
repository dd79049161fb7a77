import { Injectable } from '@nestjs/common';
import type { CatalogItem, EntityKind } from '../../common/catalog/catalog.model';
import { CatalogService, CatalogSupport } from '../../common/catalog/catalog.service';
import { ValidationError } from '../../common/errors/domain-error';
import { PromptsService } from '../prompts/prompts.service';
import { ResourcesService } from '../resources/resources.service';
import { ToolsService } from '../tools/tools.service';
import type { CreateServerDto } from './dto/create-server.dto';
import type { UpdateServerDto } from './dto/update-server.dto';
import { ServerRepository } from './repositories/server.repository';
import { ASSOCIATION_PROPERTY, type AssociationKind, type Server } from './server.model';

/** The association a catalog item of each kind can be a member of. */
const MEMBER_OF: Partial<Record<EntityKind, AssociationKind>> = { tool: 'tools', resource: 'resources', prompt: 'prompts' };

@Injectable()
export class ServersService extends CatalogService<Server> {
  protected readonly kind = 'server' as const;
  protected readonly label = 'Server';

  constructor(
    protected override readonly repo: ServerRepository,
    support: CatalogSupport,
    private readonly tools: ToolsService,
    private readonly resources: ResourcesService,
    private readonly prompts: PromptsService,
  ) {
    super(repo, support);
    support.onDelete((kind, id) => this.detach(kind, id));
  }

  protected keyOf(server: Server): string {
    return server.name;
  }

  create(dto: CreateServerDto): Promise<Server> {
    return this.createItem(
      {
        id: dto.id,
        name: dto.name,
        description: dto.description ?? null,
        icon: dto.icon ?? null,
        associatedTools: [],
        associatedResources: [],
        associatedPrompts: [],
        tags: dto.tags ?? [],
        enabled: dto.enabled ?? true,
      },
      {},
      async (server) => this.writeAssociations(server, dto),
    );
  }

  update(id: string, dto: UpdateServerDto): Promise<Server> {
    return this.modifyItem(
      id,
      async (current) => {
        const patch: Partial<Server> = {};
        for (const key of ['name', 'description', 'icon', 'tags', 'enabled'] as const) {
          if (dto[key] !== undefined) (patch as Record<string, unknown>)[key] = dto[key];
        }
        return { patch, extraChanges: await this.writeAssociations(current, dto) };
      },
      { expectedVersion: dto.version },
    );
  }

  /** The enabled (or all) items of one kind attached to a server, in their configured order. */
  async members(serverId: string, kind: 'tools', includeInactive?: boolean): Promise<Awaited<ReturnType<ToolsService['findByIds']>>>;
  async members(serverId: string, kind: 'resources', includeInactive?: boolean): Promise<Awaited<ReturnType<ResourcesService['findByIds']>>>;
  async members(serverId: string, kind: 'prompts', includeInactive?: boolean): Promise<Awaited<ReturnType<PromptsService['findByIds']>>>;
  async members(serverId: string, kind: AssociationKind, includeInactive = false): Promise<CatalogItem[]> {
    const server = await this.get(serverId);
    const ids = server[ASSOCIATION_PROPERTY[kind]];
    const items: CatalogItem[] = await this.service(kind).findByIds(ids);
    const order = new Map(ids.map((id, i) => [id, i]));
    return items.filter((i) => includeInactive || i.enabled).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  /**
   * Takes a tool, resource or prompt that is being deleted out of every virtual server that includes it: one delete of
   * its join rows, then an update of each of those servers (version bump, audit entry naming the association, change
   * event). Runs inside the delete's transaction, so both commit or roll back together.
   */
  private async detach(kind: EntityKind, entityId: string): Promise<void> {
    const association = MEMBER_OF[kind];
    if (!association) return;
    const serverIds = await this.repo.serversContaining(association, entityId);
    if (serverIds.length === 0) return;
    await this.repo.removeMember(association, entityId);
    for (const serverId of serverIds) await this.modifyItem(serverId, () => ({ patch: {}, extraChanges: [ASSOCIATION_PROPERTY[association]] }));
  }

  private service(kind: AssociationKind): { findByIds(ids: string[]): Promise<CatalogItem[]> } {
    return kind === 'tools' ? this.tools : kind === 'resources' ? this.resources : this.prompts;
  }

  /** Validates and stores the association lists present in `dto`; returns the names of those that changed. */
  private async writeAssociations(current: Server, dto: Partial<Record<(typeof ASSOCIATION_PROPERTY)[AssociationKind], string[]>>): Promise<string[]> {
    const changed: string[] = [];
    for (const kind of Object.keys(ASSOCIATION_PROPERTY) as AssociationKind[]) {
      const property = ASSOCIATION_PROPERTY[kind];
      const requested = dto[property];
      if (requested === undefined) continue;
      const ids = [...new Set(requested)];
      const found = new Set((await this.service(kind).findByIds(ids)).map((i) => i.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) throw new ValidationError(property, `unknown ${kind.slice(0, -1)} id(s): ${missing.slice(0, 10).join(', ')}`);
      if (JSON.stringify(ids) === JSON.stringify(current[property])) continue;
      await this.repo.setAssociations(current.id, kind, ids);
      changed.push(property);
    }
    return changed;
  }
}
