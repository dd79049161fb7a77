import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisService } from '../../common/redis/redis.service';
import { loadConfig } from '../../config/app-config';
import { BatchedFlush } from './batched-flush';
import type { ExecutionTarget } from './execution-recorder.service';
import { RecentActivity } from './recent-activity.service';

const tool: ExecutionTarget = { kind: 'tool', id: 't1', name: 'echo', server: 'local' };
const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 0, 1, 12, minute, second));

describe('RecentActivity in memory (one replica, no REDIS_URL)', () => {
  it('counts executions and errors per minute, zero-filling quiet minutes', async () => {
    const activity = new RecentActivity(loadConfig({}));
    expect(activity.shared).toBe(false);
    activity.record(tool, 5, undefined, at(0, 1));
    activity.record(tool, 5, 'boom', at(0, 59));
    activity.record(tool, 5, undefined, at(2, 30));
    expect(await activity.perMinute(4, at(2, 45))).toEqual([
      { minute: at(-1).toISOString(), calls: 0, errors: 0 },
      { minute: at(0).toISOString(), calls: 2, errors: 1 },
      { minute: at(1).toISOString(), calls: 0, errors: 0 },
      { minute: at(2).toISOString(), calls: 1, errors: 0 },
    ]);
  });

  it('keeps the last hour and the last 50 errors, newest first', async () => {
    const activity = new RecentActivity(loadConfig({}));
    for (let m = 0; m < 90; m++) activity.record(tool, 1, `e${m}`, new Date(Date.UTC(2026, 0, 1, 10, m)));
    const hour = await activity.perMinute(60, new Date(Date.UTC(2026, 0, 1, 10, 89)));
    expect(hour).toHaveLength(60);
    expect(hour.every((m) => m.calls === 1 && m.errors === 1)).toBe(true);
    const errors = await activity.recentErrors();
    expect(errors).toHaveLength(50);
    expect(errors[0]).toMatchObject({ error: 'e89', name: 'echo', kind: 'tool' });
    expect((await activity.recentErrors(2)).map((e) => e.error)).toEqual(['e89', 'e88']);
  });
});

/** Uses the Redis every test machine runs (127.0.0.1:6379), under a key prefix of its own. */
describe('RecentActivity shared through Redis (several replicas)', () => {
  const prefix = `test-activity-${randomUUID()}:`;
  const services: RedisService[] = [];
  const replica = async () => {
    const config = loadConfig({ ENVIRONMENT: 'development', REDIS_URL: 'redis://127.0.0.1:6379/0', CACHE_PREFIX: prefix });
    const redis = new RedisService(config);
    await redis.onModuleInit();
    services.push(redis);
    return new RecentActivity(config, redis);
  };

  afterAll(async () => {
    const client = services[0]?.client;
    if (client) {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length) await client.del(...keys);
    }
    await Promise.all(services.map((s) => s.onApplicationShutdown()));
  });

  it('shows the calls and errors of every replica, and keeps them across a restart', async () => {
    const [a, b] = [await replica(), await replica()];
    expect(a.shared).toBe(true);
    const now = new Date();
    a.record(tool, 5, undefined, now);
    a.record(tool, 5, 'upstream refused', now);
    b.record({ ...tool, name: 'other' }, 7, undefined, now);
    b.record({ ...tool, name: 'other' }, 7, 'timed out', new Date(now.getTime() + 1));
    // Each read first writes what that replica holds; the other replica's batch goes out with its own read or timer.
    await b.flush();
    for (const replicaView of [a, b]) {
      const minutes = await replicaView.perMinute(2, now);
      expect(minutes.at(-1)).toEqual({ minute: new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString(), calls: 4, errors: 2 });
      expect((await replicaView.recentErrors()).map((e) => e.error)).toEqual(['timed out', 'upstream refused']);
    }
    // A restarted replica (a fresh instance, nothing in memory) still sees them.
    const restarted = await replica();
    expect((await restarted.perMinute(1, now))[0].calls).toBe(4);
    expect((await restarted.recentErrors(1))[0]).toMatchObject({ name: 'other', error: 'timed out', kind: 'tool' });
    // The counters expire on their own (a little after the hour shown).
    const ttl = await services[0].client!.ttl(`${prefix}activity:calls:${Math.floor(now.getTime() / 60_000) * 60_000}`);
    expect(ttl).toBeGreaterThan(3600);
    expect(ttl).toBeLessThanOrEqual(7200);
  });

  it('writes its batches every METRICS_FLUSH_INTERVAL (only with Redis), and the last one at shutdown', async () => {
    const start = jest.spyOn(BatchedFlush.prototype, 'start').mockImplementation(() => undefined);
    try {
      new RecentActivity(loadConfig({ METRICS_FLUSH_INTERVAL: '7' })).onModuleInit();
      expect(start).not.toHaveBeenCalled();
      const config = loadConfig({ ENVIRONMENT: 'development', REDIS_URL: 'redis://127.0.0.1:6379/0', CACHE_PREFIX: prefix, METRICS_FLUSH_INTERVAL: '7' });
      const redis = new RedisService(config);
      services.push(redis);
      await redis.onModuleInit();
      const leaving = new RecentActivity(config, redis);
      leaving.onModuleInit();
      expect(start).toHaveBeenCalledWith(7000);
      const at = new Date(Date.UTC(2026, 0, 2, 12, 0));
      leaving.record(tool, 5, 'last words', at);
      await leaving.beforeApplicationShutdown();
      const other = await replica();
      expect((await other.perMinute(1, at))[0]).toMatchObject({ calls: 1, errors: 1 });
    } finally {
      start.mockRestore();
    }
  });

  it("falls back to this replica's figures while Redis is unreachable", async () => {
    const config = loadConfig({ ENVIRONMENT: 'development', REDIS_URL: 'redis://127.0.0.1:1/0', CACHE_PREFIX: prefix });
    const redis = new RedisService(config);
    const activity = new RecentActivity(config, redis);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    activity.record(tool, 5, 'down', at(3));
    try {
      expect((await activity.perMinute(1, at(3)))[0]).toMatchObject({ calls: 1, errors: 1 });
      expect((await activity.recentErrors())[0].error).toBe('down');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("reading recent activity from Redis failed, showing this replica's"));
    } finally {
      warn.mockRestore();
      redis.client!.disconnect();
    }
  });
});
