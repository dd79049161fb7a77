import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';

/**
 * The shared Redis connection, when REDIS_URL is set (rate-limit counters, cross-replica events, cache).
 * Commands fail fast while Redis is down instead of queueing, so callers can decide to fail open.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client: Redis | null;
  readonly prefix: string;

  constructor(config: AppConfig) {
    this.prefix = config.redis.prefix;
    this.client = config.redis.url
      ? new Redis(config.redis.url, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 })
      : null;
    this.client?.on('error', (err) => this.logger.warn(`Redis: ${err.message}`));
  }

  /** Waits (at most 5 s) for the connection, so the first requests do not race it. Redis being down is not fatal. */
  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!client || client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.logger.warn('Redis is not reachable yet; continuing (rate limits fail open, readiness reports it)');
        done();
      }, 5000);
      client.once('ready', done);
    });
  }

  /** A second connection (subscribers cannot issue other commands). */
  duplicate(): Redis | null {
    return this.client?.duplicate({ enableOfflineQueue: true }) ?? null;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client) await closeRedis(this.client);
  }
}

/**
 * Closes a connection: politely (QUIT) when it is up, at once otherwise (QUIT would wait forever for a Redis that
 * accepts connections and never answers).
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
