import { CatalogSupport } from '../../common/catalog/catalog.service';
import type { RequestContext } from '../../common/context/request-context';
import { SecretBox } from '../../common/crypto/secret-box';
import { OutboundHttp } from '../../common/http/outbound-http';
import { NotFoundError, ValidationError, VersionConflictError } from '../../common/errors/domain-error';
import type { CatalogEvents } from '../../common/events/catalog-events';
import { loadConfig } from '../../config/app-config';
import type { UnitOfWork } from '../../database/unit-of-work';
import type { AuditService } from '../audit/audit.service';
import { fakeCatalogRepository } from '../../../test/support/unit';
import type { ToolRepository } from './repositories/tool.repository';
import type { Tool } from './tool.model';
import { ToolsService } from './tools.service';

function setup() {
  const stored = new Map<string, Tool>();
  const repo = fakeCatalogRepository<Tool, ToolRepository>(stored, { label: 'tool', key: 'name' }, {
    findByGateway: async (gatewayId: string) => [...stored.values()].filter((t) => t.gatewayId === gatewayId),
  });
  const committed: Array<() => void> = [];
  const uow = { transaction: jest.fn((work: () => Promise<unknown>) => work()), afterCommit: jest.fn((fn: () => void) => committed.push(fn)) };
  const audit = { record: jest.fn(async () => undefined) };
  const events = { changed: jest.fn() };
  const context = { actor: () => ({ name: 'alice', ip: '10.0.0.1', userAgent: 'ua', via: 'api' as const }) };
  const config = loadConfig({});
  const support = new CatalogSupport(uow as unknown as UnitOfWork, audit as unknown as AuditService, context as unknown as RequestContext, events as unknown as CatalogEvents, config);
  const service = new ToolsService(repo, support, new SecretBox(config), new OutboundHttp(loadConfig({ SSRF_ALLOW_LOCALHOST: 'true' })));
  return { service, repo, audit, events, stored };
}

const dto = { name: 'weather', url: 'http://127.0.0.1:1/w', requestType: 'get' };

describe('ToolsService', () => {
  it('creates a REST tool with audit metadata, records the audit entry and publishes the change', async () => {
    const { service, repo, audit, events } = setup();
    const tool = await service.create(dto);
    expect(tool).toMatchObject({ name: 'weather', requestType: 'GET', version: 1, createdBy: 'alice', createdFromIp: '10.0.0.1', createdVia: 'api', inputSchema: { type: 'object', properties: {} } });
    expect(repo.insert).toHaveBeenCalledTimes(1);
    expect(audit.record).toHaveBeenCalledWith('tool', tool.id, 'weather', 'create', expect.arrayContaining(['name', 'url', 'requestType']));
    expect(events.changed).toHaveBeenCalledWith({ kind: 'tool', id: tool.id, key: 'weather', action: 'create' });
  });

  it.each([
    [{ ...dto, requestType: 'FETCH' }, /requestType/],
    [{ name: 'no_url' }, /url: is required/],
    [{ ...dto, inputSchema: { type: 'object', properties: { a: { minimum: 'x' } } } }, /inputSchema/],
    [{ ...dto, auth: { authType: 'bearer' as const, token: '*****' } }, /auth.token/],
  ])('refuses %p before touching the repository', async (bad, message) => {
    const { service, repo } = setup();
    await expect(service.create(bad)).rejects.toThrow(ValidationError);
    await expect(service.create(bad)).rejects.toThrow(message);
    expect(repo.insert).not.toHaveBeenCalled();
  });

  it('encrypts credentials and decrypts them for invocation', async () => {
    const { service } = setup();
    const tool = await service.create({ ...dto, auth: { authType: 'bearer', token: 'sekret' } });
    expect(tool.authValue).not.toContain('sekret');
    expect(service.credentials(tool)).toEqual({ authType: 'bearer', token: 'sekret' });
  });

  it('updates changed fields only, bumps the version and audits the field names', async () => {
    const { service, repo, audit } = setup();
    const tool = await service.create(dto);
    const updated = await service.update(tool.id, { description: 'new', url: dto.url });
    expect(updated.version).toBe(2);
    expect(audit.record).toHaveBeenLastCalledWith('tool', tool.id, 'weather', 'update', ['description']);
    repo.update.mockClear();
    expect((await service.update(tool.id, { description: 'new' })).version).toBe(2);
    expect(repo.update).not.toHaveBeenCalled();
  });

  it('maps a stale expected version, or a lost race, to VersionConflictError', async () => {
    const { service, repo } = setup();
    const tool = await service.create(dto);
    await expect(service.update(tool.id, { description: 'x', version: 7 })).rejects.toThrow(VersionConflictError);
    repo.update.mockResolvedValueOnce(null);
    await expect(service.update(tool.id, { description: 'x' })).rejects.toThrow(VersionConflictError);
  });

  it("lists the upstream names of a peer's tools, enabled or not, in one repository query", async () => {
    const { service, repo, stored } = setup();
    const federated = (id: string, originalName: string, gatewayId: string, enabled = true) => stored.set(id, { id, name: `peer-${originalName}`, originalName, gatewayId, enabled } as Tool);
    federated('1', 'echo', 'g1');
    federated('2', 'add', 'g1', false);
    federated('3', 'echo', 'g2');
    expect((await service.originalNamesOf('g1')).sort()).toEqual(['add', 'echo']);
    expect(await service.originalNamesOf('none')).toEqual([]);
    expect(repo.findByGateway).toHaveBeenCalledTimes(2);
  });

  it('raises NotFoundError for unknown ids', async () => {
    const { service } = setup();
    await expect(service.get('nope')).rejects.toThrow(NotFoundError);
    await expect(service.remove('nope')).rejects.toThrow('Tool not found: nope');
  });
});
