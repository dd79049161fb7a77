import { Injectable } from '@nestjs/common';
import type { EntityKind } from '../../common/catalog/catalog.model';
import { GatewaysService } from '../federation/gateways.service';
import { PromptsService } from '../prompts/prompts.service';
import { ResourcesService } from '../resources/resources.service';
import { ServersService } from '../servers/servers.service';
import { ToolsService } from '../tools/tools.service';

export const TAGGED_TYPES = ['tools', 'resources', 'prompts', 'servers', 'gateways'] as const;
export type TaggedType = (typeof TAGGED_TYPES)[number];

/** The entity kind of each tagged type (`TagEntity.type`). */
export const TAGGED_KIND: Record<TaggedType, EntityKind> = { tools: 'tool', resources: 'resource', prompts: 'prompt', servers: 'server', gateways: 'gateway' };

export interface TagEntity {
  id: string;
  name: string;
  type: EntityKind;
}

export interface TagInfo {
  name: string;
  stats: Record<TaggedType, number> & { total: number };
  entities?: TagEntity[];
}

/** The `/tags` aggregate: every tag in use, how many entities of each kind carry it, and optionally which. */
@Injectable()
export class TagsService {
  constructor(
    private readonly tools: ToolsService,
    private readonly resources: ResourcesService,
    private readonly prompts: PromptsService,
    private readonly servers: ServersService,
    private readonly gateways: GatewaysService,
  ) {}

  async list(types: readonly TaggedType[] = TAGGED_TYPES, includeEntities = false, includeInactive = false): Promise<TagInfo[]> {
    const sources = { tools: this.tools, resources: this.resources, prompts: this.prompts, servers: this.servers, gateways: this.gateways };
    const tags = new Map<string, TagInfo>();
    for (const type of types) {
      for (const item of await sources[type].allTags(includeInactive)) {
        for (const tag of item.tags) {
          let info = tags.get(tag);
          if (!info) {
            info = { name: tag, stats: { tools: 0, resources: 0, prompts: 0, servers: 0, gateways: 0, total: 0 }, ...(includeEntities ? { entities: [] } : {}) };
            tags.set(tag, info);
          }
          info.stats[type] += 1;
          info.stats.total += 1;
          info.entities?.push({ id: item.id, name: item.name, type: TAGGED_KIND[type] });
        }
      }
    }
    return [...tags.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The entities carrying `tag` (enabled ones only, unless `includeInactive`). */
  async entities(tag: string, types?: readonly TaggedType[], includeInactive = false): Promise<TagEntity[]> {
    return (await this.list(types, true, includeInactive)).find((t) => t.name === tag)?.entities ?? [];
  }
}
