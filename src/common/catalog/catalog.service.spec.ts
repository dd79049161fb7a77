import type { EventEmitter2 } from '@nestjs/event-emitter';
import { loadConfig } from '../../config/app-config';
import { FakeUnitOfWork, fakeCatalogRepository, strictMock } from '../../../test/support/unit';
import type { RequestContext } from '../context/request-context';
import { ConflictError, ErrorCode, NotFoundError, VersionConflictError } from '../errors/domain-error';
import { CATALOG_CHANGED, CatalogEvents } from '../events/catalog-events';
import type { AuditTrail } from './audit-trail';
import type { CatalogItem } from './catalog.model';
import type { CatalogRepository } from './catalog.repository';
import { CatalogService, CatalogSupport, changedFields, type CreateOptions, type NewItem, newId } from './catalog.service';

interface Widget extends CatalogItem {
  name: string;
  size: number;
  gatewayId: string | null;
  upstream: string | null;
}

/** A minimal concrete catalog service, exposing the protected operations the real services build on. */
class WidgetService extends CatalogService<Widget> {
  protected readonly kind = 'tool' as const;
  protected readonly label = 'Widget';
  readonly deleted: string[] = [];

  constructor(repo: CatalogRepository<Widget>, support: CatalogSupport) {
    super(repo, support);
  }

  protected keyOf(w: Widget): string {
    return w.name;
  }

  create(fields: NewItem<Widget>, options?: CreateOptions, afterInsert?: (w: Widget) => Promise<string[] | void>) {
    return this.createItem(fields, options, afterInsert);
  }

  modify(id: string, patch: Partial<Widget>, options?: Parameters<CatalogService<Widget>['modifyItem']>[2], extra: string[] = []) {
    return this.modifyItem(id, () => ({ patch, extraChanges: extra }), options);
  }

  sync(desired: Array<NewItem<Widget>>, onConflict: 'fail' | 'skip') {
    return this.syncFromPeer('gw1', 'peer-one', desired, (w) => w.upstream ?? '', ['size'], onConflict);
  }

  protected override async beforeDelete(w: Widget): Promise<void> {
    this.deleted.push(`own hook: ${w.name}`);
  }
}

const ACTOR = { name: 'alice', ip: '10.0.0.1', userAgent: 'ua/1', via: 'api' as const, requestId: 'req-1' };

function setup(env: Record<string, string> = {}) {
  const stored = new Map<string, Widget>();
  const repo = fakeCatalogRepository<Widget>(stored, { label: 'widget', key: 'name' }, {
    findByGateway: async (gatewayId: string) => [...stored.values()].filter((w) => w.gatewayId === gatewayId),
    list: async () => ({ items: [], nextCursor: null }),
    listPage: async () => ({ items: [], total: 0 }),
  });
  const uow = new FakeUnitOfWork();
  const audit = strictMock<AuditTrail>('audit', { record: async () => undefined });
  const emitter = strictMock<EventEmitter2>('emitter', { emit: () => true });
  const context = strictMock<RequestContext>('context', { actor: () => ACTOR });
  const support = new CatalogSupport(uow, audit, context, new CatalogEvents(emitter, uow), loadConfig({ PAGINATION_DEFAULT_PAGE_SIZE: '20', PAGINATION_MAX_PAGE_SIZE: '100', ...env }));
  const service = new WidgetService(repo, support);
  const events = () => emitter.emit.mock.calls.filter(([name]) => name === CATALOG_CHANGED).map(([, e]) => e);
  return { service, repo, uow, audit, support, stored, events };
}

const widget = (name: string, extra: Partial<NewItem<Widget>> = {}): NewItem<Widget> => ({ name, size: 1, gatewayId: null, upstream: null, ...extra });

describe('CatalogService', () => {
  describe('create', () => {
    it('stamps id, audit metadata from the request context and version 1, audits the given fields, publishes after commit', async () => {
      const { service, audit, events } = setup();
      const w = await service.create(widget('alpha', { tags: ['t'] }), { importBatchId: 'batch-1' });
      expect(w.id).toMatch(/^[0-9a-f]{32}$/);
      expect(w).toMatchObject({
        name: 'alpha',
        enabled: true,
        tags: ['t'],
        version: 1,
        createdBy: 'alice',
        createdFromIp: '10.0.0.1',
        createdVia: 'api',
        createdUserAgent: 'ua/1',
        modifiedBy: 'alice',
        importBatchId: 'batch-1',
        federationSource: null,
      });
      expect(w.createdAt).toEqual(w.modifiedAt);
      // Null and undefined fields are not "given".
      expect(audit.record).toHaveBeenCalledWith('tool', w.id, 'alpha', 'create', ['name', 'size', 'tags']);
      expect(events()).toEqual([{ kind: 'tool', id: w.id, key: 'alpha', action: 'create' }]);
    });

    it('keeps a client-chosen id and re-reads the item when afterInsert changed associated rows', async () => {
      const { service, repo, audit } = setup();
      const w = await service.create(widget('beta', { id: 'chosen-id' }), {}, async () => ['members']);
      expect(w.id).toBe('chosen-id');
      expect(repo.findById).toHaveBeenCalledWith('chosen-id');
      expect(audit.record).toHaveBeenCalledWith('tool', 'chosen-id', 'beta', 'create', expect.arrayContaining(['members', 'name']));
    });

    it('lets a conflict (409) through without an audit entry or an event', async () => {
      const { service, audit, events, uow } = setup();
      await service.create(widget('dup'));
      audit.record.mockClear();
      const err = await service.create(widget('dup')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).code).toBe(ErrorCode.Conflict);
      expect(audit.record).not.toHaveBeenCalled();
      expect(events()).toHaveLength(1);
      expect(uow.rollbacks).toBe(1);
    });

    it('publishes nothing when afterInsert fails (the transaction rolls back)', async () => {
      const { service, audit, events } = setup();
      await expect(service.create(widget('gamma'), {}, async () => Promise.reject(new Error('bad members')))).rejects.toThrow('bad members');
      expect(audit.record).not.toHaveBeenCalled();
      expect(events()).toEqual([]);
    });
  });

  describe('get and lists', () => {
    it('answers an unknown id with NotFoundError (404)', async () => {
      const { service } = setup();
      const err = await service.get('nope').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err).toMatchObject({ code: ErrorCode.NotFound, message: 'Widget not found: nope' });
    });

    it.each([
      [undefined, 20],
      [0, 100],
      [7, 7],
      [1000, 100],
    ])('bounds limit=%p to a page of %p (PAGINATION_DEFAULT_PAGE_SIZE / PAGINATION_MAX_PAGE_SIZE)', async (limit, size) => {
      const { service, repo } = setup();
      await service.list({ limit, tags: ['x'] });
      expect(repo.list).toHaveBeenCalledWith({ limit: size, tags: ['x'] });
      await service.listPage({ limit: limit ?? 20, offset: 0 });
      expect(repo.listPage).toHaveBeenCalledWith({ limit: limit === undefined ? 20 : size, offset: 0 });
    });

    it('never pages more than the maximum, even when the default is larger', async () => {
      const { service, repo } = setup({ PAGINATION_DEFAULT_PAGE_SIZE: '500', PAGINATION_MAX_PAGE_SIZE: '100' });
      await service.list();
      expect(repo.list).toHaveBeenCalledWith({ limit: 100 });
    });
  });

  describe('modify', () => {
    it('bumps the version under an optimistic lock, stamps the modifier and audits only the changed fields', async () => {
      const { service, repo, audit, events } = setup();
      const w = await service.create(widget('delta'));
      const updated = await service.modify(w.id, { size: 2, name: 'delta' }, { expectedVersion: 1 });
      expect(repo.update).toHaveBeenCalledWith(w.id, 1, expect.objectContaining({ size: 2, modifiedBy: 'alice', modifiedFromIp: '10.0.0.1', modifiedVia: 'api', modifiedUserAgent: 'ua/1' }));
      expect(updated).toMatchObject({ size: 2, version: 2 });
      expect(audit.record).toHaveBeenLastCalledWith('tool', w.id, 'delta', 'update', ['size']);
      expect(events().pop()).toEqual({ kind: 'tool', id: w.id, key: 'delta', action: 'update' });
    });

    it('changes nothing (no write, no audit, no event) when the patch equals the current state', async () => {
      const { service, repo, audit, events } = setup();
      const w = await service.create(widget('epsilon', { size: 3 }));
      audit.record.mockClear();
      expect(await service.modify(w.id, { size: 3 })).toMatchObject({ version: 1 });
      expect(repo.update).not.toHaveBeenCalled();
      expect(audit.record).not.toHaveBeenCalled();
      expect(events()).toHaveLength(1);
    });

    it('counts extra changes (associated rows) as a change', async () => {
      const { service, audit } = setup();
      const w = await service.create(widget('zeta'));
      expect((await service.modify(w.id, {}, {}, ['members'])).version).toBe(2);
      expect(audit.record).toHaveBeenLastCalledWith('tool', w.id, 'zeta', 'update', ['members']);
    });

    it('refuses a stale expected version with VersionConflictError (409) before computing the change', async () => {
      const { service, repo } = setup();
      const w = await service.create(widget('eta'));
      const err = await service.modify(w.id, { size: 9 }, { expectedVersion: 5 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VersionConflictError);
      expect(err).toMatchObject({ code: ErrorCode.VersionConflict, details: { expectedVersion: 5, currentVersion: 1 } });
      expect(repo.update).not.toHaveBeenCalled();
    });

    it('turns a lost race (the row moved on between read and write) into VersionConflictError', async () => {
      const { service, repo, audit, events } = setup();
      const w = await service.create(widget('theta'));
      audit.record.mockClear();
      repo.update.mockResolvedValueOnce(null);
      await expect(service.modify(w.id, { size: 4 })).rejects.toThrow(VersionConflictError);
      expect(audit.record).not.toHaveBeenCalled();
      expect(events()).toHaveLength(1);
    });

    it('answers an unknown id with NotFoundError', async () => {
      const { service } = setup();
      await expect(service.modify('nope', { size: 1 })).rejects.toThrow(NotFoundError);
    });

    it('audits enable/disable and rollback as such; a rollback is published as an update', async () => {
      const { service, audit, events } = setup();
      const w = await service.create(widget('iota'));
      await service.setEnabled(w.id, false);
      expect(audit.record).toHaveBeenLastCalledWith('tool', w.id, 'iota', 'disable', ['enabled']);
      expect(events().pop()).toMatchObject({ action: 'disable' });
      await service.setEnabled(w.id, true);
      expect(audit.record).toHaveBeenLastCalledWith('tool', w.id, 'iota', 'enable', ['enabled']);
      await service.modify(w.id, { size: 5 }, { action: 'rollback' });
      expect(audit.record).toHaveBeenLastCalledWith('tool', w.id, 'iota', 'rollback', ['size']);
      expect(events().pop()).toMatchObject({ action: 'update' });
    });
  });

  describe('remove', () => {
    it('runs the service hook, then the registered delete hooks, then deletes, audits and publishes', async () => {
      const { service, support, repo, audit, events, stored } = setup();
      const w = await service.create(widget('kappa'));
      const order: string[] = [];
      support.onDelete(async (kind, id) => void order.push(`hook ${kind} ${id} (deleted yet: ${!(await repo.findById(id))})`));
      repo.delete.mockImplementationOnce(async (id: string) => {
        order.push('delete');
        return stored.delete(id);
      });
      await service.remove(w.id);
      expect(service.deleted).toEqual(['own hook: kappa']);
      expect(order).toEqual([`hook tool ${w.id} (deleted yet: false)`, 'delete']);
      expect(audit.record).toHaveBeenLastCalledWith('tool', w.id, 'kappa', 'delete', []);
      expect(events().pop()).toEqual({ kind: 'tool', id: w.id, key: 'kappa', action: 'delete' });
    });

    it('rolls back (no delete, no audit, no event) when a delete hook fails', async () => {
      const { service, support, repo, audit, events } = setup();
      const w = await service.create(widget('lambda'));
      audit.record.mockClear();
      support.onDelete(async () => Promise.reject(new Error('cannot detach')));
      await expect(service.remove(w.id)).rejects.toThrow('cannot detach');
      expect(repo.delete).not.toHaveBeenCalled();
      expect(audit.record).not.toHaveBeenCalled();
      expect(events()).toHaveLength(1);
    });

    it('answers an unknown id, or a row gone in between, with NotFoundError', async () => {
      const { service, repo } = setup();
      await expect(service.remove('nope')).rejects.toThrow(NotFoundError);
      const w = await service.create(widget('mu'));
      repo.delete.mockResolvedValueOnce(false);
      await expect(service.remove(w.id)).rejects.toThrow(`Widget not found: ${w.id}`);
    });
  });

  describe('syncFromPeer', () => {
    const fed = (name: string, upstream: string, size = 1) => widget(name, { gatewayId: 'gw1', upstream, size });

    it('adds new items, updates changed ones, leaves unchanged ones, removes the ones the peer dropped', async () => {
      const { service, stored, audit } = setup();
      expect(await service.sync([fed('p-a', 'a'), fed('p-b', 'b'), fed('p-c', 'c')], 'fail')).toEqual({ added: 3, updated: 0, removed: 0, conflicts: [] });
      expect([...stored.values()].every((w) => w.federationSource === 'peer-one')).toBe(true);
      audit.record.mockClear();
      expect(await service.sync([fed('p-a', 'a'), fed('p-b', 'b', 7)], 'fail')).toEqual({ added: 0, updated: 1, removed: 1, conflicts: [] });
      expect([...stored.values()].map((w) => [w.name, w.size]).sort()).toEqual([
        ['p-a', 1],
        ['p-b', 7],
      ]);
      expect(audit.record.mock.calls.map((c) => [c[2], c[3]])).toEqual([
        ['p-b', 'update'],
        ['p-c', 'delete'],
      ]);
    });

    it("fails with ConflictError (409) naming both when a peer's item takes a local name, and changes nothing", async () => {
      const { service, stored } = setup();
      await service.create(widget('taken'));
      const err = await service.sync([fed('fresh', 'f'), fed('taken', 't')], 'fail').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ code: ErrorCode.Conflict, details: { tool: 'taken', peer: 'peer-one' } });
      expect((err as Error).message).toMatch(/Peer 'peer-one' exposes widget 'taken', which conflicts with an existing widget of that name \(defined locally\)/);
      // In the real unit of work the insert of `fresh` rolls back with the transaction.
    });

    it('skips and reports conflicting items with onConflict=skip', async () => {
      const { service } = setup();
      await service.create(widget('taken'));
      const counts = await service.sync([fed('fresh', 'f'), fed('taken', 't')], 'skip');
      expect(counts).toMatchObject({ added: 1, updated: 0, removed: 0 });
      expect(counts.conflicts).toEqual([expect.stringMatching(/exposes widget 'taken'.*defined locally/)]);
    });
  });

  it('changedFields names the properties whose values differ (dates and JSON compared by value)', () => {
    const when = new Date('2024-01-01T00:00:00Z');
    expect(changedFields({ a: 1, b: [1, 2], c: when, d: null as string | null }, { a: 1, b: [1, 2], c: new Date(when), d: undefined })).toEqual([]);
    expect(changedFields({ a: 1, b: [1, 2], d: null as string | null }, { a: 2, b: [2, 1], d: 'x' })).toEqual(['a', 'b', 'd']);
    expect(newId()).toMatch(/^[0-9a-f]{32}$/);
  });
});
