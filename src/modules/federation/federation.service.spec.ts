import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { RequestContext } from '../../common/context/request-context';
import { ValidationError } from '../../common/errors/domain-error';
import type { CatalogEvents } from '../../common/events/catalog-events';
import type { OutboundHttp } from '../../common/http/outbound-http';
import { loadConfig } from '../../config/app-config';
import type { UnitOfWork } from '../../database/unit-of-work';
import type { GatewayCache } from '../cache/gateway-cache.service';
import type { PromptsService } from '../prompts/prompts.service';
import type { ResourcesService } from '../resources/resources.service';
import type { ToolsService } from '../tools/tools.service';
import { FederationService } from './federation.service';
import type { Gateway } from './gateway.model';
import type { GatewaysService } from './gateways.service';
import type { UpstreamPool } from './upstream/upstream-pool.service';

const counts = () => ({ added: 0, updated: 0, removed: 0, conflicts: [] as string[] });

function gw(id: string, fields: Partial<Gateway> = {}): Gateway {
  return { id, name: id, slug: id, url: `http://${id}/mcp`, transport: 'STREAMABLEHTTP', enabled: true, reachable: true, alternateOf: null, namespaced: true, authValue: null, caCertificate: null, ...fields } as Gateway;
}

/** What a peer lists, served by a fake SDK client. */
function peerSession(tools: Array<{ name: string; title?: string }>) {
  const client = {
    getServerCapabilities: () => ({ tools: {} }),
    getServerVersion: () => ({ name: 'peer', version: '1' }),
    listTools: async () => ({ tools: tools.map((t) => ({ ...t, inputSchema: { type: 'object' } })) }),
  };
  return { client, close: jest.fn(async () => undefined) };
}

function setup(stored: Gateway[] = []) {
  const config = loadConfig({});
  const gateways = {
    assertPeerAuth: jest.fn(),
    assertUnique: jest.fn(async () => undefined),
    slugFor: (name: string) => name.toLowerCase(),
    create: jest.fn(async (dto: { name: string; alternateOf?: string }) => gw('new', { name: dto.name, slug: dto.name.toLowerCase(), alternateOf: dto.alternateOf ?? null })),
    get: jest.fn(async (id: string) => ({ ...gw(id), lastError: status.get(id)?.lastError })),
    updateStatus: jest.fn(async (id: string, s: Record<string, unknown>) => void status.set(id, s)),
    findByIds: jest.fn(async (ids: string[]) => stored.filter((g) => ids.includes(g.id))),
    primaryFor: jest.fn(async (id: string) => {
      const primary = stored.find((g) => g.id === id);
      if (!primary) throw new ValidationError('alternateOf', `no gateway with id ${id}`);
      return primary;
    }),
    findAlternates: jest.fn(async (id: string) => stored.filter((g) => g.alternateOf === id)),
    findAll: jest.fn(async () => stored),
  };
  const status = new Map<string, Record<string, unknown>>();
  const tools = { syncFederated: jest.fn(async () => counts()), originalNamesOf: jest.fn(async (): Promise<string[]> => []) };
  const resources = { syncFederated: jest.fn(async () => counts()) };
  const prompts = { syncFederated: jest.fn(async () => counts()) };
  const pool = { open: jest.fn(), evictPeer: jest.fn(async () => undefined) };
  const uow = { transaction: (work: () => Promise<unknown>) => work() };
  const context = { run: (_o: unknown, work: () => Promise<unknown>) => work() };
  const cache = { wrap: (_ns: string, _key: string, compute: () => Promise<unknown>) => compute(), invalidate: jest.fn(async () => undefined) };
  const http = { assertAllowed: jest.fn(async () => undefined) };
  const service = new FederationService(
    gateways as unknown as GatewaysService,
    tools as unknown as ToolsService,
    resources as unknown as ResourcesService,
    prompts as unknown as PromptsService,
    pool as unknown as UpstreamPool,
    uow as unknown as UnitOfWork,
    context as unknown as RequestContext,
    { changed: jest.fn() } as unknown as CatalogEvents,
    { emit: jest.fn() } as unknown as EventEmitter2,
    http as unknown as OutboundHttp,
    config,
    cache as unknown as GatewayCache,
  );
  return { service, gateways, tools, pool, status };
}

describe('FederationService', () => {
  describe('callTargets (fail-over order)', () => {
    it('puts reachable members first, the primary first among equals, and leaves disabled ones out', async () => {
      const stored = [gw('p', { reachable: false }), gw('a1', { alternateOf: 'p' }), gw('a2', { alternateOf: 'p', enabled: false }), gw('a3', { alternateOf: 'p' })];
      expect((await setup(stored).service.callTargets('p')).map((t) => t.id)).toEqual(['a1', 'a3', 'p']);
      stored[0].reachable = true;
      expect((await setup(stored).service.callTargets('p')).map((t) => t.id)).toEqual(['p', 'a1', 'a3']);
    });

    it('is empty when the primary is disabled or gone, even with healthy alternates', async () => {
      const stored = [gw('p', { enabled: false }), gw('a1', { alternateOf: 'p' })];
      expect(await setup(stored).service.callTargets('p')).toEqual([]);
      expect(await setup(stored).service.callTargets('missing')).toEqual([]);
    });

    it('carries what forwarding needs and nothing else', async () => {
      const [target] = await setup([gw('p', { lastError: 'x', tags: ['t'] } as Partial<Gateway>)]).service.callTargets('p');
      expect(Object.keys(target).sort()).toEqual(['authValue', 'caCertificate', 'enabled', 'id', 'name', 'reachable', 'transport', 'url']);
    });
  });

  it('reports a primary unreachable only when no enabled member of its group is reachable', async () => {
    const stored = [
      gw('down', { reachable: false }),
      gw('covered', { reachable: false }),
      gw('backup', { alternateOf: 'covered' }),
      gw('off', { enabled: false }),
      gw('down2', { reachable: false }),
      gw('off-backup', { alternateOf: 'down2', enabled: false }),
    ];
    const states = await setup(stored).service.peerStates();
    expect([...states.unreachable].sort()).toEqual(['down', 'down2']);
    expect([...states.disabled]).toEqual(['off']);
  });

  it('registers a peer with the items that cannot be stored skipped and reported in lastError', async () => {
    const { service, pool, tools, status } = setup();
    // 'peer' + '-' + 250 characters fits the 255 of tools.name exactly; 251 do not.
    const session = peerSession([{ name: 'echo' }, { name: 'y'.repeat(250) }, { name: 'x'.repeat(251) }, { name: 'titled', title: 'T'.repeat(300) }]);
    pool.open.mockResolvedValue(session);
    const created = await service.register({ name: 'Peer', url: 'http://peer/mcp' });
    const synced = (tools.syncFederated.mock.calls[0] as unknown[])[1] as Array<{ name: string }>;
    expect(synced.map((t) => t.name)).toEqual(['peer-echo', `peer-${'y'.repeat(250)}`]);
    expect(status.get('new')?.lastError).toBe(
      `Peer 'Peer' exposes tool '${'x'.repeat(60)}…' that cannot be stored: its name has 256 characters (at most 255); ` +
        "Peer 'Peer' exposes tool 'titled' that cannot be stored: its title has 300 characters (at most 255)",
    );
    expect(created.lastError).toBe(status.get('new')?.lastError);
    expect(session.close).toHaveBeenCalled();
  });

  it('refuses an alternate that does not offer its primary’s tools (422 naming them), storing nothing', async () => {
    const { service, pool, tools, gateways } = setup([gw('p', { name: 'Primary' })]);
    tools.originalNamesOf.mockResolvedValue(['echo', 'add', 'whoami']);
    const session = peerSession([{ name: 'echo' }]);
    pool.open.mockResolvedValue(session);
    const err = await service.register({ name: 'Backup', url: 'http://backup/mcp', alternateOf: 'p' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toBe("alternateOf: peer 'Backup' does not offer these tools of its primary 'Primary': add, whoami");
    expect(gateways.create).not.toHaveBeenCalled();
    expect(session.close).toHaveBeenCalled();
    expect(tools.originalNamesOf).toHaveBeenCalledWith('p');

    pool.open.mockResolvedValue(peerSession([{ name: 'echo' }, { name: 'add' }, { name: 'whoami' }, { name: 'extra' }]));
    await expect(service.register({ name: 'Backup', url: 'http://backup/mcp', alternateOf: 'p' })).resolves.toMatchObject({ alternateOf: 'p' });
    expect(tools.syncFederated).not.toHaveBeenCalled(); // an alternate has no catalog of its own
  });

  it('refuses an alternate of an unknown primary (422 on alternateOf), storing nothing', async () => {
    const { service, pool, gateways } = setup();
    const session = peerSession([{ name: 'echo' }]);
    pool.open.mockResolvedValue(session);
    const err = await service.register({ name: 'Backup', url: 'http://backup/mcp', alternateOf: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toBe('alternateOf: no gateway with id nope');
    expect(gateways.create).not.toHaveBeenCalled();
    expect(session.close).toHaveBeenCalled();
  });
});
