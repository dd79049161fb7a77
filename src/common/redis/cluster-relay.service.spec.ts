import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { type DedicatedRedis, startDedicatedRedis } from '../../../test/support/redis';
import { loadConfig } from '../../config/app-config';
import { type ClusterMessage, ClusterRelay } from './cluster-relay.service';
import { RedisService } from './redis.service';

interface Note extends ClusterMessage {
  text: string;
}

/** Polls `check` until it holds (or fails after `ms`). */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ClusterRelay', () => {
  const opened: Array<{ redis: RedisService; relay: ClusterRelay }> = [];
  /** A replica's Redis connection and relay; `wait` waits for the connection like the application does at boot. */
  const replica = async (url: string, prefix: string, wait = true) => {
    const redis = new RedisService(loadConfig({ ENVIRONMENT: 'development', REDIS_URL: url, CACHE_PREFIX: prefix }));
    if (wait) await redis.onModuleInit();
    const relay = new ClusterRelay(redis);
    opened.push({ redis, relay });
    return relay;
  };

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  /** Shuts the replicas down as the application does (before their Redis goes away). */
  const closeReplicas = async () => {
    for (const { redis, relay } of opened.splice(0)) {
      await relay.onApplicationShutdown();
      await redis.onApplicationShutdown();
    }
  };
  afterEach(async () => {
    await closeReplicas();
    jest.restoreAllMocks();
  });

  it('delivers what one replica publishes to the others (never back to itself), on each channel, once listen resolved', async () => {
    const prefix = `test-relay-${randomUUID()}:`;
    const [a, b] = [await replica('redis://127.0.0.1:6379/0', prefix), await replica('redis://127.0.0.1:6379/0', prefix)];
    const got = { a: [] as string[], b: [] as string[], other: [] as string[] };
    // Several modules start listening at once at boot: they share one wait for the subscriber connection.
    await Promise.all([
      a.listen<Note>('notes', (m) => got.a.push(m.text)),
      b.listen<Note>('notes', (m) => got.b.push(m.text)),
      b.listen<Note>('other', (m) => got.other.push(m.text)),
    ]);
    await a.publish<Note>('notes', { text: 'hello' });
    await a.publish<Note>('other', { text: 'there' });
    await until(() => got.b.length === 1 && got.other.length === 1);
    expect(got).toEqual({ a: [], b: ['hello'], other: ['there'] });
    // A channel listened to later, on a connection already up, is subscribed before listen resolves.
    const late: string[] = [];
    await a.listen<Note>('late', (m) => late.push(m.text));
    await b.publish<Note>('late', { text: 'still heard' });
    await until(() => late.length === 1);
  });

  describe('with Redis down at boot', () => {
    let redis: DedicatedRedis;
    beforeEach(async () => {
      redis = await startDedicatedRedis();
      await redis.stop();
    });
    afterEach(async () => {
      await closeReplicas();
      await redis.stop();
    });

    it('does not hold boot up, and subscribes every channel (telling listeners to resync) once Redis is up', async () => {
      const prefix = `test-relay-${randomUUID()}:`;
      const down = await replica(redis.url, prefix, false);
      const heard: string[] = [];
      const resyncs: string[] = [];
      const started = Date.now();
      await down.listen<Note>('catalog', (m) => heard.push(`catalog:${m.text}`), () => resyncs.push('catalog'));
      await down.listen<Note>('metrics', (m) => heard.push(`metrics:${m.text}`));
      expect(Date.now() - started).toBeLessThan(1000);

      await redis.start();
      await until(() => resyncs.length === 1, 10_000);
      const up = await replica(redis.url, prefix);
      // The subscription follows the 'ready' that triggered the resync: publish until it is heard.
      await until(() => heard.includes('catalog:after') || (void up.publish<Note>('catalog', { text: 'after' }), false), 5000);
      await up.publish<Note>('metrics', { text: 'after' });
      await until(() => heard.includes('metrics:after'));
      expect(resyncs).toEqual(['catalog']);
    });
  });

  describe('with a Redis that accepts connections and never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    beforeEach(async () => {
      server = createServer((s) => {
        sockets.add(s);
        s.on('error', () => undefined);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });
    afterEach(async () => {
      await closeReplicas();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    });

    it('returns from listen at once instead of waiting 5 s per caller, and shuts down at once too', async () => {
      const port = (server.address() as { port: number }).port;
      const hung = await replica(`redis://127.0.0.1:${port}/0`, 'test-relay-hung:', false);
      const started = Date.now();
      await Promise.all([hung.listen('one', () => undefined), hung.listen('two', () => undefined)]);
      await hung.listen('three', () => undefined);
      expect(Date.now() - started).toBeLessThan(1000);
      // QUIT would wait for an answer that never comes.
      const closing = Date.now();
      await closeReplicas();
      expect(Date.now() - closing).toBeLessThan(1000);
    });
  });
});
