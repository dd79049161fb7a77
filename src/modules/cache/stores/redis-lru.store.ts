import { Logger } from '@nestjs/common';
import KeyvRedis from '@keyv/redis';
import type Redis from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { EventEmitter } from 'node:events';

// The LRU index is a sorted set scored by Redis's own clock (microseconds), so replicas with skewed clocks agree.
const NOW_US = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])`;

// KEYS[1] index; ARGV[1] member. Refreshes a member still indexed (XX: an evicted one stays out).
const TOUCH = `${NOW_US}
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])`;

// KEYS[1] index; ARGV: member, max items, ttl (ms), value key prefix. Indexes the member, forgets members that
// cannot be alive any more (last used longer than a TTL ago), then evicts the least recently used beyond the limit.
const ADD_AND_EVICT = `${NOW_US}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', now - tonumber(ARGV[3]) * 1000))
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if over <= 0 then return 0 end
local victims = redis.call('ZRANGE', KEYS[1], 0, over - 1)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
for _, member in ipairs(victims) do redis.call('UNLINK', ARGV[4] .. member) end
return #victims`;

/**
 * A Keyv store in Redis (CACHE_TYPE=redis), shared by every replica: values through `@keyv/redis` (with a PX expiry,
 * so TTL is enforced by Redis on read), plus an LRU index (a sorted set by last use) maintained with Lua scripts on
 * the gateway's ioredis connection, so no more than `maxItems` values are kept: the least recently used go first.
 * The scripts touch keys they are not given as KEYS, which a single Redis (not Redis Cluster) allows.
 */
export class RedisLruKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  private readonly logger = new Logger('Cache');
  readonly opts: { dialect: 'redis'; ttl: number; maxItems: number };
  namespace?: string;
  private readonly valuePrefix: string;
  private readonly index: string;

  constructor(
    private readonly values: KeyvRedis<string>,
    private readonly redis: Redis,
    prefix: string,
    options: { ttl: number; maxItems: number },
  ) {
    super();
    this.opts = { dialect: 'redis', ...options };
    this.valuePrefix = `${prefix}cache:entry:`;
    this.index = `${prefix}cache:lru`;
    values.on('error', (err: Error) => this.emit('error', err));
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.values.get<string>(this.valuePrefix + key);
    if (value !== undefined) {
      // Not awaited: the next write's eviction runs after it anyway (one connection, commands in order).
      this.redis.eval(TOUCH, 1, this.index, key).catch((err: Error) => this.logger.debug(`LRU touch: ${err.message}`));
    }
    return value as StoredData<Value> | undefined;
  }

  /**
   * Stores a value for `ttl` ms (the store's TTL by default). `ttl` must not exceed the store's TTL: the eviction
   * script forgets index members idle longer than that, so a longer-lived value would stay in Redis outside the LRU
   * (beyond `maxItems`, and served too long). The store's only writer, GatewayCache (through the cache manager and
   * Keyv), caps every TTL at CACHE_TTL, the store's TTL, before it gets here.
   */
  async set(key: string, value: string, ttl?: number): Promise<void> {
    await this.values.set(this.valuePrefix + key, value, ttl ?? this.opts.ttl);
    await this.redis.eval(ADD_AND_EVICT, 1, this.index, key, this.opts.maxItems, this.opts.ttl, this.valuePrefix);
  }

  async delete(key: string): Promise<boolean> {
    await this.redis.zrem(this.index, key);
    return this.values.delete(this.valuePrefix + key);
  }

  async clear(): Promise<void> {
    const members = await this.redis.zrange(this.index, 0, -1);
    if (members.length) await this.redis.unlink(...members.map((m) => this.valuePrefix + m));
    await this.redis.unlink(this.index);
  }

  async disconnect(): Promise<void> {
    await this.values.disconnect();
  }
}
