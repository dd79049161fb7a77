import { Injectable } from '@nestjs/common';
import type { ExecutionTarget } from './execution-recorder.service';

/** Executions started in one minute on this replica. */
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

/**
 * What this replica executed lately, for the admin dashboard: executions per minute over the last hour and the last
 * failures. Fixed-size ring buffers in memory: constant cost per execution, nothing stored.
 */
@Injectable()
export class RecentActivity {
  private readonly minutes: Array<{ start: number; calls: number; errors: number }> = [];
  private readonly errors: RecentError[] = [];

  record(target: ExecutionTarget, durationMs: number, error: string | undefined, at = new Date()): void {
    const start = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
    let bucket = this.minutes.at(-1);
    if (!bucket || bucket.start !== start) {
      bucket = { start, calls: 0, errors: 0 };
      this.minutes.push(bucket);
      if (this.minutes.length > MINUTES) this.minutes.shift();
    }
    bucket.calls += 1;
    if (error === undefined) return;
    bucket.errors += 1;
    this.errors.unshift({ at: at.toISOString(), kind: target.kind, id: target.id, name: target.name, server: target.server, error: error.slice(0, 500), durationMs: Math.round(durationMs) });
    if (this.errors.length > ERRORS) this.errors.pop();
  }

  /** One entry per minute of the last `minutes` (oldest first), zeros included. */
  perMinute(minutes = MINUTES, now = new Date()): MinuteActivity[] {
    const current = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
    const byStart = new Map(this.minutes.map((m) => [m.start, m]));
    return Array.from({ length: Math.min(minutes, MINUTES) }, (_, i) => {
      const start = current - (Math.min(minutes, MINUTES) - 1 - i) * MINUTE_MS;
      const m = byStart.get(start);
      return { minute: new Date(start).toISOString(), calls: m?.calls ?? 0, errors: m?.errors ?? 0 };
    });
  }

  /** The latest failures, newest first. */
  recentErrors(limit = ERRORS): RecentError[] {
    return this.errors.slice(0, limit);
  }
}
