import { CatalogSupport } from '../../common/catalog/catalog.service';
import type { RequestContext } from '../../common/context/request-context';
import { SecretBox } from '../../common/crypto/secret-box';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors/domain-error';
import type { CatalogEvents } from '../../common/events/catalog-events';
import { loadConfig } from '../../config/app-config';
import type { UnitOfWork } from '../../database/unit-of-work';
import type { AuditService } from '../audit/audit.service';
import type { Gateway } from './gateway.model';
import { GatewaysService, inferTransport } from './gateways.service';
import type { GatewayRepository } from './repositories/gateway.repository';

function setup() {
  const stored: Gateway[] = [];
  const repo = {
    insert: jest.fn(async (g: Gateway) => (stored.push(g), g)),
    findById: jest.fn(async (id: string) => stored.find((g) => g.id === id) ?? null),
    findByKey: jest.fn(async (name: string) => stored.find((g) => g.name === name) ?? null),
    findBySlug: jest.fn(async (slug: string) => stored.find((g) => g.slug === slug) ?? null),
    findByUrl: jest.fn(async (url: string) => stored.find((g) => g.url === url) ?? null),
  };
  const uow = { transaction: (work: () => Promise<unknown>) => work() };
  const context = { actor: () => ({ name: 'ops', via: 'api' as const }) };
  const config = loadConfig({});
  const support = new CatalogSupport(uow as unknown as UnitOfWork, { record: async () => undefined } as unknown as AuditService, context as unknown as RequestContext, { changed: () => undefined } as unknown as CatalogEvents, config);
  const secrets = new SecretBox(config);
  return { service: new GatewaysService(repo as unknown as GatewayRepository, support, secrets), repo, stored, secrets };
}

describe('inferTransport', () => {
  it('picks SSE for URLs whose path ends in /sse, Streamable HTTP otherwise', () => {
    expect(inferTransport('http://h/sse')).toBe('SSE');
    expect(inferTransport('http://h/servers/1/sse/')).toBe('SSE');
    expect(inferTransport('http://h/mcp')).toBe('STREAMABLEHTTP');
    expect(inferTransport('http://h/sse/mcp?x=/sse')).toBe('STREAMABLEHTTP');
  });
});

describe('GatewaysService', () => {
  it('stores a peer with its slug, inferred transport and encrypted credentials', async () => {
    const { service, secrets } = setup();
    const g = await service.create({ name: 'Time Server', url: 'http://h:1/sse', auth: { authType: 'bearer', token: 't0k' } });
    expect(g).toMatchObject({ name: 'Time Server', slug: 'time-server', transport: 'SSE', authType: 'bearer', namespaced: true, reachable: true, alternateOf: null, consecutiveFailures: 0 });
    expect(g.authValue).not.toContain('t0k');
    expect(secrets.decryptJson(g.authValue!)).toEqual({ authType: 'bearer', token: 't0k' });
    expect(service.headers(g)).toEqual({ Authorization: 'Bearer t0k' });
  });

  it('refuses a name without letters or digits, and query-string credentials', async () => {
    const { service, repo } = setup();
    expect(() => service.slugFor('--- !')).toThrow(ValidationError);
    expect(() => service.assertPeerAuth({ authType: 'query_param', queryParamName: 'k', queryParamValue: 'v' } as never)).toThrow(/query_param is supported for REST tools only/);
    await expect(service.create({ name: '***', url: 'http://h/mcp' })).rejects.toThrow(/name: must contain at least one letter or digit/);
    expect(repo.insert).not.toHaveBeenCalled();
  });

  it('refuses a second peer whose name has the same slug or whose URL is taken (409), but not the peer itself', async () => {
    const { service } = setup();
    const a = await service.create({ name: 'Alpha Peer', url: 'http://a/mcp' });
    await expect(service.create({ name: 'alpha_peer', url: 'http://b/mcp' })).rejects.toThrow(new ConflictError("A gateway named 'Alpha Peer' already uses the slug 'alpha-peer'"));
    await expect(service.create({ name: 'other', url: 'http://a/mcp' })).rejects.toThrow("Gateway 'Alpha Peer' is already registered for http://a/mcp");
    await expect(service.assertUnique('alpha-peer', 'http://a/mcp', a.id)).resolves.toBeUndefined();
  });

  it('accepts an alternate only of an existing primary that is not itself an alternate', async () => {
    const { service } = setup();
    const primary = await service.create({ name: 'p', url: 'http://p/mcp' });
    const alt = await service.create({ name: 'p2', url: 'http://p2/mcp', alternateOf: primary.id });
    expect(alt.alternateOf).toBe(primary.id);
    await expect(service.create({ name: 'p3', url: 'http://p3/mcp', alternateOf: alt.id })).rejects.toThrow(/p2 is itself an alternate/);
    await expect(service.create({ name: 'p4', url: 'http://p4/mcp', alternateOf: 'nope' })).rejects.toThrow(/alternateOf: no gateway with id nope/);
  });

  it('resolves a peer by id, exact name or slug, and 404s otherwise', async () => {
    const { service } = setup();
    const g = await service.create({ name: 'Time Server', url: 'http://t/mcp' });
    for (const key of [g.id, 'Time Server', 'time-server']) expect((await service.resolve(key)).id).toBe(g.id);
    await expect(service.resolve('time')).rejects.toThrow(NotFoundError);
  });
});
