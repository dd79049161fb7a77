import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../../config/app-config';
import { IntervalJobs } from '../../coordination/interval-jobs';
import { LeaderElection } from '../../coordination/leader-election.service';
import { McpSessionManager } from './session-manager.service';
import { SessionRouter } from './session-router.service';

const SWEEP = 'mcp.session-sweep';
const PURGE = 'mcp.session-directory-purge';

/**
 * Scheduled session upkeep, each tick one service call: every replica closes its idle sessions and confirms its live
 * ones in the session directory (every quarter of MCP_SESSION_TTL, at most a minute); the leader forgets directory
 * rows nobody confirmed for a whole TTL (sessions of replicas that died without unregistering them). A replica that
 * has no address for the directory (REPLICA_URL unset and not listening) does not write it, and does not purge it.
 */
@Injectable()
export class McpSessionJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly jobs: IntervalJobs;

  constructor(
    scheduler: SchedulerRegistry,
    leader: LeaderElection,
    private readonly sessions: McpSessionManager,
    private readonly router: SessionRouter,
    private readonly config: AppConfig,
  ) {
    this.jobs = new IntervalJobs(scheduler, leader, new Logger('McpSessionJobs'));
  }

  /** How often sessions are swept and confirmed: well within one TTL, so a live session's row is never purged. */
  get intervalMs(): number {
    return Math.min(60_000, Math.max(1000, Math.floor(this.config.mcp.sessionTtlMs / 4)));
  }

  onApplicationBootstrap(): void {
    const ttl = this.config.mcp.sessionTtlMs;
    this.jobs.every(SWEEP, this.intervalMs, () => this.sessions.sweep());
    // A row younger than a TTL may belong to a live session (confirmed every interval ≤ TTL/4): only older ones go.
    this.jobs.every(PURGE, this.intervalMs, () => this.router.purgeStale(Math.max(ttl, this.intervalMs * 4)), {
      leaseMs: this.intervalMs * 3,
      // The replica's address is known only once it listens (or from REPLICA_URL): checked at each tick.
      when: () => this.router.writesDirectory(),
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.jobs.stop();
  }
}
