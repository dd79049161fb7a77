import { Injectable, Logger } from '@nestjs/common';
import { CatalogService, CatalogSupport, type SyncCounts } from '../../common/catalog/catalog.service';
import { RemoteContent } from '../../common/catalog/remote-content';
import { DomainError, ErrorCode, ValidationError } from '../../common/errors/domain-error';
import type { CatalogAction } from '../../common/events/catalog-events';
import { OutboundHttp } from '../../common/http/outbound-http';
import type { CreateResourceDto } from './dto/create-resource.dto';
import { bareMime, expandUrl, matchTemplate, mimeAllowed, renderTemplateText, templateVariables } from './resource-content';
import { type FetchedContent, ResourceFetcher } from './resource-fetcher.service';
import type { UpdateResourceDto } from './dto/update-resource.dto';
import { ResourceRepository } from './repositories/resource.repository';
import type { Resource, ResourceContent } from './resource.model';

type ContentFields = Pick<Resource, 'textContent' | 'binaryContent' | 'size'>;

/** What serving a local resource's content needs (cacheable: no audit metadata). */
export type LocalSource = Pick<Resource, 'id' | 'uriTemplate' | 'contentUrl' | 'cacheTtl' | 'mimeType' | 'textContent' | 'binaryContent'>;

/** One entry of an MCP `resources/read` result. */
export type ResourceContents = { uri: string; mimeType?: string } & ({ text: string } | { blob: string });

/** What `POST /resources/{id}/refresh` returns. */
export interface ResourceRefresh {
  id: string;
  uri: string;
  contentUrl: string;
  /** Whether the content differs from what was last recorded (subscribers were notified). */
  changed: boolean;
  contentHash: string;
  size: number;
  mimeType: string;
  fetchedAt: string;
}

/** Decoded size of a base64 string, without decoding it. */
export function base64Size(b64: string): number {
  const clean = b64.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - padding;
}

@Injectable()
export class ResourcesService extends CatalogService<Resource> {
  protected readonly kind = 'resource' as const;
  protected readonly label = 'Resource';
  private readonly logger = new Logger('Resources');

  constructor(
    repo: ResourceRepository,
    support: CatalogSupport,
    private readonly remote: RemoteContent,
    private readonly fetcher: ResourceFetcher,
    private readonly outbound: OutboundHttp,
  ) {
    super(repo, support);
  }

  protected keyOf(resource: Resource): string {
    return resource.uri;
  }

  async create(dto: CreateResourceDto): Promise<Resource> {
    const content = this.content(dto);
    this.checkSources(dto);
    if (!content && !dto.uriTemplate && !dto.contentUrl) {
      throw new ValidationError('content', 'give text `content`, a base64 `blob`, a `contentUrl` to fetch it from, or a `uriTemplate`');
    }
    const mimeType = dto.mimeType ?? (dto.blob !== undefined ? 'application/octet-stream' : dto.contentUrl ? null : 'text/plain');
    this.checkMime(mimeType);
    await this.checkContentUrl(dto.contentUrl ?? null, dto.uriTemplate ?? null);
    return this.createItem({
      uri: dto.uri,
      name: dto.name,
      description: dto.description ?? null,
      mimeType,
      uriTemplate: dto.uriTemplate ?? null,
      textContent: content?.textContent ?? null,
      binaryContent: content?.binaryContent ?? null,
      size: content?.size ?? null,
      contentUrl: dto.contentUrl ?? null,
      cacheTtl: dto.cacheTtl ?? null,
      contentHash: null,
      gatewayId: null,
      tags: dto.tags ?? [],
      enabled: dto.enabled ?? true,
    });
  }

  update(id: string, dto: UpdateResourceDto): Promise<Resource> {
    return this.modifyItem(
      id,
      async (current) => {
        if (current.gatewayId && (dto.uri !== undefined || dto.content !== undefined || dto.blob !== undefined || dto.contentUrl !== undefined)) {
          throw new ValidationError('gatewayId', 'this resource is federated from a peer gateway: its URI and content come from the peer');
        }
        this.checkSources(dto);
        const patch: Partial<Resource> = {};
        for (const key of ['uri', 'name', 'description', 'mimeType', 'uriTemplate', 'cacheTtl', 'tags', 'enabled'] as const) {
          if (dto[key] !== undefined) (patch as Record<string, unknown>)[key] = dto[key];
        }
        if (dto.mimeType !== undefined) this.checkMime(dto.mimeType);
        const content = this.content(dto);
        // New stored content replaces a contentUrl, and a new contentUrl replaces stored content.
        if (content) Object.assign(patch, content, { contentUrl: null, contentHash: null });
        if (dto.contentUrl !== undefined && dto.contentUrl !== current.contentUrl) {
          Object.assign(patch, { contentUrl: dto.contentUrl, contentHash: null, textContent: null, binaryContent: null, size: null });
        }
        const next = { ...current, ...patch };
        if (dto.contentUrl !== undefined || dto.uriTemplate !== undefined) await this.checkContentUrl(next.contentUrl, next.uriTemplate);
        return { patch };
      },
      { expectedVersion: dto.version },
    );
  }

  /**
   * Fetches an HTTP-backed resource's content now. If it differs from what was last recorded (SHA-256), the
   * resource is updated (`contentHash`, `size`), which notifies subscribed MCP sessions on every replica
   * (`notifications/resources/updated`); the fetched content becomes the cached one.
   */
  async refresh(id: string): Promise<ResourceRefresh> {
    const resource = await this.get(id);
    if (resource.gatewayId) throw new ValidationError('gatewayId', 'this resource is federated from a peer gateway, which notifies its own changes');
    if (!resource.contentUrl) throw new ValidationError('contentUrl', 'this resource has no contentUrl to refresh from');
    if (resource.uriTemplate) throw new ValidationError('uriTemplate', 'a template resource is fetched per concrete URI on read; only plain HTTP-backed resources can be refreshed');
    const fetched = await this.fetcher.fetch(resource, resource.contentUrl);
    const changed = await this.recordFetched(id, fetched);
    await this.fetcher.prime(resource, fetched);
    return { id, uri: resource.uri, contentUrl: resource.contentUrl, changed, contentHash: fetched.hash, size: fetched.size, mimeType: fetched.mimeType, fetchedAt: fetched.fetchedAt };
  }

  /** Makes the resources (and templates) stored for a peer match what it lists. Content stays at the peer. */
  syncFederated(
    peer: { id: string; name: string },
    resources: Array<Pick<Resource, 'uri' | 'name' | 'description' | 'mimeType' | 'uriTemplate' | 'size'>>,
    onConflict: 'fail' | 'skip',
  ): Promise<SyncCounts> {
    const desired = resources.map((r) => ({ ...r, textContent: null, binaryContent: null, contentUrl: null, cacheTtl: null, contentHash: null, gatewayId: peer.id }));
    return this.syncFromPeer(peer.id, peer.name, desired, (r) => r.uri, ['name', 'description', 'mimeType', 'uriTemplate', 'size'], onConflict);
  }

  /** Enabled URI-template resources. */
  findTemplates(): Promise<Resource[]> {
    return (this.repo as ResourceRepository).findTemplates();
  }

  /**
   * The content, as `GET /resources/{id}` returns it: stored locally, fetched from its `contentUrl`, or read from
   * the peer for federated ones. A template resource's raw content (its variables unfilled).
   */
  async read(id: string): Promise<ResourceContent> {
    const resource = await this.get(id);
    const base = { type: 'resource' as const, id: resource.id, uri: resource.uri };
    if (resource.uriTemplate) return this.toContent(resource);
    if (resource.gatewayId) {
      const [first] = (await this.remote.readResource(resource, resource.uri)).contents as Array<{ mimeType?: string; text?: string; blob?: string }>;
      const withMime = { ...base, mimeType: first?.mimeType ?? resource.mimeType };
      return first?.blob !== undefined ? { ...withMime, blob: first.blob } : { ...withMime, text: first?.text ?? '' };
    }
    if (resource.contentUrl) {
      const fetched = await this.fetchContent(resource, resource.contentUrl);
      return fetched.blob !== undefined ? { ...base, mimeType: fetched.mimeType, blob: fetched.blob } : { ...base, mimeType: fetched.mimeType, text: fetched.text ?? '' };
    }
    return this.toContent(resource);
  }

  toContent(r: Resource): ResourceContent {
    const base = { type: 'resource' as const, id: r.id, uri: r.uri, mimeType: r.mimeType };
    return r.binaryContent !== null ? { ...base, blob: r.binaryContent } : { ...base, text: r.textContent ?? '' };
  }

  /**
   * The MCP contents of a local resource read as `uri`: for a template resource, the variables the URI gives are
   * filled into its text (`{name}`) or its `contentUrl` (RFC 6570 expansion, percent-encoded). Undefined when a
   * template resource has nothing to serve.
   */
  async contentsFor(r: LocalSource, uri: string): Promise<ResourceContents[] | undefined> {
    const vars = r.uriTemplate ? (matchTemplate(r.uriTemplate, uri) ?? {}) : {};
    const mimeType = (m: string | null) => (m ? { mimeType: m } : {});
    if (r.contentUrl) {
      const fetched = await this.fetchContent(r, expandUrl(r.contentUrl, vars));
      return [fetched.blob !== undefined ? { uri, mimeType: fetched.mimeType, blob: fetched.blob } : { uri, mimeType: fetched.mimeType, text: fetched.text ?? '' }];
    }
    if (r.binaryContent !== null) return [{ uri, ...mimeType(r.mimeType), blob: r.binaryContent }];
    if (r.textContent !== null) return [{ uri, ...mimeType(r.mimeType), text: r.uriTemplate ? renderTemplateText(r.textContent, vars) : r.textContent }];
    return r.uriTemplate ? undefined : [{ uri, ...mimeType(r.mimeType), text: '' }];
  }

  /**
   * Reads an HTTP-backed resource's content through the fetch cache. When a plain (non-template) resource's content
   * is fetched into the cache (a miss, with a cache TTL above 0), its hash is compared with the stored one, as a
   * refresh does. Reads with a TTL of 0 fetch every time and compare nothing: an upstream that changes on every
   * fetch would otherwise notify subscribers on every read, and they read again when notified.
   */
  private fetchContent(r: LocalSource, url: string): Promise<FetchedContent> {
    return this.fetcher.read(r, url, r.uriTemplate ? undefined : (fetched, ttlMs) => this.noteFetched(r, fetched, ttlMs));
  }

  /**
   * Records, as the system, the hash of content a read fetched into the cache, at most once per cache TTL (see
   * `recordFetched`). Recording it bumps the resources' catalog version, which outdates the cache key this read is
   * about to store the content under: it is stored under the current key as well, so the next read finds it.
   * Never fails the read that fetched it.
   */
  private async noteFetched(r: LocalSource, fetched: FetchedContent, ttlMs: number): Promise<void> {
    try {
      const recorded = await this.support.context.run({ actor: 'system', via: 'system', ip: undefined, userAgent: undefined }, () => this.recordFetched(r.id, fetched, ttlMs));
      if (recorded) await this.fetcher.prime(r, fetched);
    } catch (err) {
      // A concurrent read or update won the race; the next fetch compares again.
      this.logger.debug(`recording the content hash of resource ${r.id}: ${(err as Error).message}`);
    }
  }

  /**
   * Records the hash and size of content fetched from a plain resource's `contentUrl` when they differ from the
   * stored ones, checked in the update's transaction against the current row (a resource that changed URL or kind
   * meanwhile is left alone, and of concurrent fetches one records). With `minAgeMs`, a resource modified more
   * recently than that is left alone too, unless it has no hash yet (the first fetch records the baseline). The
   * update notifies subscribers on every replica. Returns whether it recorded.
   */
  private async recordFetched(id: string, fetched: FetchedContent, minAgeMs = 0): Promise<boolean> {
    let recorded = false;
    await this.modifyItem(id, (current) => {
      const due = current.contentHash === null || Date.now() - new Date(current.modifiedAt).getTime() >= minAgeMs;
      recorded = due && !current.gatewayId && !current.uriTemplate && current.contentUrl === fetched.url && current.contentHash !== fetched.hash;
      return { patch: recorded ? { contentHash: fetched.hash, size: fetched.size } : {} };
    });
    return recorded;
  }

  /** Resource events name the template too, so sessions subscribed to a URI it matches hear of its changes. */
  protected override publish(item: Resource, action: CatalogAction): void {
    this.support.events.changed({ kind: this.kind, id: item.id, key: item.uri, action, ...(item.uriTemplate ? { uriTemplate: item.uriTemplate } : {}) });
  }

  /** At most one source of content. */
  private checkSources(dto: Pick<CreateResourceDto, 'content' | 'blob' | 'contentUrl'>): void {
    if (dto.contentUrl && (dto.content !== undefined || dto.blob !== undefined)) {
      throw new ValidationError('contentUrl', 'give either stored `content`/`blob` or a `contentUrl` to fetch it from, not both');
    }
  }

  private checkMime(mimeType: string | null): void {
    const allowed = this.support.config.catalog.allowedMimeTypes;
    if (mimeType && !mimeAllowed(mimeType, allowed)) {
      throw new ValidationError('mimeType', `${bareMime(mimeType)} is not allowed (ALLOWED_MIME_TYPES: ${allowed.join(', ')})`);
    }
  }

  /** A template's `contentUrl` may use only the template's variables; the URL must pass the SSRF rules. */
  private async checkContentUrl(contentUrl: string | null, uriTemplate: string | null): Promise<void> {
    let names: string[] = [];
    if (uriTemplate) {
      try {
        names = templateVariables(uriTemplate);
      } catch (err) {
        throw new ValidationError('uriTemplate', `is not a valid RFC 6570 URI template: ${(err as Error).message}`);
      }
    }
    if (!contentUrl) return;
    let urlVars: string[];
    try {
      urlVars = templateVariables(contentUrl);
    } catch (err) {
      throw new ValidationError('contentUrl', `is not a valid URL template: ${(err as Error).message}`);
    }
    const unknown = urlVars.filter((v) => !names.includes(v));
    if (unknown.length) {
      throw new ValidationError('contentUrl', uriTemplate ? `uses ${unknown.map((v) => `{${v}}`).join(', ')}, which uriTemplate does not define` : 'may use {variables} only in a template resource (with a uriTemplate)');
    }
    const sample = expandUrl(contentUrl, Object.fromEntries(urlVars.map((v) => [v, 'x'])));
    try {
      new URL(sample);
    } catch {
      throw new ValidationError('contentUrl', 'is not a valid URL');
    }
    await this.outbound.assertAllowed(sample, 'contentUrl');
  }

  /** Validates and measures new content; `undefined` when the body carries none. */
  private content(dto: Pick<CreateResourceDto, 'content' | 'blob'>): ContentFields | undefined {
    if (dto.content !== undefined && dto.blob !== undefined) throw new ValidationError('blob', 'give either `content` or `blob`, not both');
    if (dto.content === undefined && dto.blob === undefined) return undefined;
    const size = dto.blob !== undefined ? base64Size(dto.blob) : Buffer.byteLength(dto.content!, 'utf8');
    const limit = this.support.config.catalog.maxResourceSize;
    if (size > limit) {
      const field = dto.blob !== undefined ? 'blob' : 'content';
      throw new DomainError(ErrorCode.PayloadTooLarge, `${field}: ${size} bytes exceeds the limit of ${limit} bytes (MAX_RESOURCE_SIZE)`, { field, size, limit });
    }
    return dto.blob !== undefined
      ? { textContent: null, binaryContent: dto.blob.replace(/\s/g, ''), size }
      : { textContent: dto.content!, binaryContent: null, size };
  }
}
