import { Injectable } from '@nestjs/common';
import { CatalogService, CatalogSupport } from '../../common/catalog/catalog.service';
import { Credentials, credentialHeaders, mergeCredentials } from '../../common/credentials';
import { SecretBox } from '../../common/crypto/secret-box';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors/domain-error';
import type { CreateGatewayDto } from './dto/create-gateway.dto';
import type { UpdateGatewayDto } from './dto/update-gateway.dto';
import { type Gateway, type GatewayStatus, type GatewayTransport, slugify } from './gateway.model';
import { GatewayRepository } from './repositories/gateway.repository';

/** SSE when the URL path ends in `/sse`, Streamable HTTP otherwise. */
export function inferTransport(url: string): GatewayTransport {
  return /\/sse\/?$/.test(new URL(url).pathname) ? 'SSE' : 'STREAMABLEHTTP';
}

/** What the peer told us about itself in `initialize`. */
export interface PeerIdentity {
  capabilities: Record<string, unknown> | null;
  serverInfo: Record<string, unknown> | null;
  protocolVersion: string | null;
}

/** The peer registry: CRUD, uniqueness of names and URLs, credentials, and health/sync status. */
@Injectable()
export class GatewaysService extends CatalogService<Gateway> {
  protected readonly kind = 'gateway' as const;
  protected readonly label = 'Gateway';

  constructor(
    protected override readonly repo: GatewayRepository,
    support: CatalogSupport,
    private readonly secrets: SecretBox,
  ) {
    super(repo, support);
  }

  protected keyOf(gateway: Gateway): string {
    return gateway.name;
  }

  /** Peers take header credentials only (an API key in the query string is for REST tools). */
  assertPeerAuth(auth: Credentials | null | undefined): void {
    if (auth?.authType === 'query_param') throw new ValidationError('auth.authType', 'query_param is supported for REST tools only; peers take basic, bearer or authheaders');
  }

  /** Stores a peer. Connecting and syncing its catalog is FederationService's job; call this inside its transaction. */
  async create(dto: CreateGatewayDto, identity: PeerIdentity = { capabilities: null, serverInfo: null, protocolVersion: null }): Promise<Gateway> {
    const slug = this.slugFor(dto.name);
    this.assertPeerAuth(dto.auth);
    const auth = dto.auth ? mergeCredentials(null, dto.auth) : null;
    return this.support.uow.transaction(async () => {
      await this.assertUnique(slug, dto.url);
      if (dto.alternateOf) await this.primaryFor(dto.alternateOf);
      return this.createItem(
        {
          name: dto.name,
          slug,
          url: dto.url,
          description: dto.description ?? null,
          transport: dto.transport ?? inferTransport(dto.url),
          authType: auth?.authType ?? null,
          authValue: auth ? this.secrets.encryptJson(auth) : null,
          ...identity,
          reachable: true,
          lastSeen: new Date(),
          namespaced: dto.namespaced ?? true,
          alternateOf: dto.alternateOf ?? null,
          caCertificate: dto.caCertificate ?? null,
          consecutiveFailures: 0,
          lastError: null,
          lastRefreshAt: null,
          tags: dto.tags ?? [],
          enabled: dto.enabled ?? true,
        },
        { federationSource: null },
      );
    });
  }

  update(id: string, dto: UpdateGatewayDto): Promise<Gateway> {
    return this.modifyItem(
      id,
      async (current) => {
        const patch: Partial<Gateway> = {};
        if (dto.name !== undefined) {
          patch.name = dto.name;
          patch.slug = this.slugFor(dto.name);
        }
        if (dto.url !== undefined) patch.url = dto.url;
        if ((patch.slug && patch.slug !== current.slug) || (patch.url && patch.url !== current.url)) {
          await this.assertUnique(patch.slug ?? current.slug, patch.url ?? current.url, current.id);
        }
        if (dto.alternateOf !== undefined && dto.alternateOf !== current.alternateOf) {
          throw new ValidationError('alternateOf', 'cannot be changed; register the peer again');
        }
        for (const key of ['description', 'transport', 'tags', 'enabled', 'namespaced', 'caCertificate'] as const) {
          if (dto[key] !== undefined) (patch as Record<string, unknown>)[key] = dto[key];
        }
        if (dto.auth !== undefined) {
          this.assertPeerAuth(dto.auth);
          const existing = this.credentials(current);
          const auth = dto.auth === null ? null : mergeCredentials(existing, dto.auth);
          if (JSON.stringify(auth) !== JSON.stringify(existing)) {
            patch.authType = auth?.authType ?? null;
            patch.authValue = auth ? this.secrets.encryptJson(auth) : null;
          }
        }
        return { patch };
      },
      { expectedVersion: dto.version },
    );
  }

  /** Looks a peer up by id, exact name, or slug (like the reference gateway). */
  async resolve(idOrName: string): Promise<Gateway> {
    const gateway = (await this.repo.findById(idOrName)) ?? (await this.repo.findByKey(idOrName)) ?? (await this.repo.findBySlug(idOrName));
    if (!gateway) throw new NotFoundError(this.label, idOrName);
    return gateway;
  }

  findAll(): Promise<Gateway[]> {
    return this.repo.findAll();
  }

  findByUrl(url: string): Promise<Gateway | null> {
    return this.repo.findByUrl(url);
  }

  findAlternates(primaryId: string): Promise<Gateway[]> {
    return this.repo.findAlternates(primaryId);
  }

  /** Records health or sync state (no version bump, no audit entry: it is not a configuration change). */
  updateStatus(id: string, status: GatewayStatus): Promise<void> {
    return this.repo.updateStatus(id, status);
  }

  /** The peer's decrypted credentials, for connecting to it. */
  credentials(gateway: Pick<Gateway, 'authValue'>): Credentials | null {
    return gateway.authValue ? this.secrets.decryptJson<Credentials>(gateway.authValue) : null;
  }

  /** HTTP headers that authenticate the gateway to the peer. */
  headers(gateway: Pick<Gateway, 'authValue'>): Record<string, string> {
    return credentialHeaders(this.credentials(gateway));
  }

  slugFor(name: string): string {
    const slug = slugify(name);
    if (!slug) throw new ValidationError('name', 'must contain at least one letter or digit');
    return slug;
  }

  /** 409 when another peer already uses this slug (names that differ only in punctuation/case) or URL. */
  async assertUnique(slug: string, url: string, selfId?: string): Promise<void> {
    const bySlug = await this.repo.findBySlug(slug);
    if (bySlug && bySlug.id !== selfId) {
      throw new ConflictError(`A gateway named '${bySlug.name}' already uses the slug '${slug}'`, { field: 'name' });
    }
    const byUrl = await this.repo.findByUrl(url);
    if (byUrl && byUrl.id !== selfId) throw new ConflictError(`Gateway '${byUrl.name}' is already registered for ${url}`, { field: 'url' });
  }

  /** The peer `id` as a fail-over primary: 422 (alternateOf) when there is none, or when it is itself an alternate. */
  async primaryFor(id: string): Promise<Gateway> {
    const primary = await this.repo.findById(id);
    if (!primary) throw new ValidationError('alternateOf', `no gateway with id ${id}`);
    if (primary.alternateOf) throw new ValidationError('alternateOf', `${primary.name} is itself an alternate; name its primary instead`);
    return primary;
  }
}
