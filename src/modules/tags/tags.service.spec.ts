import { strictMock } from '../../../test/support/unit';
import type { GatewaysService } from '../federation/gateways.service';
import type { PromptsService } from '../prompts/prompts.service';
import type { ResourcesService } from '../resources/resources.service';
import type { ServersService } from '../servers/servers.service';
import type { ToolsService } from '../tools/tools.service';
import { TagsService } from './tags.service';

type Tagged = { id: string; name: string; tags: string[]; enabled: boolean };

/** A catalog service stand-in whose `allTags` answers from `items`, honouring includeInactive like the repositories. */
function source<T>(name: string, items: Tagged[]) {
  return strictMock<T & { allTags: jest.Mock }>(name, {
    allTags: async (includeInactive: boolean) => items.filter((i) => (includeInactive || i.enabled) && i.tags.length).map(({ id, name: n, tags }) => ({ id, name: n, tags })),
  } as never);
}

function setup() {
  const sources = {
    tools: source<ToolsService>('tools', [
      { id: 't1', name: 'search', tags: ['web', 'beta'], enabled: true },
      { id: 't2', name: 'old', tags: ['web'], enabled: false },
      { id: 't3', name: 'untagged', tags: [], enabled: true },
    ]),
    resources: source<ResourcesService>('resources', [{ id: 'r1', name: 'file:///a', tags: ['docs'], enabled: true }]),
    prompts: source<PromptsService>('prompts', [{ id: 'p1', name: 'greet', tags: ['web'], enabled: true }]),
    servers: source<ServersService>('servers', []),
    gateways: source<GatewaysService>('gateways', [{ id: 'g1', name: 'peer', tags: ['beta'], enabled: true }]),
  };
  const service = new TagsService(sources.tools, sources.resources, sources.prompts, sources.servers, sources.gateways);
  return { service, sources };
}

describe('TagsService', () => {
  it('aggregates every tag in use with per-kind counts, sorted by name, enabled entities only by default', async () => {
    const { service, sources } = setup();
    expect(await service.list()).toEqual([
      { name: 'beta', stats: { tools: 1, resources: 0, prompts: 0, servers: 0, gateways: 1, total: 2 } },
      { name: 'docs', stats: { tools: 0, resources: 1, prompts: 0, servers: 0, gateways: 0, total: 1 } },
      { name: 'web', stats: { tools: 1, resources: 0, prompts: 1, servers: 0, gateways: 0, total: 2 } },
    ]);
    for (const s of Object.values(sources)) expect(s.allTags).toHaveBeenCalledWith(false);
  });

  it('counts disabled entities with includeInactive, and lists the entities when asked', async () => {
    const { service } = setup();
    const web = (await service.list(undefined, true, true)).find((t) => t.name === 'web')!;
    expect(web.stats).toMatchObject({ tools: 2, prompts: 1, total: 3 });
    expect(web.entities).toEqual([
      { id: 't1', name: 'search', type: 'tool' },
      { id: 't2', name: 'old', type: 'tool' },
      { id: 'p1', name: 'greet', type: 'prompt' },
    ]);
  });

  it('asks only the services of the requested entity types', async () => {
    const { service, sources } = setup();
    expect((await service.list(['resources', 'gateways'])).map((t) => t.name)).toEqual(['beta', 'docs']);
    expect(sources.tools.allTags).not.toHaveBeenCalled();
    expect(sources.prompts.allTags).not.toHaveBeenCalled();
  });

  it('lists the entities of one tag, disabled ones only with includeInactive; an unknown tag has none', async () => {
    const { service } = setup();
    expect((await service.entities('web')).map((e) => e.id)).toEqual(['t1', 'p1']);
    expect((await service.entities('web', undefined, true)).map((e) => e.id)).toEqual(['t1', 't2', 'p1']);
    expect((await service.entities('web', ['prompts'])).map((e) => e.id)).toEqual(['p1']);
    expect(await service.entities('nope')).toEqual([]);
  });

  it('lets a failing source fail the request (no partial aggregate)', async () => {
    const { service, sources } = setup();
    sources.gateways.allTags.mockRejectedValueOnce(new Error('database down'));
    await expect(service.list()).rejects.toThrow('database down');
  });
});
