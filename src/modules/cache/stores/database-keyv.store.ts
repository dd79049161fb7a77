import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type { CacheEntryRepository } from '../repositories/cache-entry.repository';

/**
 * A Keyv store in the gateway's database (CACHE_TYPE=database), shared by every replica. TTL is enforced on read
 * (an expired row is a miss, whatever Keyv's envelope says); LRU is real: every hit records a logical access time,
 * and every write evicts the least recently used entries beyond `maxItems` (and the expired ones).
 */
export class DatabaseKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: { dialect: 'database'; ttl: number; maxItems: number };
  namespace?: string;
  private lastClock = 0;

  constructor(
    private readonly repo: CacheEntryRepository,
    options: { ttl: number; maxItems: number },
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.opts = { dialect: 'database', ...options };
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return (await this.repo.get(key, this.now(), this.clock())) as StoredData<Value> | undefined;
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    const now = this.now();
    await this.repo.put(key, value, now + (ttl ?? this.opts.ttl), this.clock());
    await this.repo.trim(this.opts.maxItems, now);
  }

  delete(key: string): Promise<boolean> {
    return this.repo.delete(key);
  }

  clear(): Promise<void> {
    return this.repo.clear();
  }

  async disconnect(): Promise<void> {}

  /** Epoch microseconds, strictly increasing in this process: two accesses in one millisecond stay ordered. */
  private clock(): number {
    this.lastClock = Math.max(this.now() * 1000, this.lastClock + 1);
    return this.lastClock;
  }
}
