import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { closeRedis, RedisService } from './redis.service';

/** Every message between replicas names the replica (process) that sent it. */
export interface ClusterMessage {
  origin: string;
}

interface Listener {
  handle(message: ClusterMessage): void;
  /** Called when the connection came (back) after `listen` returned: messages published meanwhile were lost. */
  reconnected?: () => void;
  /** `listen` has returned to its caller. */
  settled: boolean;
}

/** Longest wait for the subscriber connection's first SUBSCRIBE, shared by every `listen` made meanwhile. */
const SUBSCRIBE_WAIT_MS = 5000;

/**
 * Redis pub/sub between the replicas (when REDIS_URL is set): one subscriber connection for every channel
 * (`<CACHE_PREFIX><name>`). A replica never receives its own messages. Without Redis, nothing is sent or received.
 *
 * Every time the subscriber connection becomes ready (the first time, and after each reconnection) it subscribes to
 * every channel listened to, so a channel asked for while Redis was down is subscribed once Redis is back.
 */
@Injectable()
export class ClusterRelay implements OnApplicationShutdown {
  private readonly logger = new Logger('ClusterRelay');
  /** This process, as named in the messages it publishes. */
  readonly replicaId = randomUUID();
  private readonly listeners = new Map<string, Listener>();
  private subscriber?: Redis;
  /** Settles once the subscriber connection first subscribed, failed, or took SUBSCRIBE_WAIT_MS. */
  private firstConnection: Promise<void> = Promise.resolve();

  constructor(private readonly redis: RedisService) {}

  /** True when messages can travel between replicas (Redis is configured). */
  get enabled(): boolean {
    return this.redis.client !== null;
  }

  /**
   * Receives what other replicas publish on channel `name`. Resolves once subscribed; while the subscriber
   * connection is first being opened, every caller shares one wait of at most 5 s for it. When Redis is down, it
   * resolves at once and the channel is subscribed as soon as Redis is back (then `reconnected` is called).
   */
  async listen<T extends ClusterMessage>(name: string, handle: (message: T) => void, reconnected?: () => void): Promise<void> {
    if (!this.enabled) return;
    const channel = this.redis.prefix + name;
    const listener: Listener = { handle: handle as (message: ClusterMessage) => void, reconnected, settled: false };
    this.listeners.set(channel, listener);
    try {
      const subscriber = this.subscriber ?? this.connect();
      if (subscriber.status === 'ready') await this.subscribe(subscriber, [channel]);
      else if (this.redis.client?.status === 'ready') await this.firstConnection;
    } finally {
      listener.settled = true;
    }
  }

  /** Sends `message` to the other replicas listening on `name` (best effort: a failure is logged, not thrown). */
  async publish<T extends ClusterMessage>(name: string, message: Omit<T, 'origin'>): Promise<void> {
    if (!this.redis.client) return;
    const text = JSON.stringify({ ...message, origin: this.replicaId });
    await this.redis.client.publish(this.redis.prefix + name, text).catch((err: Error) => this.logger.warn(`${name} not relayed to other replicas: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await closeRedis(subscriber);
  }

  private connect(): Redis {
    const subscriber = this.redis.duplicate()!;
    this.subscriber = subscriber;
    let firstDone!: () => void;
    this.firstConnection = new Promise<void>((resolve) => {
      const timer = setTimeout(() => firstDone(), SUBSCRIBE_WAIT_MS);
      timer.unref();
      firstDone = () => {
        clearTimeout(timer);
        subscriber.off('error', firstDone);
        resolve();
      };
      // Refused or broken: Redis is down, nobody should wait for it (the next 'ready' subscribes).
      subscriber.once('error', firstDone);
    });
    subscriber.on('error', (err: Error) => this.logger.debug(`subscriber: ${err.message}`));
    subscriber.on('message', (channel: string, text: string) => this.dispatch(channel, text));
    subscriber.on('ready', () => {
      const late = [...this.listeners.values()].filter((l) => l.settled);
      void this.subscribe(subscriber, [...this.listeners.keys()]).then(firstDone);
      for (const l of late) l.reconnected?.();
    });
    return subscriber;
  }

  private async subscribe(subscriber: Redis, channels: string[]): Promise<void> {
    if (!channels.length) return;
    await subscriber.subscribe(...channels).catch((err: Error) => this.logger.warn(`not subscribed to ${channels.join(', ')} of other replicas: ${err.message}`));
  }

  private dispatch(channel: string, text: string): void {
    const listener = this.listeners.get(channel);
    if (!listener) return;
    let message: ClusterMessage;
    try {
      message = JSON.parse(text) as ClusterMessage;
    } catch {
      return;
    }
    if (!message || typeof message !== 'object' || message.origin === this.replicaId) return;
    try {
      listener.handle(message);
    } catch (err) {
      this.logger.warn(`message on ${channel}: ${(err as Error).message}`);
    }
  }
}
