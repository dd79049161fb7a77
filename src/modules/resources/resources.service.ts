import { Injectable } from '@nestjs/common';
import { CatalogService, CatalogSupport, type SyncCounts } from '../../common/catalog/catalog.service';
import { RemoteContent } from '../../common/catalog/remote-content';
import { DomainError, ErrorCode, ValidationError } from '../../common/errors/domain-error';
import type { CreateResourceDto } from './dto/create-resource.dto';
import type { UpdateResourceDto } from './dto/update-resource.dto';
import { ResourceRepository } from './repositories/resource.repository';
import type { Resource, ResourceContent } from './resource.model';

type ContentFields = Pick<Resource, 'textContent' | 'binaryContent' | 'size'>;

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

  constructor(
    repo: ResourceRepository,
    support: CatalogSupport,
    private readonly remote: RemoteContent,
  ) {
    super(repo, support);
  }

  protected keyOf(resource: Resource): string {
    return resource.uri;
  }

  async create(dto: CreateResourceDto): Promise<Resource> {
    const content = this.content(dto);
    if (!content && !dto.uriTemplate) {
      throw new ValidationError('content', 'give text `content`, a base64 `blob`, or a `uriTemplate`');
    }
    return this.createItem({
      uri: dto.uri,
      name: dto.name,
      description: dto.description ?? null,
      mimeType: dto.mimeType ?? (dto.blob !== undefined ? 'application/octet-stream' : 'text/plain'),
      uriTemplate: dto.uriTemplate ?? null,
      textContent: content?.textContent ?? null,
      binaryContent: content?.binaryContent ?? null,
      size: content?.size ?? null,
      gatewayId: null,
      tags: dto.tags ?? [],
      enabled: dto.enabled ?? true,
    });
  }

  update(id: string, dto: UpdateResourceDto): Promise<Resource> {
    return this.modifyItem(
      id,
      (current) => {
        if (current.gatewayId && (dto.uri !== undefined || dto.content !== undefined || dto.blob !== undefined)) {
          throw new ValidationError('gatewayId', 'this resource is federated from a peer gateway: its URI and content come from the peer');
        }
        const patch: Partial<Resource> = {};
        for (const key of ['uri', 'name', 'description', 'mimeType', 'uriTemplate', 'tags', 'enabled'] as const) {
          if (dto[key] !== undefined) (patch as Record<string, unknown>)[key] = dto[key];
        }
        const content = this.content(dto);
        if (content) Object.assign(patch, content);
        return { patch };
      },
      { expectedVersion: dto.version },
    );
  }

  /** Makes the resources (and templates) stored for a peer match what it lists. Content stays at the peer. */
  syncFederated(
    peer: { id: string; name: string },
    resources: Array<Pick<Resource, 'uri' | 'name' | 'description' | 'mimeType' | 'uriTemplate' | 'size'>>,
    onConflict: 'fail' | 'skip',
  ): Promise<SyncCounts> {
    const desired = resources.map((r) => ({ ...r, textContent: null, binaryContent: null, gatewayId: peer.id }));
    return this.syncFromPeer(peer.id, peer.name, desired, (r) => r.uri, ['name', 'description', 'mimeType', 'uriTemplate', 'size'], onConflict);
  }

  /** Enabled URI-template resources. */
  findTemplates(): Promise<Resource[]> {
    return (this.repo as ResourceRepository).findTemplates();
  }

  /** The content, as `GET /resources/{id}` returns it: stored locally, or read from the peer for federated ones. */
  async read(id: string): Promise<ResourceContent> {
    const resource = await this.get(id);
    if (!resource.gatewayId || resource.uriTemplate) return this.toContent(resource);
    const [first] = (await this.remote.readResource(resource, resource.uri)).contents as Array<{ mimeType?: string; text?: string; blob?: string }>;
    const base = { type: 'resource' as const, id: resource.id, uri: resource.uri, mimeType: first?.mimeType ?? resource.mimeType };
    return first?.blob !== undefined ? { ...base, blob: first.blob } : { ...base, text: first?.text ?? '' };
  }

  toContent(r: Resource): ResourceContent {
    const base = { type: 'resource' as const, id: r.id, uri: r.uri, mimeType: r.mimeType };
    return r.binaryContent !== null ? { ...base, blob: r.binaryContent } : { ...base, text: r.textContent ?? '' };
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
