import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../../config/app-config';
import { LeaderElection } from '../../coordination/leader-election.service';
import { McpSessionManager } from './session-manager.service';
import { SessionRouter } from './session-router.service';

const SWEEP = 'mcp.session-sweep';
const PURGE = 'mcp.session-directory-purge';

/**
 * Scheduled session upkeep, each tick one service call: every replica closes its idle sessions and confirms its live
 * ones in the session directory (every quarter of MCP_SESSION_TTL, at most a minute); the leader forgets directory
 * rows nobody confirmed for a whole TTL (sessions of replicas that died without unregistering them).
 */
@Injectable()
export class McpSessionJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('McpSessionJobs');
  private readonly running = new Set<string>();

  constructor(
    private readonly scheduler: SchedulerRegistry,
    private readonly leader: LeaderElection,
    private readonly sessions: McpSessionManager,
    private readonly router: SessionRouter,
    private readonly config: AppConfig,
  ) {}

  /** How often sessions are swept and confirmed: well within one TTL, so a live session's row is never purged. */
  get intervalMs(): number {
    return Math.min(60_000, Math.max(1000, Math.floor(this.config.mcp.sessionTtlMs / 4)));
  }

  onApplicationBootstrap(): void {
    const ttl = this.config.mcp.sessionTtlMs;
    this.every(SWEEP, () => this.sessions.sweep());
    // A row younger than a TTL may belong to a live session (confirmed every interval ≤ TTL/4): only older ones go.
    this.every(PURGE, () => this.leader.runIfLeader(PURGE, this.intervalMs * 3, () => this.router.purgeStale(Math.max(ttl, this.intervalMs * 4)).then(() => undefined)));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const name of [SWEEP, PURGE]) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    await this.leader.release(PURGE).catch(() => undefined);
  }

  private every(name: string, work: () => Promise<unknown>): void {
    const timer = setInterval(() => void this.tick(name, work), this.intervalMs);
    timer.unref();
    this.scheduler.addInterval(name, timer);
  }

  private async tick(name: string, work: () => Promise<unknown>): Promise<void> {
    if (this.running.has(name)) return;
    this.running.add(name);
    try {
      await work();
    } catch (err) {
      this.logger.error(`${name}: ${(err as Error).stack ?? err}`);
    } finally {
      this.running.delete(name);
    }
  }
}
