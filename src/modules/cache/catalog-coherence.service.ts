import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { EntityKind } from '../../common/catalog/catalog.model';
import { CATALOG_CHANGED, type CatalogChangedEvent } from '../../common/events/catalog-events';
import { type CatalogChangeMessage, isRelayed, type RelayedCatalogChange } from '../../common/events/cluster-events';
import { type CatalogVersions, newVersionToken, VERSIONED_KINDS } from './cache.model';
import { ClusterRelay } from '../../common/redis/cluster-relay.service';
import { CatalogVersionRepository } from './repositories/catalog-version.repository';

/** How often a replica without Redis looks for other replicas' changes (for list_changed; caching never waits on it). */
export const VERSION_POLL_INTERVAL_MS = 1000;
const RETRY_MS = 1000;
const REMEMBERED_TOKENS = 1000;
/** The relay channel of catalog changes (`<CACHE_PREFIX>catalog-events`). */
const CHANNEL = 'catalog-events';

interface Batch {
  kinds: Set<EntityKind>;
  events: CatalogChangedEvent[];
  /** Resolves once the batch's tokens are written and its changes published (never rejects). */
  done: Promise<void>;
}

/**
 * Keeps every replica's view of the catalog current.
 *
 * - Versions: each kind of entity has a version token shared by all replicas (Redis, else the database). After
 *   the changes of one transaction commit, the kinds they touched get a fresh token; cache keys carry the tokens
 *   they were computed under, so a replica reading the current tokens never finds an older value.
 * - Relay: the committed changes are then published (Redis pub/sub) and every other replica re-emits them locally
 *   as `CATALOG_CHANGED`, marked with their origin, so its MCP sessions get list_changed too. Without Redis, a
 *   replica polls the tokens and re-emits a coarse change for each kind another replica changed.
 *
 * A request that changed the catalog is answered only once its tokens are written (see CacheCoherenceInterceptor),
 * so whoever saw the answer finds the change on every replica.
 */
@Injectable()
export class CatalogCoherence implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CatalogCoherence');
  private batch?: Batch;
  private tail: Promise<void> = Promise.resolve();
  private readonly pending = new Set<Promise<void>>();
  private reading?: Promise<CatalogVersions>;
  private queued?: Promise<CatalogVersions>;
  private localSalt = '';
  private readonly unwritten = new Set<EntityKind>();
  private retryTimer?: NodeJS.Timeout;
  private readonly written = new Set<string>();
  private seen?: CatalogVersions;
  private poller?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly versionsRepo: CatalogVersionRepository,
    private readonly relayBus: ClusterRelay,
    private readonly emitter: EventEmitter2,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.relayBus.enabled) {
      await this.relayBus.listen<CatalogChangeMessage>(
        CHANNEL,
        (message) => this.onMessage(message),
        // Messages published while the connection was down are lost: tell sessions that anything may have changed.
        () => this.relay({ kind: 'gateway', id: '*', key: '*', action: 'update', origin: 'redis-reconnect', coarse: true }),
      );
    } else {
      this.seen = await this.versionsRepo.read().catch(() => undefined);
      this.poller = setInterval(() => void this.poll(), VERSION_POLL_INTERVAL_MS);
      this.poller.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    clearTimeout(this.retryTimer);
    await this.settled();
  }

  /** A change committed on this replica: new tokens for its kind, then published to the others. */
  @OnEvent(CATALOG_CHANGED)
  onCatalogChanged(event: CatalogChangedEvent): void {
    if (isRelayed(event)) return;
    this.enqueue([event.kind], event);
  }

  /**
   * Marks values computed from these kinds as outdated, without telling sessions (state that is not an entity
   * change, e.g. a peer's reachability). Resolves once the new tokens are written.
   */
  invalidate(kinds: readonly EntityKind[]): Promise<void> {
    return this.enqueue(kinds);
  }

  /** Resolves once every change made so far on this replica has its new tokens written (never rejects). */
  settled(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return Promise.all([...this.pending]).then(() => undefined);
  }

  /** Part of every cache key: changes when writing new tokens failed, so this replica ignores what it cached before. */
  get salt(): string {
    return this.localSalt;
  }

  /**
   * The current tokens, read from the shared store by a read that started after this call (concurrent callers
   * share the next read): a value cached under them is current. Rejects while the store is unreachable.
   */
  currentVersions(): Promise<CatalogVersions> {
    if (!this.reading) return this.startRead();
    this.queued ??= this.reading.then(
      () => this.next(),
      () => this.next(),
    );
    return this.queued;
  }

  private next(): Promise<CatalogVersions> {
    this.queued = undefined;
    return this.startRead();
  }

  private startRead(): Promise<CatalogVersions> {
    const read = this.versionsRepo.read();
    this.reading = read;
    const done = () => {
      if (this.reading === read) this.reading = undefined;
    };
    read.then(done, done);
    return read;
  }

  /** Adds to the batch of the current synchronous burst (one transaction's after-commit callbacks), written once. */
  private enqueue(kinds: readonly EntityKind[], event?: CatalogChangedEvent): Promise<void> {
    let batch = this.batch;
    if (!batch) {
      const fresh: Batch = { kinds: new Set(), events: [], done: Promise.resolve() };
      fresh.done = new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => {
        if (this.batch === fresh) this.batch = undefined;
        return this.serialized(() => this.flush(fresh));
      });
      this.pending.add(fresh.done);
      void fresh.done.finally(() => this.pending.delete(fresh.done));
      this.batch = batch = fresh;
    }
    for (const k of kinds) batch.kinds.add(k);
    if (event) batch.events.push(event);
    return batch.done;
  }

  private serialized(work: () => Promise<void>): Promise<void> {
    const run = this.tail.then(work, work);
    this.tail = run;
    return run;
  }

  private async flush(batch: Batch): Promise<void> {
    await this.writeTokens([...batch.kinds]);
    if (batch.events.length) await this.relayBus.publish<CatalogChangeMessage>(CHANNEL, { events: batch.events });
  }

  private async writeTokens(kinds: EntityKind[]): Promise<void> {
    const token = newVersionToken();
    this.remember(token);
    try {
      await this.versionsRepo.write(kinds, token);
    } catch (err) {
      // Other replicas may keep serving what they cached until this write succeeds (or their TTL ends); this one
      // stops using its own cached values at once.
      this.localSalt = newVersionToken();
      for (const k of kinds) this.unwritten.add(k);
      this.logger.error(`catalog version not updated (retrying every ${RETRY_MS / 1000} s): ${(err as Error).message}`);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const kinds = [...this.unwritten];
      this.unwritten.clear();
      if (kinds.length) void this.serialized(() => this.writeTokens(kinds));
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private remember(token: string): void {
    this.written.add(token);
    if (this.written.size > REMEMBERED_TOKENS) this.written.delete(this.written.values().next().value!);
  }

  private relay(event: RelayedCatalogChange): void {
    try {
      this.emitter.emit(CATALOG_CHANGED, event);
    } catch (err) {
      this.logger.warn(`relayed catalog change: ${(err as Error).message}`);
    }
  }

  // ---- Redis: exact changes over pub/sub ----

  private onMessage(message: CatalogChangeMessage): void {
    if (!Array.isArray(message.events)) return;
    for (const event of message.events) this.relay({ ...event, origin: message.origin });
  }

  // ---- no Redis: poll the database's tokens ----

  private async poll(): Promise<void> {
    let now: CatalogVersions;
    try {
      now = await this.currentVersions();
    } catch {
      return;
    }
    const before = this.seen;
    this.seen = now;
    if (!before) return;
    const kinds = new Set<EntityKind>();
    for (const kind of VERSIONED_KINDS) {
      if (now[kind] !== before[kind] && !this.written.has(now[kind])) kinds.add(kind === 'server' ? 'gateway' : kind);
    }
    if (kinds.has('gateway')) {
      kinds.clear();
      kinds.add('gateway');
    }
    for (const kind of kinds) this.relay({ kind, id: '*', key: '*', action: 'update', origin: 'database', coarse: true });
  }
}
