import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { SyncCounts } from '../../common/catalog/catalog.service';
import { RequestContext } from '../../common/context/request-context';
import { credentialHeaders, mergeCredentials, pickCredentials } from '../../common/credentials';
import { ValidationError } from '../../common/errors/domain-error';
import { RESOURCE_UPDATED } from '../../common/events/mcp-events';
import { CatalogEvents } from '../../common/events/catalog-events';
import { OutboundHttp } from '../../common/http/outbound-http';
import { AppConfig } from '../../config/app-config';
import { UnitOfWork } from '../../database/unit-of-work';
import { GatewayCache } from '../cache/gateway-cache.service';
import { PromptsService } from '../prompts/prompts.service';
import { ResourcesService } from '../resources/resources.service';
import { ToolsService } from '../tools/tools.service';
import type { CreateGatewayDto } from './dto/create-gateway.dto';
import type { UpdateGatewayDto } from './dto/update-gateway.dto';
import type { Gateway } from './gateway.model';
import { GatewaysService, inferTransport, type PeerIdentity } from './gateways.service';
import { federatedName, fetchPeerCatalog, keepStorable, type PeerCatalog, STORED_LENGTH } from './sync/peer-catalog';
import { PEER_LIST_CHANGED, PEER_RESOURCE_UPDATED, UpstreamPool } from './upstream/upstream-pool.service';
import type { PeerEndpoint, UpstreamSession } from './upstream/upstream-session';

/** What a refresh changed, in the reference gateway's field names. */
export interface RefreshResult {
  success: boolean;
  toolsAdded: number;
  toolsUpdated: number;
  toolsRemoved: number;
  resourcesAdded: number;
  resourcesUpdated: number;
  resourcesRemoved: number;
  promptsAdded: number;
  promptsUpdated: number;
  promptsRemoved: number;
  conflicts: string[];
  /** Items the peer lists that cannot be stored (a name, title, URI or MIME type too long for its column). */
  skipped: string[];
  durationMs: number;
}

/** The outcome of `test`: connectivity, identity and the names of what the peer offers. */
export interface PeerTestResult extends Partial<PeerIdentity> {
  reachable: boolean;
  latencyMs: number;
  error?: string;
  tools?: string[];
  resources?: string[];
  resourceTemplates?: string[];
  prompts?: string[];
}

/** Which primary peers are disabled and which unreachable (ids). */
export interface PeerStates {
  disabled: Set<string>;
  unreachable: Set<string>;
}

/** What forwarding a call to a peer needs to know about it (cached: plain JSON, credentials still encrypted). */
export type PeerTarget = Pick<Gateway, 'id' | 'name' | 'url' | 'transport' | 'authValue' | 'caCertificate' | 'enabled' | 'reachable'>;

const LIST_CHANGED_DEBOUNCE_MS = 300;

/** What applying a peer's catalog changed, and what it left out. */
interface Applied {
  tools: SyncCounts;
  resources: SyncCounts;
  prompts: SyncCounts;
  /** Items that cannot be stored (see keepStorable). */
  skipped: string[];
}

function conflictsOf(counts: Applied): string[] {
  return [...counts.tools.conflicts, ...counts.resources.conflicts, ...counts.prompts.conflicts];
}

/** The peer's status line after a sync: what was left out and why, or null when nothing was. */
function syncProblems(counts: Applied): string | null {
  const problems = [...conflictsOf(counts), ...counts.skipped];
  return problems.length ? problems.join('; ').slice(0, 4000) : null;
}

/**
 * Federation of peer MCP servers and gateways: registers a peer (connect, list, store its catalog), keeps the
 * catalog in sync (manual refresh, peers' list_changed, periodic refresh), and decides which peers serve calls.
 */
@Injectable()
export class FederationService {
  private readonly logger = new Logger('Federation');
  private readonly pendingRefresh = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly gateways: GatewaysService,
    private readonly tools: ToolsService,
    private readonly resources: ResourcesService,
    private readonly prompts: PromptsService,
    private readonly pool: UpstreamPool,
    private readonly uow: UnitOfWork,
    private readonly context: RequestContext,
    private readonly events: CatalogEvents,
    private readonly emitter: EventEmitter2,
    private readonly http: OutboundHttp,
    private readonly config: AppConfig,
    private readonly cache: GatewayCache,
  ) {}

  endpoint(gateway: Pick<Gateway, 'id' | 'name' | 'url' | 'transport' | 'authValue' | 'caCertificate'>): PeerEndpoint {
    return { id: gateway.id, name: gateway.name, url: gateway.url, transport: gateway.transport, headers: this.gateways.headers(gateway), ca: gateway.caCertificate };
  }

  /**
   * Registers a peer: connects, lists its catalog and stores peer and catalog in one transaction. An unreachable
   * peer is a 502 naming the cause, a duplicate or a name conflict a 409; either way nothing is stored.
   */
  async register(dto: CreateGatewayDto): Promise<Gateway> {
    this.gateways.assertPeerAuth(dto.auth);
    await this.gateways.assertUnique(this.gateways.slugFor(dto.name), dto.url);
    await this.http.assertAllowed(dto.url, 'url', { resolve: true });
    const probe: PeerEndpoint = {
      ca: dto.caCertificate,
      id: 'registration',
      name: dto.name,
      url: dto.url,
      transport: dto.transport ?? inferTransport(dto.url),
      headers: dto.auth ? credentialHeaders(pickCredentials(dto.auth)) : {},
    };
    const session = await this.pool.open(probe);
    try {
      const catalog = await fetchPeerCatalog(session.client, this.config.federation.timeoutMs);
      if (dto.alternateOf) await this.assertServesPrimary(dto.name, dto.alternateOf, catalog);
      const gateway = await this.uow.transaction(async () => {
        const created = await this.gateways.create(dto, this.identity(session));
        if (dto.alternateOf) return created;
        const problems = syncProblems(await this.apply(created, catalog, 'fail'));
        if (problems) await this.gateways.updateStatus(created.id, { lastError: problems });
        return problems ? this.gateways.get(created.id) : created;
      });
      this.invalidateVisibility();
      return gateway;
    } finally {
      await session.close();
    }
  }

  /** Re-lists a peer's catalog and applies the differences (conflicting new names are skipped and reported). */
  async refresh(idOrName: string): Promise<RefreshResult> {
    const started = Date.now();
    const gateway = await this.gateways.resolve(idOrName);
    const primary = gateway.alternateOf ? await this.gateways.get(gateway.alternateOf) : gateway;
    const target = (await this.callTargets(primary.id))[0] ?? primary;
    const catalog = await this.pool.use(this.endpoint(target), undefined, (s) => fetchPeerCatalog(s.client, this.config.federation.timeoutMs));
    const counts = await this.uow.transaction(() => this.apply(primary, catalog, 'skip'));
    await this.gateways.updateStatus(primary.id, { lastRefreshAt: new Date(), lastError: syncProblems(counts) });
    return {
      success: true,
      toolsAdded: counts.tools.added,
      toolsUpdated: counts.tools.updated,
      toolsRemoved: counts.tools.removed,
      resourcesAdded: counts.resources.added,
      resourcesUpdated: counts.resources.updated,
      resourcesRemoved: counts.resources.removed,
      promptsAdded: counts.prompts.added,
      promptsUpdated: counts.prompts.updated,
      promptsRemoved: counts.prompts.removed,
      conflicts: conflictsOf(counts),
      skipped: counts.skipped,
      durationMs: Date.now() - started,
    };
  }

  /**
   * Updates a peer. A new URL, transport or credentials are tried before anything is saved (502 when the peer
   * cannot be reached that way); a new name or naming mode renames the peer's entities in the same transaction.
   */
  async update(id: string, dto: UpdateGatewayDto): Promise<Gateway> {
    this.gateways.assertPeerAuth(dto.auth);
    const current = await this.gateways.get(id);
    const reconnect =
      (dto.url !== undefined && dto.url !== current.url) ||
      (dto.transport !== undefined && dto.transport !== current.transport) ||
      dto.auth !== undefined ||
      (dto.caCertificate !== undefined && dto.caCertificate !== current.caCertificate);
    const rename = (dto.name !== undefined && dto.name !== current.name) || (dto.namespaced !== undefined && dto.namespaced !== current.namespaced);
    const enabled = dto.enabled ?? current.enabled;
    // Network first (never inside a transaction): try the new endpoint and fetch the catalog to rename.
    let probe: { session: UpstreamSession; catalog?: PeerCatalog } | undefined;
    if ((reconnect || rename) && enabled) {
      const auth = dto.auth === undefined ? this.gateways.credentials(current) : dto.auth === null ? null : mergeCredentials(this.gateways.credentials(current), dto.auth);
      const url = dto.url ?? current.url;
      if (dto.url) await this.http.assertAllowed(url, 'url', { resolve: true });
      const session = await this.pool.open({
        ca: dto.caCertificate === undefined ? current.caCertificate : dto.caCertificate,
        id: current.id,
        name: dto.name ?? current.name,
        url,
        transport: dto.transport ?? (dto.url ? inferTransport(url) : current.transport),
        headers: credentialHeaders(auth),
      });
      try {
        const catalog = await fetchPeerCatalog(session.client, this.config.federation.timeoutMs);
        if (current.alternateOf) await this.assertServesPrimary(dto.name ?? current.name, current.alternateOf, catalog);
        probe = { session, catalog: current.alternateOf ? undefined : catalog };
      } catch (err) {
        await session.close();
        throw err;
      }
    }
    try {
      await this.uow.transaction(async () => {
        const gateway = await this.gateways.update(id, dto);
        if (probe?.catalog) await this.apply(gateway, probe.catalog, 'fail');
        if (probe) await this.gateways.updateStatus(id, { ...this.identity(probe.session), reachable: true, consecutiveFailures: 0, lastSeen: new Date(), lastError: null });
      });
    } finally {
      await probe?.session.close();
    }
    if (reconnect || rename || dto.enabled === false) await this.pool.evictPeer(id);
    this.invalidateVisibility();
    return this.gateways.get(id);
  }

  /** Deletes a peer, its alternates and every entity synced from it (each removal audited). */
  async remove(id: string): Promise<void> {
    const gateway = await this.gateways.get(id);
    const alternates = gateway.alternateOf ? [] : await this.gateways.findAlternates(id);
    await this.uow.transaction(async () => {
      if (!gateway.alternateOf) await this.apply(gateway, { tools: [], resources: [], resourceTemplates: [], prompts: [] }, 'skip');
      for (const alt of alternates) await this.gateways.remove(alt.id);
      await this.gateways.remove(id);
    });
    await Promise.all([gateway, ...alternates].map((g) => this.pool.evictPeer(g.id)));
    this.invalidateVisibility();
  }

  /** Connects to a peer now and reports what it offers (for "test peer" in the UI): never changes anything. */
  async test(idOrName: string): Promise<PeerTestResult> {
    const gateway = await this.gateways.resolve(idOrName);
    const started = Date.now();
    let session: UpstreamSession | undefined;
    try {
      session = await this.pool.open(this.endpoint(gateway));
      const catalog = await fetchPeerCatalog(session.client, this.config.federation.timeoutMs);
      return {
        reachable: true,
        latencyMs: Date.now() - started,
        ...this.identity(session),
        tools: catalog.tools.map((t) => t.name),
        resources: catalog.resources.map((r) => r.uri),
        resourceTemplates: catalog.resourceTemplates.map((r) => r.uriTemplate),
        prompts: catalog.prompts.map((p) => p.name),
      };
    } catch (err) {
      return { reachable: false, latencyMs: Date.now() - started, error: (err as Error).message };
    } finally {
      await session?.close();
    }
  }

  /** Enables or disables a peer; a disabled peer's entities are hidden and its calls refused. */
  async setEnabled(id: string, enabled: boolean): Promise<Gateway> {
    const gateway = await this.gateways.setEnabled(id, enabled);
    if (!enabled) await this.pool.evictPeer(id);
    this.invalidateVisibility();
    return gateway;
  }

  /**
   * The peers that may serve a call to an entity of `primaryId`: the primary and its fail-over alternates that are
   * enabled, reachable ones first, the primary first among equals. Empty when the primary itself is disabled.
   */
  callTargets(primaryId: string): Promise<PeerTarget[]> {
    return this.cache.wrap('peer', `targets:${primaryId}`, async () => {
      const primary = await this.gateways.findByIds([primaryId]).then((g) => g[0]);
      if (!primary || !primary.enabled) return [];
      const members = [primary, ...(await this.gateways.findAlternates(primaryId))].filter((g) => g.enabled);
      return members
        .sort((a, b) => Number(b.reachable) - Number(a.reachable))
        .map(({ id, name, url, transport, authValue, caCertificate, enabled, reachable }) => ({ id, name, url, transport, authValue, caCertificate, enabled, reachable }));
    });
  }

  /**
   * Primary peers whose entities are hidden from MCP listings: disabled ones (their calls are refused as unknown),
   * and unreachable ones, meaning no member of the fail-over group is reachable (their calls fail fast).
   */
  async peerStates(): Promise<PeerStates> {
    const states = await this.cache.wrap('peer', 'states', () => this.computeStates());
    return { disabled: new Set(states.disabled), unreachable: new Set(states.unreachable) };
  }

  /** Outdates cached peer states, call targets and listings (everywhere) after a change of peer state. */
  invalidateVisibility(): void {
    void this.cache.invalidate('gateway');
  }

  /** Applies the reachability of a peer group to its tools and tells connected clients (list_changed). */
  async publishReachability(primaryId: string): Promise<void> {
    const primary = await this.gateways.get(primaryId);
    const members = [primary, ...(await this.gateways.findAlternates(primaryId))];
    const reachable = members.some((m) => m.enabled && m.reachable);
    await this.tools.setReachable(primaryId, reachable);
    this.invalidateVisibility();
    this.events.changed({ kind: 'gateway', id: primary.id, key: primary.name, action: 'update' });
  }

  /** A peer said its catalog changed: re-sync it shortly (debounced, so a burst of notifications costs one refresh). */
  @OnEvent(PEER_LIST_CHANGED)
  onPeerListChanged(event: { peerId: string }): void {
    clearTimeout(this.pendingRefresh.get(event.peerId));
    const timer = setTimeout(() => {
      this.pendingRefresh.delete(event.peerId);
      this.refresh(event.peerId).catch((err: Error) => this.logger.warn(`refresh after list_changed from ${event.peerId}: ${err.message}`));
    }, LIST_CHANGED_DEBOUNCE_MS);
    timer.unref();
    this.pendingRefresh.set(event.peerId, timer);
  }

  @OnEvent(PEER_RESOURCE_UPDATED)
  onPeerResourceUpdated(event: { peerId: string; uri: string }): void {
    this.emitter.emit(RESOURCE_UPDATED, { uri: event.uri });
  }

  private async computeStates(): Promise<{ disabled: string[]; unreachable: string[] }> {
    const all = await this.gateways.findAll();
    const states = { disabled: [] as string[], unreachable: [] as string[] };
    for (const g of all) {
      if (g.alternateOf) continue;
      if (!g.enabled) states.disabled.push(g.id);
      else if (![g, ...all.filter((a) => a.alternateOf === g.id)].some((m) => m.enabled && m.reachable)) states.unreachable.push(g.id);
    }
    return states;
  }

  /**
   * A fail-over alternate must offer every tool of its primary (by upstream name), or calls that fail over to it
   * would fail there: 422 naming the missing tools otherwise, or when there is no such primary (see primaryFor).
   */
  private async assertServesPrimary(name: string, primaryId: string, catalog: PeerCatalog): Promise<void> {
    const primary = await this.gateways.primaryFor(primaryId);
    const offered = new Set(catalog.tools.map((t) => t.name));
    const missing = (await this.tools.originalNamesOf(primaryId)).filter((n) => !offered.has(n));
    if (missing.length) {
      const shown = missing.length > 10 ? `${missing.slice(0, 10).join(', ')} and ${missing.length - 10} more` : missing.join(', ');
      throw new ValidationError('alternateOf', `peer '${name}' does not offer these tools of its primary '${primary.name}': ${shown}`);
    }
  }

  private identity(session: UpstreamSession): PeerIdentity {
    return {
      capabilities: (session.client.getServerCapabilities() as Record<string, unknown> | undefined) ?? null,
      serverInfo: (session.client.getServerVersion() as Record<string, unknown> | undefined) ?? null,
      protocolVersion: (session.client as unknown as { _negotiatedProtocolVersion?: string })._negotiatedProtocolVersion ?? null,
    };
  }

  /**
   * Stores the peer's catalog under this gateway's names (audited as changes made via federation). A tool or prompt
   * whose name is taken fails with `onConflict: 'fail'`; a resource URI that another peer (or a local resource)
   * already serves is always skipped and reported, since URIs cannot be namespaced: two instances of one server
   * would otherwise never both register. Items whose name, title, URI or MIME type is too long to store are
   * skipped and reported either way.
   */
  private apply(gateway: Gateway, catalog: PeerCatalog, onConflict: 'fail' | 'skip'): Promise<Applied> {
    if (gateway.alternateOf) throw new ValidationError('alternateOf', 'an alternate has no catalog of its own');
    const separator = this.config.catalog.toolNameSeparator;
    const peer = { id: gateway.id, name: gateway.name, url: gateway.url, transport: gateway.transport };
    const { name: NAME, title: TITLE, uri: URI, mimeType: MIME } = STORED_LENGTH;
    const tools = keepStorable(
      gateway.name,
      'tool',
      catalog.tools.map((t) => ({
        name: federatedName(gateway, t.name, separator),
        originalName: t.name,
        displayName: t.title ?? t.annotations?.title ?? null,
        description: t.description ?? null,
        inputSchema: t.inputSchema as Record<string, unknown>,
        outputSchema: (t.outputSchema as Record<string, unknown> | undefined) ?? null,
        annotations: t.annotations ?? null,
      })),
      (t) => ({ key: t.originalName, checks: [['name', t.name, NAME], ['name', t.originalName, NAME], ['title', t.displayName, TITLE]] }),
    );
    const resources = keepStorable(
      gateway.name,
      'resource',
      [
        ...catalog.resources.map((r) => ({ uri: r.uri, name: r.name, description: r.description ?? null, mimeType: r.mimeType ?? null, uriTemplate: null, size: r.size ?? null })),
        ...catalog.resourceTemplates.map((t) => ({ uri: t.uriTemplate, name: t.name, description: t.description ?? null, mimeType: t.mimeType ?? null, uriTemplate: t.uriTemplate, size: null })),
      ],
      (r) => ({ key: r.uri, checks: [['URI', r.uri, URI], ['name', r.name, NAME], ['MIME type', r.mimeType, MIME]] }),
    );
    const prompts = keepStorable(
      gateway.name,
      'prompt',
      catalog.prompts.map((p) => ({
        name: federatedName(gateway, p.name, separator),
        originalName: p.name,
        description: p.description ?? null,
        arguments: (p.arguments ?? []).map((a) => ({ name: a.name, ...(a.description ? { description: a.description } : {}), required: a.required ?? false })),
      })),
      (p) => ({ key: p.originalName, checks: [['name', p.name, NAME], ['name', p.originalName, NAME]] }),
    );
    return this.context.run({ via: 'federation' }, async () => ({
      tools: await this.tools.syncFederated(peer, tools.kept, onConflict),
      resources: await this.resources.syncFederated(peer, resources.kept, 'skip'),
      prompts: await this.prompts.syncFederated(peer, prompts.kept, onConflict),
      skipped: [...tools.skipped, ...resources.skipped, ...prompts.skipped],
    }));
  }
}
