import type { EventEmitter2 } from '@nestjs/event-emitter';
import { makePrompt, makeResource, makeTool } from '../../../test/factories/catalog.factory';
import { FakeUnitOfWork, fakeCatalogRepository, strictMock } from '../../../test/support/unit';
import type { AuditTrail } from '../../common/catalog/audit-trail';
import type { CatalogItem } from '../../common/catalog/catalog.model';
import { CatalogSupport } from '../../common/catalog/catalog.service';
import type { RequestContext } from '../../common/context/request-context';
import { ErrorCode, NotFoundError, ValidationError, VersionConflictError } from '../../common/errors/domain-error';
import { CATALOG_CHANGED, CatalogEvents } from '../../common/events/catalog-events';
import { loadConfig } from '../../config/app-config';
import type { PromptsService } from '../prompts/prompts.service';
import type { ResourcesService } from '../resources/resources.service';
import type { ToolsService } from '../tools/tools.service';
import type { ServerRepository } from './repositories/server.repository';
import { ASSOCIATION_PROPERTY, type AssociationKind, type Server } from './server.model';
import { ServersService } from './servers.service';

function setup() {
  const tools = [makeTool({ name: 't_one' }), makeTool({ name: 't_two' }), makeTool({ name: 't_off', enabled: false })];
  const resources = [makeResource()];
  const prompts = [makePrompt()];
  const lookup = (items: CatalogItem[]) => async (ids: string[]) => items.filter((i) => ids.includes(i.id));
  const stored = new Map<string, Server>();
  const repo = fakeCatalogRepository<Server, ServerRepository>(stored, { label: 'server', key: 'name' }, {
    setAssociations: async (id: string, kind: AssociationKind, ids: string[]) => {
      stored.set(id, { ...stored.get(id)!, [ASSOCIATION_PROPERTY[kind]]: [...ids] });
    },
    serversContaining: async (kind: AssociationKind, entityId: string) => [...stored.values()].filter((s) => s[ASSOCIATION_PROPERTY[kind]].includes(entityId)).map((s) => s.id),
    removeMember: async (kind: AssociationKind, entityId: string) => {
      for (const s of stored.values()) stored.set(s.id, { ...s, [ASSOCIATION_PROPERTY[kind]]: s[ASSOCIATION_PROPERTY[kind]].filter((id) => id !== entityId) });
    },
  });
  const uow = new FakeUnitOfWork();
  const audit = strictMock<AuditTrail>('audit', { record: async () => undefined });
  const emitter = strictMock<EventEmitter2>('emitter', { emit: () => true });
  const context = strictMock<RequestContext>('context', { actor: () => ({ name: 'bob', via: 'api' as const }) });
  const support = new CatalogSupport(uow, audit, context, new CatalogEvents(emitter, uow), loadConfig({}));
  const service = new ServersService(
    repo,
    support,
    strictMock<ToolsService>('tools', { findByIds: lookup(tools) as ToolsService['findByIds'] }),
    strictMock<ResourcesService>('resources', { findByIds: lookup(resources) as ResourcesService['findByIds'] }),
    strictMock<PromptsService>('prompts', { findByIds: lookup(prompts) as PromptsService['findByIds'] }),
  );
  const events = () => emitter.emit.mock.calls.filter(([name]) => name === CATALOG_CHANGED).map(([, e]) => e);
  return { service, repo, audit, support, stored, uow, events, tools, resources, prompts };
}

describe('ServersService', () => {
  it('creates a server with its associations in the given order (duplicates dropped), audited as one create', async () => {
    const { service, repo, audit, events, tools, resources } = setup();
    const [one, two] = tools;
    const s = await service.create({ name: 'My Server', icon: 'https://example.com/i.png', associatedTools: [two.id, one.id, two.id], associatedResources: [resources[0].id], tags: ['x'] });
    expect(s).toMatchObject({ name: 'My Server', description: null, associatedTools: [two.id, one.id], associatedResources: [resources[0].id], associatedPrompts: [], version: 1, createdBy: 'bob' });
    expect(repo.setAssociations).toHaveBeenCalledTimes(2);
    expect(audit.record).toHaveBeenCalledWith('server', s.id, 'My Server', 'create', expect.arrayContaining(['name', 'icon', 'tags', 'associatedTools', 'associatedResources']));
    expect(events()).toEqual([{ kind: 'server', id: s.id, key: 'My Server', action: 'create' }]);
  });

  it.each([
    ['associatedTools', 'unknown tool id(s): missing'],
    ['associatedResources', 'unknown resource id(s): missing'],
    ['associatedPrompts', 'unknown prompt id(s): missing'],
  ] as const)('refuses unknown ids in %s with ValidationError (422) naming the field, publishing nothing', async (field, message) => {
    const { service, audit, events, uow } = setup();
    const err = await service.create({ name: 'bad', [field]: ['missing'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: ErrorCode.Validation, message: `${field}: ${message}`, details: { field } });
    expect(audit.record).not.toHaveBeenCalled();
    expect(events()).toEqual([]);
    expect(uow.rollbacks).toBe(1);
  });

  it('lets a duplicate name through as ConflictError (409)', async () => {
    const { service } = setup();
    await service.create({ name: 'twice' });
    await expect(service.create({ name: 'twice' })).rejects.toMatchObject({ code: ErrorCode.Conflict });
  });

  it('updates fields and associations with one version bump, naming both in the audit entry', async () => {
    const { service, audit, tools, prompts } = setup();
    const s = await service.create({ name: 'upd', associatedTools: [tools[0].id] });
    const updated = await service.update(s.id, { description: 'new', associatedTools: [tools[1].id], associatedPrompts: [prompts[0].id], version: 1 });
    expect(updated).toMatchObject({ description: 'new', associatedTools: [tools[1].id], associatedPrompts: [prompts[0].id], version: 2 });
    expect(audit.record).toHaveBeenLastCalledWith('server', s.id, 'upd', 'update', ['description', 'associatedTools', 'associatedPrompts']);
  });

  it('does not rewrite associations that did not change, and does not bump the version for a no-op update', async () => {
    const { service, repo, tools } = setup();
    const s = await service.create({ name: 'same', associatedTools: [tools[0].id] });
    repo.setAssociations.mockClear();
    expect((await service.update(s.id, { associatedTools: [tools[0].id], name: 'same' })).version).toBe(1);
    expect(repo.setAssociations).not.toHaveBeenCalled();
    expect(repo.update).not.toHaveBeenCalled();
  });

  it('refuses a stale version with VersionConflictError (409) and an unknown id with NotFoundError (404)', async () => {
    const { service } = setup();
    const s = await service.create({ name: 'locked' });
    await service.update(s.id, { description: 'v2' });
    await expect(service.update(s.id, { description: 'v3', version: 1 })).rejects.toThrow(VersionConflictError);
    await expect(service.update('nope', { description: 'x' })).rejects.toThrow(NotFoundError);
    await expect(service.members('nope', 'tools')).rejects.toThrow(NotFoundError);
  });

  it('lists members in the server order, enabled ones unless includeInactive', async () => {
    const { service, tools } = setup();
    const [one, two, off] = tools;
    const s = await service.create({ name: 'members', associatedTools: [off.id, two.id, one.id] });
    expect((await service.members(s.id, 'tools')).map((t) => t.name)).toEqual(['t_two', 't_one']);
    expect((await service.members(s.id, 'tools', true)).map((t) => t.name)).toEqual(['t_off', 't_two', 't_one']);
  });

  describe('when a member is deleted', () => {
    it('detaches it from every server that has it, as an audited, versioned, published server update', async () => {
      const { service, support, audit, events, stored, tools, repo } = setup();
      const [one, two] = tools;
      const a = await service.create({ name: 'a', associatedTools: [one.id, two.id] });
      const b = await service.create({ name: 'b', associatedTools: [two.id] });
      const c = await service.create({ name: 'c', associatedTools: [one.id] });
      audit.record.mockClear();
      repo.setAssociations.mockClear();
      await support.beforeDelete('tool', two.id);
      // One delete of the member's join rows; no server's association list is rewritten.
      expect(repo.removeMember.mock.calls).toEqual([['tools', two.id]]);
      expect(repo.setAssociations).not.toHaveBeenCalled();
      expect(stored.get(a.id)).toMatchObject({ associatedTools: [one.id], version: 2 });
      expect(stored.get(b.id)).toMatchObject({ associatedTools: [], version: 2 });
      expect(stored.get(c.id)).toMatchObject({ associatedTools: [one.id], version: 1 });
      expect(audit.record.mock.calls).toEqual([
        ['server', a.id, 'a', 'update', ['associatedTools']],
        ['server', b.id, 'b', 'update', ['associatedTools']],
      ]);
      expect(events().slice(-2)).toEqual([
        { kind: 'server', id: a.id, key: 'a', action: 'update' },
        { kind: 'server', id: b.id, key: 'b', action: 'update' },
      ]);
    });

    it('detaches resources and prompts too, and ignores kinds that cannot be members', async () => {
      const { service, support, repo, stored, resources, prompts, tools } = setup();
      const s = await service.create({ name: 'rp', associatedResources: [resources[0].id], associatedPrompts: [prompts[0].id] });
      await support.beforeDelete('resource', resources[0].id);
      await support.beforeDelete('prompt', prompts[0].id);
      expect(stored.get(s.id)).toMatchObject({ associatedResources: [], associatedPrompts: [], version: 3 });
      repo.serversContaining.mockClear();
      repo.removeMember.mockClear();
      await support.beforeDelete('server', s.id);
      await support.beforeDelete('gateway', 'gw');
      // A member of no server: nothing to remove.
      await support.beforeDelete('tool', tools[0].id);
      expect(repo.serversContaining.mock.calls).toEqual([['tools', tools[0].id]]);
      expect(repo.removeMember).not.toHaveBeenCalled();
    });

    it('deletes a server itself like any catalog item', async () => {
      const { service, stored } = setup();
      const s = await service.create({ name: 'gone' });
      await service.remove(s.id);
      expect(stored.has(s.id)).toBe(false);
      await expect(service.remove(s.id)).rejects.toThrow(NotFoundError);
    });
  });

  it('uses the name as the key of audit entries and events', async () => {
    const { service, events } = setup();
    const s = await service.create({ name: 'keyed' });
    await service.setEnabled(s.id, false);
    expect(events().pop()).toEqual({ kind: 'server', id: s.id, key: 'keyed', action: 'disable' });
  });
});
