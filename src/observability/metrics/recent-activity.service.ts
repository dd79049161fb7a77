import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { RedisService } from '../../common/redis/redis.service';
import { AppConfig } from '../../config/app-config';
import { BatchedFlush } from './batched-flush';
import type { ExecutionTarget } from './execution-recorder.service';

/** Executions started in one minute. */
export interface MinuteActivity {
  /** Start of the minute (ISO 8601). */
  minute: string;
  calls: number;
  errors: number;
}

/** A recent failed execution. */
export interface RecentError {
  at: string;
  kind: ExecutionTarget['kind'];
  id: string;
  name: string;
  server: string;
  error: string;
  durationMs: number;
}

const MINUTES = 60;
const ERRORS = 50;
const MINUTE_MS = 60_000;
/** Redis keeps a minute's counters a little longer than the hour shown. */
const COUNTER_TTL_SECONDS = 2 * 3600;
/** The shared error list expires a week after the last failure. */
const ERRORS_TTL_SECONDS = 7 * 24 * 3600;

/**
 * What the deployment executed lately, for the admin dashboard: executions per minute over the last hour and the
 * last failures. With REDIS_URL set they are shared by every replica and survive restarts: per-minute counters
 * (INCRBY with a TTL) and a capped list of errors (LPUSH + LTRIM) in Redis, written in batches every
 * METRICS_FLUSH_INTERVAL seconds (and before every read, and at shutdown). Without Redis (or while it is unreachable)
 * this replica's own figures are shown: fixed-size ring buffers in memory, constant cost per execution, which are
 * always kept as that fallback.
 */
@Injectable()
export class RecentActivity implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('RecentActivity');
  private readonly minutes: Array<{ start: number; calls: number; errors: number }> = [];
  private readonly errors: RecentError[] = [];
  /** Not yet written to Redis: counts per minute start, failures oldest first. */
  private pending = new Map<number, { calls: number; errors: number }>();
  private pendingErrors: RecentError[] = [];
  private readonly batches = new BatchedFlush(() => this.write());

  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly redis?: RedisService,
  ) {}

  /** Whether the figures are the whole deployment's (Redis) rather than this replica's. */
  get shared(): boolean {
    return !!this.redis?.client;
  }

  onModuleInit(): void {
    if (this.shared) this.batches.start(this.config.metrics.flushIntervalMs);
  }

  /** The last batch, while the Redis connection is still open (it closes in the shutdown phase that follows). */
  beforeApplicationShutdown(): Promise<void> {
    return this.batches.stop();
  }

  record(target: ExecutionTarget, durationMs: number, error: string | undefined, at = new Date()): void {
    const start = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
    let bucket = this.minutes.at(-1);
    if (!bucket || bucket.start !== start) {
      bucket = { start, calls: 0, errors: 0 };
      this.minutes.push(bucket);
      if (this.minutes.length > MINUTES) this.minutes.shift();
    }
    bucket.calls += 1;
    const failure =
      error === undefined
        ? undefined
        : { at: at.toISOString(), kind: target.kind, id: target.id, name: target.name, server: target.server, error: error.slice(0, 500), durationMs: Math.round(durationMs) };
    if (failure) {
      bucket.errors += 1;
      this.errors.unshift(failure);
      if (this.errors.length > ERRORS) this.errors.pop();
    }
    if (!this.shared) return;
    const counts = this.pending.get(start) ?? { calls: 0, errors: 0 };
    counts.calls += 1;
    if (failure) {
      counts.errors += 1;
      this.pendingErrors.push(failure);
      if (this.pendingErrors.length > ERRORS) this.pendingErrors.shift();
    }
    this.pending.set(start, counts);
  }

  /** One entry per minute of the last `minutes` (oldest first), zeros included. */
  async perMinute(minutes = MINUTES, now = new Date()): Promise<MinuteActivity[]> {
    const count = Math.min(minutes, MINUTES);
    const current = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
    const starts = Array.from({ length: count }, (_, i) => current - (count - 1 - i) * MINUTE_MS);
    const shared = await this.read(async (client) => {
      const values = await client.mget(...starts.flatMap((s) => [this.key(`calls:${s}`), this.key(`errors:${s}`)]));
      return starts.map((s, i) => ({ minute: new Date(s).toISOString(), calls: Number(values[2 * i] ?? 0), errors: Number(values[2 * i + 1] ?? 0) }));
    });
    if (shared) return shared;
    const byStart = new Map(this.minutes.map((m) => [m.start, m]));
    return starts.map((s) => ({ minute: new Date(s).toISOString(), calls: byStart.get(s)?.calls ?? 0, errors: byStart.get(s)?.errors ?? 0 }));
  }

  /** The latest failures, newest first. */
  async recentErrors(limit = ERRORS): Promise<RecentError[]> {
    // Replicas write in batches, so the list is ordered by write: sort the (capped) list by time.
    const shared = await this.read(async (client) => (await client.lrange(this.key('errors'), 0, ERRORS - 1)).map((e) => JSON.parse(e) as RecentError));
    return (shared?.sort((x, y) => y.at.localeCompare(x.at)) ?? this.errors).slice(0, limit);
  }

  /** Adds the pending counts and failures to Redis now (after a write in progress); never rejects. */
  flush(): Promise<void> {
    return this.batches.flush();
  }

  /** Reads from Redis after writing what is pending; `undefined` (use memory) without Redis or when it fails. */
  private async read<T>(query: (client: NonNullable<RedisService['client']>) => Promise<T>): Promise<T | undefined> {
    const client = this.redis?.client;
    if (!client) return undefined;
    await this.flush();
    try {
      return await query(client);
    } catch (err) {
      this.logger.warn(`reading recent activity from Redis failed, showing this replica's: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** One batch: the pending counts and failures in one pipeline. A failed write is dropped: these are dashboard figures. */
  private async write(): Promise<void> {
    const client = this.redis?.client;
    if (!client || (!this.pending.size && !this.pendingErrors.length)) return;
    const [counts, failures] = [this.pending, this.pendingErrors];
    this.pending = new Map();
    this.pendingErrors = [];
    try {
      const batch = client.pipeline();
      for (const [start, c] of counts) {
        batch.incrby(this.key(`calls:${start}`), c.calls).expire(this.key(`calls:${start}`), COUNTER_TTL_SECONDS);
        if (c.errors) batch.incrby(this.key(`errors:${start}`), c.errors).expire(this.key(`errors:${start}`), COUNTER_TTL_SECONDS);
      }
      if (failures.length) {
        batch.lpush(this.key('errors'), ...failures.map((f) => JSON.stringify(f)));
        batch.ltrim(this.key('errors'), 0, ERRORS - 1).expire(this.key('errors'), ERRORS_TTL_SECONDS);
      }
      await batch.exec();
    } catch (err) {
      this.logger.warn(`writing recent activity to Redis failed (dropped): ${(err as Error).message}`);
    }
  }

  private key(suffix: string): string {
    return `${this.redis!.prefix}activity:${suffix}`;
  }
}
