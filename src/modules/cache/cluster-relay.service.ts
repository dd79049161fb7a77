import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RedisService } from '../../common/redis/redis.service';

/** Every message between replicas names the replica (process) that sent it. */
export interface ClusterMessage {
  origin: string;
}

interface Listener {
  handle(message: ClusterMessage): void;
  /** Called when the connection came back: messages published meanwhile were lost. */
  reconnected?: () => void;
}

const SUBSCRIBE_WAIT_MS = 5000;

/**
 * Redis pub/sub between the replicas (when REDIS_URL is set): one subscriber connection for every channel
 * (`<CACHE_PREFIX><name>`). A replica never receives its own messages. Without Redis, nothing is sent or received.
 */
@Injectable()
export class ClusterRelay implements OnApplicationShutdown {
  private readonly logger = new Logger('ClusterRelay');
  /** This process, as named in the messages it publishes. */
  readonly replicaId = randomUUID();
  private readonly listeners = new Map<string, Listener>();
  private subscriber?: Redis;
  private connected = false;

  constructor(private readonly redis: RedisService) {}

  /** True when messages can travel between replicas (Redis is configured). */
  get enabled(): boolean {
    return this.redis.client !== null;
  }

  /** Receives what other replicas publish on channel `name`; resolves once subscribed (or after 5 s without Redis). */
  async listen<T extends ClusterMessage>(name: string, handle: (message: T) => void, reconnected?: () => void): Promise<void> {
    if (!this.enabled) return;
    const channel = this.redis.prefix + name;
    this.listeners.set(channel, { handle: handle as (message: ClusterMessage) => void, reconnected });
    const subscriber = this.connect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([subscriber.subscribe(channel), new Promise<void>((resolve) => (timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS)))]).catch((err: Error) =>
      this.logger.warn(`not subscribed to ${name} of other replicas: ${err.message}`),
    );
    clearTimeout(timer);
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
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private connect(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.redis.duplicate()!;
    this.subscriber = subscriber;
    subscriber.on('error', (err: Error) => this.logger.debug(`subscriber: ${err.message}`));
    subscriber.on('message', (channel: string, text: string) => this.dispatch(channel, text));
    subscriber.on('ready', () => {
      if (this.connected) for (const l of this.listeners.values()) l.reconnected?.();
      this.connected = true;
    });
    return subscriber;
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
