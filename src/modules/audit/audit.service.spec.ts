import { strictMock } from '../../../test/support/unit';
import type { Actor, RequestContext } from '../../common/context/request-context';
import { ErrorCode, ValidationError } from '../../common/errors/domain-error';
import { loadConfig } from '../../config/app-config';
import type { AuditEntry } from './audit.model';
import { AuditService } from './audit.service';
import type { AuditRepository } from './repositories/audit.repository';

function setup(actor: Actor = { name: 'carol', ip: '192.0.2.7', userAgent: 'cli/2', via: 'ui', requestId: 'req-9' }) {
  const appended: Array<Omit<AuditEntry, 'id'>> = [];
  const repo = strictMock<AuditRepository>('auditRepo', {
    append: async (entry: Omit<AuditEntry, 'id'>) => void appended.push(entry),
    list: async () => ({ items: [], nextCursor: null }),
  });
  const context = strictMock<RequestContext>('context', { actor: () => actor });
  const service = new AuditService(repo, context, loadConfig({ PAGINATION_DEFAULT_PAGE_SIZE: '25', PAGINATION_MAX_PAGE_SIZE: '200' }));
  return { service, repo, appended };
}

describe('AuditService', () => {
  it('appends one entry for the current actor with the changed field names sorted', async () => {
    const { service, appended } = setup();
    const before = Date.now();
    await service.record('tool', 'id1', 'weather', 'update', ['url', 'description']);
    expect(appended).toEqual([
      {
        timestamp: expect.any(Date),
        entityType: 'tool',
        entityId: 'id1',
        entityName: 'weather',
        action: 'update',
        actor: 'carol',
        actorIp: '192.0.2.7',
        via: 'ui',
        userAgent: 'cli/2',
        requestId: 'req-9',
        changedFields: ['description', 'url'],
      },
    ]);
    expect(appended[0].timestamp.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('stores nulls for facts a background job does not have, and fits a long entity name to its column', async () => {
    const { service, appended } = setup({ name: 'system', via: 'system' });
    await service.record('resource', 'id2', 'file:///' + 'x'.repeat(2000), 'delete', []);
    expect(appended[0]).toMatchObject({ actor: 'system', actorIp: null, userAgent: null, requestId: null, via: 'system', changedFields: [] });
    expect(appended[0].entityName).toHaveLength(767);
    await service.record('server', 'id3', null, 'create', ['name']);
    expect(appended[1].entityName).toBeNull();
  });

  it('does not reorder the caller’s list of changed fields', async () => {
    const { service } = setup();
    const fields = ['b', 'a'];
    await service.record('prompt', 'id4', 'p', 'rollback', fields);
    expect(fields).toEqual(['b', 'a']);
  });

  it.each([
    [undefined, 25],
    [0, 200],
    [10, 10],
    [10_000, 200],
  ])('lists with limit=%p as pages of %p, passing filter and cursor through', async (limit, size) => {
    const { service, repo } = setup();
    const filter = { entityType: 'tool' as const, actions: ['create' as const] };
    await service.list(filter, limit, 'cursor-1');
    expect(repo.list).toHaveBeenCalledWith(filter, size, 'cursor-1');
  });

  it('lets a bad cursor through as ValidationError (422 naming cursor)', async () => {
    const { service, repo } = setup();
    repo.list.mockRejectedValueOnce(new ValidationError('cursor', 'is not a cursor returned by this API for this listing'));
    await expect(service.list({}, 5, 'bogus')).rejects.toMatchObject({ code: ErrorCode.Validation, details: { field: 'cursor' } });
  });
});
