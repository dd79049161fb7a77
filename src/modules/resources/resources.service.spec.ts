import { Logger } from '@nestjs/common';
import { CatalogSupport } from '../../common/catalog/catalog.service';
import type { RemoteContent } from '../../common/catalog/remote-content';
import type { RequestContext } from '../../common/context/request-context';
import { DomainError, ErrorCode, NotFoundError, ValidationError, VersionConflictError } from '../../common/errors/domain-error';
import type { CatalogEvents } from '../../common/events/catalog-events';
import type { OutboundHttp } from '../../common/http/outbound-http';
import { loadConfig } from '../../config/app-config';
import type { UnitOfWork } from '../../database/unit-of-work';
import { makeResource } from '../../../test/factories/catalog.factory';
import { fakeCatalogRepository, strictMock } from '../../../test/support/unit';
import type { AuditService } from '../audit/audit.service';
import type { FetchedContent, ResourceFetcher } from './resource-fetcher.service';
import type { Resource } from './resource.model';
import type { ResourceRepository } from './repositories/resource.repository';
import { ResourcesService } from './resources.service';

function fetched(overrides: Partial<FetchedContent> = {}): FetchedContent {
  return { url: 'http://127.0.0.1:1/doc', mimeType: 'text/plain', text: 'v1', size: 2, hash: 'h1', fetchedAt: new Date().toISOString(), ...overrides };
}

const TTL_MS = 60_000;
/** Last modified longer ago than the cache TTL. */
const LONG_AGO = () => new Date(Date.now() - 2 * TTL_MS);

function setup(config = loadConfig({ MAX_RESOURCE_SIZE: '100' })) {
  const stored = new Map<string, Resource>();
  const repo = fakeCatalogRepository<Resource, ResourceRepository>(stored, { label: 'resource', key: 'uri' });
  const fetcher = {
    // A cache miss with a TTL of one minute.
    read: jest.fn(async (_r: unknown, url: string, onFetched?: (c: FetchedContent, ttlMs: number) => Promise<void>) => {
      const content = fetched({ url });
      await onFetched?.(content, TTL_MS);
      return content;
    }),
    fetch: jest.fn(async (_r: unknown, url: string) => fetched({ url })),
    prime: jest.fn(async () => undefined),
  };
  const remote = { readResource: jest.fn(async () => ({ contents: [{ uri: 'peer://x', mimeType: 'text/plain', text: 'from peer' }] })) };
  const outbound = { assertAllowed: jest.fn(async (url: string, field: string) => {
    if (url.includes('169.254.')) throw new ValidationError(field, 'is not allowed by SSRF protection');
  }) };
  const audit = { record: jest.fn(async () => undefined) };
  const events = { changed: jest.fn() };
  const uow = { transaction: <T>(work: () => Promise<T>) => work() };
  const context = strictMock<RequestContext>('context', { actor: () => ({ name: 'alice', via: 'api' as const }), run: <T>(_o: unknown, fn: () => Promise<T>) => fn() });
  const support = new CatalogSupport(
    strictMock<UnitOfWork>('uow', uow),
    strictMock<AuditService>('audit', audit),
    context,
    strictMock<CatalogEvents>('events', events),
    config,
  );
  const service = new ResourcesService(
    repo,
    support,
    strictMock<RemoteContent>('remote', remote),
    strictMock<ResourceFetcher>('fetcher', fetcher),
    strictMock<OutboundHttp>('outbound', outbound),
  );
  const put = (overrides: Partial<Resource> = {}) => {
    const r = makeResource(overrides);
    stored.set(r.id, r);
    return r;
  };
  return { service, repo, fetcher, remote, outbound, audit, events, context, stored, put };
}

const code = async (p: Promise<unknown>) => ((await p.then(() => undefined, (e: unknown) => e)) as DomainError | undefined)?.code;

describe('ResourcesService', () => {
  describe('create', () => {
    it('stores text content with its size and default MIME type, audits and publishes the change', async () => {
      const { service, audit, events } = setup();
      const r = await service.create({ uri: 'docs://a', name: 'a', content: 'héllo' });
      expect(r).toMatchObject({ uri: 'docs://a', textContent: 'héllo', binaryContent: null, size: 6, mimeType: 'text/plain', version: 1, createdBy: 'alice' });
      expect(audit.record).toHaveBeenCalledWith('resource', r.id, 'docs://a', 'create', expect.arrayContaining(['uri', 'textContent']));
      expect(events.changed).toHaveBeenCalledWith({ kind: 'resource', id: r.id, key: 'docs://a', action: 'create' });
    });

    it('stores a blob without whitespace, measured decoded, as application/octet-stream', async () => {
      const { service } = setup();
      const r = await service.create({ uri: 'bin://a', name: 'a', blob: 'AAEC\nAw==' });
      expect(r).toMatchObject({ binaryContent: 'AAECAw==', textContent: null, size: 4, mimeType: 'application/octet-stream' });
    });

    it('checks an HTTP-backed resource against the SSRF rules, leaving its MIME type to the response', async () => {
      const { service, outbound } = setup();
      const r = await service.create({ uri: 'web://a', name: 'a', contentUrl: 'http://127.0.0.1:1/doc', cacheTtl: 5 });
      expect(r).toMatchObject({ contentUrl: 'http://127.0.0.1:1/doc', mimeType: null, cacheTtl: 5, contentHash: null });
      expect(outbound.assertAllowed).toHaveBeenCalledWith('http://127.0.0.1:1/doc', 'contentUrl');
    });

    it.each([
      [{ uri: 'x://a', name: 'a' }, ErrorCode.Validation, /^content: give text/],
      [{ uri: 'x://a', name: 'a', content: 'x', blob: 'eA==' }, ErrorCode.Validation, /^blob: give either/],
      [{ uri: 'x://a', name: 'a', content: 'x', contentUrl: 'http://127.0.0.1:1/' }, ErrorCode.Validation, /^contentUrl: give either/],
      [{ uri: 'x://a', name: 'a', content: 'x', mimeType: 'application/x-msdownload' }, ErrorCode.Validation, /^mimeType: application\/x-msdownload is not allowed/],
      [{ uri: 'x://a', name: 'a', content: 'x'.repeat(101) }, ErrorCode.PayloadTooLarge, /^content: 101 bytes exceeds the limit of 100 bytes/],
      [{ uri: 'x://a', name: 'a', blob: Buffer.alloc(101).toString('base64') }, ErrorCode.PayloadTooLarge, /^blob: 101 bytes/],
      [{ uri: 'x://a', name: 'a', contentUrl: 'http://127.0.0.1:1/{id}' }, ErrorCode.Validation, /^contentUrl: may use \{variables\} only in a template resource/],
      [{ uri: 'x://{a}', name: 'a', uriTemplate: 'x://{a}', contentUrl: 'http://127.0.0.1:1/{b}' }, ErrorCode.Validation, /^contentUrl: uses \{b\}, which uriTemplate does not define/],
      [{ uri: 'x://a', name: 'a', contentUrl: 'http://169.254.169.254/x' }, ErrorCode.Validation, /^contentUrl: is not allowed by SSRF/],
    ])('refuses %p (%s) and writes nothing', async (dto, errorCode, message) => {
      const { service, repo } = setup();
      const err = (await service.create(dto).then(() => undefined, (e: unknown) => e)) as DomainError;
      expect(err).toBeInstanceOf(DomainError);
      expect([err.code, err.message]).toEqual([errorCode, expect.stringMatching(message)]);
      expect(repo.insert).not.toHaveBeenCalled();
    });
  });

  describe('update', () => {
    it('replaces stored content by a contentUrl and forgets the old hash', async () => {
      const { service, put } = setup();
      const r = put({ textContent: 'old', size: 3 });
      const updated = await service.update(r.id, { contentUrl: 'http://127.0.0.1:1/new' });
      expect(updated).toMatchObject({ contentUrl: 'http://127.0.0.1:1/new', textContent: null, size: null, contentHash: null, version: 2 });
    });

    it('refuses content changes of a federated resource, stale versions and unknown ids', async () => {
      const { service, put, repo } = setup();
      const federated = put({ gatewayId: 'peer1' });
      expect(await code(service.update(federated.id, { content: 'x' }))).toBe(ErrorCode.Validation);
      await expect(service.update(federated.id, { content: 'x' })).rejects.toThrow(/^gatewayId: /);
      const local = put();
      await expect(service.update(local.id, { name: 'n', version: 7 })).rejects.toThrow(VersionConflictError);
      await expect(service.update('nope', { name: 'n' })).rejects.toThrow(NotFoundError);
      expect(repo.update).not.toHaveBeenCalled();
    });
  });

  describe('refresh', () => {
    it('records a changed hash (which publishes the update) and primes the cache; an unchanged one writes nothing', async () => {
      const { service, put, fetcher, repo, events, stored } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc', textContent: null, contentHash: 'old' });
      const changed = await service.refresh(r.id);
      expect(changed).toMatchObject({ id: r.id, changed: true, contentHash: 'h1', size: 2 });
      expect(events.changed).toHaveBeenCalledWith(expect.objectContaining({ id: r.id, action: 'update' }));
      expect(fetcher.prime).toHaveBeenCalledWith(expect.objectContaining({ id: r.id }), expect.objectContaining({ hash: 'h1' }));
      expect(stored.get(r.id)).toMatchObject({ contentHash: 'h1', size: 2, version: 2 });
      repo.update.mockClear();
      expect((await service.refresh(r.id)).changed).toBe(false);
      expect(repo.update).not.toHaveBeenCalled();
      expect(fetcher.prime).toHaveBeenCalledTimes(2);
    });

    it('records a change however recently the resource was modified', async () => {
      const { service, put, repo } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc', textContent: null, contentHash: 'old', modifiedAt: new Date() });
      expect((await service.refresh(r.id)).changed).toBe(true);
      expect(repo.update).toHaveBeenCalledWith(r.id, 1, expect.objectContaining({ contentHash: 'h1' }));
    });

    it.each([
      [{ gatewayId: 'peer1', contentUrl: 'http://127.0.0.1:1/doc' }, /^gatewayId: /],
      [{ contentUrl: null }, /^contentUrl: this resource has no contentUrl/],
      [{ uriTemplate: 'x://{a}', contentUrl: 'http://127.0.0.1:1/{a}' }, /^uriTemplate: /],
    ])('refuses to refresh %p with a validation error', async (overrides, message) => {
      const { service, put, fetcher } = setup();
      const r = put(overrides);
      await expect(service.refresh(r.id)).rejects.toThrow(message);
      expect(fetcher.fetch).not.toHaveBeenCalled();
    });

    it('lets an upstream failure through as its domain error', async () => {
      const { service, put, fetcher } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc' });
      fetcher.fetch.mockRejectedValueOnce(new DomainError(ErrorCode.Upstream, 'contentUrl http://127.0.0.1:1/doc answered HTTP 500'));
      expect(await code(service.refresh(r.id))).toBe(ErrorCode.Upstream);
    });
  });

  describe('reads of HTTP-backed resources', () => {
    it('records the hash of content a read fetched into the cache when it changed, as system, and primes the cache', async () => {
      const { service, put, repo, events, context, fetcher } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc', textContent: null, contentHash: 'old', modifiedAt: LONG_AGO() });
      expect(await service.read(r.id)).toMatchObject({ text: 'v1', mimeType: 'text/plain' });
      expect(repo.update).toHaveBeenCalledWith(r.id, 1, expect.objectContaining({ contentHash: 'h1', size: 2 }));
      expect(context.run).toHaveBeenCalledWith(expect.objectContaining({ actor: 'system', via: 'system' }), expect.any(Function));
      expect(events.changed).toHaveBeenCalledWith(expect.objectContaining({ kind: 'resource', key: r.uri, action: 'update' }));
      expect(fetcher.prime).toHaveBeenCalledTimes(1);
    });

    it('writes nothing when the fetched content is the one already recorded', async () => {
      const { service, put, repo, events, fetcher } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc', textContent: null, contentHash: 'h1', modifiedAt: LONG_AGO() });
      await service.contentsFor(r, r.uri);
      expect(repo.update).not.toHaveBeenCalled();
      expect(events.changed).not.toHaveBeenCalled();
      expect(fetcher.prime).not.toHaveBeenCalled();
    });

    it('records a change at most once per cache TTL: not when the resource was modified within it', async () => {
      const { service, put, repo, events, fetcher } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc', textContent: null, contentHash: 'old', modifiedAt: new Date(Date.now() - TTL_MS / 2) });
      expect(await service.read(r.id)).toMatchObject({ text: 'v1' });
      expect(repo.update).not.toHaveBeenCalled();
      expect(events.changed).not.toHaveBeenCalled();
      expect(fetcher.prime).not.toHaveBeenCalled();
    });

    it('records the first hash (the baseline) however recently the resource was modified', async () => {
      const { service, put, stored } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc', textContent: null, contentHash: null, modifiedAt: new Date() });
      await service.read(r.id);
      expect(stored.get(r.id)).toMatchObject({ contentHash: 'h1', version: 2 });
    });

    it('leaves a resource whose contentUrl changed since the fetch alone (checked in the update transaction)', async () => {
      const { service, put, repo } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc', textContent: null, contentHash: 'old', modifiedAt: LONG_AGO() });
      await service.contentsFor({ ...r, contentUrl: 'http://127.0.0.1:1/moved' }, r.uri);
      expect(repo.update).not.toHaveBeenCalled();
    });

    it('does not compare template resources, whose content differs per URI', async () => {
      const { service, put, fetcher, repo } = setup();
      const r = put({ uri: 'api://u/{id}', uriTemplate: 'api://u/{id}', contentUrl: 'http://127.0.0.1:1/u/{id}', textContent: null });
      expect(await service.contentsFor(r, 'api://u/7')).toEqual([{ uri: 'api://u/7', mimeType: 'text/plain', text: 'v1' }]);
      expect(fetcher.read).toHaveBeenCalledWith(r, 'http://127.0.0.1:1/u/7', undefined);
      expect(repo.findById).not.toHaveBeenCalled();
    });

    it('never fails a read because recording the hash lost a race', async () => {
      const { service, put, repo } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc', textContent: null });
      repo.update.mockResolvedValueOnce(null); // someone else updated it meanwhile
      const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
      try {
        expect(await service.read(r.id)).toMatchObject({ text: 'v1' });
        expect(debug).toHaveBeenCalledWith(expect.stringMatching(/modified concurrently/));
      } finally {
        debug.mockRestore();
      }
    });

    it('lets a failed fetch through as its domain error', async () => {
      const { service, put, fetcher } = setup();
      const r = put({ contentUrl: 'http://127.0.0.1:1/doc' });
      fetcher.read.mockRejectedValueOnce(new DomainError(ErrorCode.UpstreamTimeout, 'no response'));
      expect(await code(service.read(r.id))).toBe(ErrorCode.UpstreamTimeout);
    });
  });

  describe('other reads', () => {
    it('serves stored text, blobs and rendered templates, and asks the peer for federated content', async () => {
      const { service, put, remote } = setup();
      expect(await service.read(put({ textContent: 'hi' }).id)).toMatchObject({ text: 'hi' });
      expect(await service.read(put({ textContent: null, binaryContent: 'AQI=', mimeType: 'image/png' }).id)).toMatchObject({ blob: 'AQI=', mimeType: 'image/png' });
      const template = put({ uri: 'users://{id}', uriTemplate: 'users://{id}', textContent: 'User {id}' });
      expect(await service.contentsFor(template, 'users://42')).toEqual([{ uri: 'users://42', mimeType: 'text/plain', text: 'User 42' }]);
      expect(await service.read(put({ gatewayId: 'peer1', textContent: null }).id)).toMatchObject({ text: 'from peer' });
      expect(remote.readResource).toHaveBeenCalledTimes(1);
    });

    it('raises NotFoundError for unknown ids', async () => {
      const { service } = setup();
      expect(await code(service.read('nope'))).toBe(ErrorCode.NotFound);
      await expect(service.remove('nope')).rejects.toThrow('Resource not found: nope');
    });
  });
});
