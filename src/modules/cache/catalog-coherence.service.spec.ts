import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { EntityKind } from '../../common/catalog/catalog.model';
import { CATALOG_CHANGED, type CatalogChangedEvent } from '../../common/events/catalog-events';
import type { RedisService } from '../../common/redis/redis.service';
import { ClusterRelay } from '../../common/redis/cluster-relay.service';
import { type CatalogVersions, VERSIONED_KINDS } from './cache.model';
import { CatalogCoherence, VERSION_POLL_INTERVAL_MS } from './catalog-coherence.service';
import { CatalogVersionRepository } from './repositories/catalog-version.repository';

/** Version tokens in memory; reads and writes can be held open to observe ordering. */
class MemoryVersions extends CatalogVersionRepository {
  tokens = Object.fromEntries(VERSIONED_KINDS.map((k) => [k, `initial-${k}`])) as CatalogVersions;
  reads = 0;
  writes: Array<{ kinds: EntityKind[]; token: string }> = [];
  failWrites = 0;
  gate?: Promise<void>;

  async read(): Promise<CatalogVersions> {
    this.reads++;
    const snapshot = { ...this.tokens };
    await this.gate;
    return snapshot;
  }

  async write(kinds: readonly EntityKind[], token: string): Promise<void> {
    if (this.failWrites > 0) {
      this.failWrites--;
      throw new Error('store down');
    }
    this.writes.push({ kinds: [...kinds], token });
    for (const k of kinds) this.tokens[k] = token;
  }
}

function setup() {
  const versions = new MemoryVersions();
  const emitter = new EventEmitter2();
  const redis = { client: null, prefix: 'test:' } as unknown as RedisService;
  const coherence = new CatalogCoherence(versions, new ClusterRelay(redis), emitter);
  const relayed: CatalogChangedEvent[] = [];
  emitter.on(CATALOG_CHANGED, (e: CatalogChangedEvent) => relayed.push(e));
  return { versions, emitter, coherence, relayed };
}

const change = (kind: EntityKind, id = 'x'): CatalogChangedEvent => ({ kind, id, key: id, action: 'update' });

describe('CatalogCoherence', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('writes one new token for all the changes of one synchronous burst, and settles once it is written', async () => {
    const { versions, coherence } = setup();
    coherence.onCatalogChanged(change('tool', 'a'));
    coherence.onCatalogChanged(change('tool', 'b'));
    coherence.onCatalogChanged(change('server'));
    expect(versions.writes).toEqual([]);
    await coherence.settled();
    expect(versions.writes).toHaveLength(1);
    expect(versions.writes[0].kinds.sort()).toEqual(['server', 'tool']);
    expect(versions.tokens.tool).toBe(versions.writes[0].token);
    expect(versions.tokens.prompt).toBe('initial-prompt');
  });

  it('gives every write a token never used before', async () => {
    const { versions, coherence } = setup();
    for (let i = 0; i < 50; i++) {
      coherence.onCatalogChanged(change('prompt'));
      await coherence.settled();
    }
    expect(new Set(versions.writes.map((w) => w.token)).size).toBe(50);
  });

  it('ignores changes relayed from another replica (they are never written or relayed again)', async () => {
    const { versions, coherence } = setup();
    coherence.onCatalogChanged({ ...change('tool'), origin: 'other-replica' } as CatalogChangedEvent);
    await coherence.settled();
    expect(versions.writes).toEqual([]);
  });

  it('answers each caller with a read that started after its call; callers during one read share the next', async () => {
    const { versions, coherence } = setup();
    let open!: () => void;
    versions.gate = new Promise((r) => (open = r));
    const first = coherence.currentVersions();
    versions.tokens.tool = 'changed-meanwhile';
    const second = coherence.currentVersions();
    const third = coherence.currentVersions();
    open();
    versions.gate = undefined;
    expect((await first).tool).toBe('initial-tool');
    expect((await second).tool).toBe('changed-meanwhile');
    expect(await third).toBe(await second);
    expect(versions.reads).toBe(2);
  });

  it('after a failed write, changes its salt at once and writes the tokens again later', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    const { versions, coherence } = setup();
    versions.failWrites = 1;
    const salt = coherence.salt;
    coherence.onCatalogChanged(change('resource'));
    await coherence.settled();
    expect(coherence.salt).not.toBe(salt);
    expect(versions.writes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1000);
    await coherence.settled();
    expect(versions.writes.map((w) => w.kinds)).toEqual([['resource']]);
  });

  it('without Redis, relays coarse changes for tokens other replicas wrote, never for its own', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    const { versions, coherence, relayed } = setup();
    await coherence.onApplicationBootstrap();
    coherence.onCatalogChanged(change('tool'));
    await coherence.settled();
    await jest.advanceTimersByTimeAsync(VERSION_POLL_INTERVAL_MS);
    expect(relayed).toEqual([]);

    versions.tokens.prompt = 'written-by-another-replica';
    await jest.advanceTimersByTimeAsync(VERSION_POLL_INTERVAL_MS);
    expect(relayed).toEqual([{ kind: 'prompt', id: '*', key: '*', action: 'update', origin: 'database', coarse: true }]);

    versions.tokens.server = 'another';
    versions.tokens.tool = 'another';
    await jest.advanceTimersByTimeAsync(VERSION_POLL_INTERVAL_MS);
    expect(relayed.slice(1)).toEqual([{ kind: 'gateway', id: '*', key: '*', action: 'update', origin: 'database', coarse: true }]);
    await coherence.onApplicationShutdown();
  });
});
