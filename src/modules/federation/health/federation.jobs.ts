import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../../config/app-config';
import { IntervalJobs } from '../../coordination/interval-jobs';
import { LeaderElection } from '../../coordination/leader-election.service';
import { FederationService } from '../federation.service';
import { GatewaysService } from '../gateways.service';
import { PeerHealthService } from './peer-health.service';

const HEALTH = 'federation.peer-health';
const REFRESH = 'federation.auto-refresh';

/**
 * Scheduled federation work, each tick one service call: peer health checks every HEALTH_CHECK_INTERVAL and
 * catalog re-syncs every GATEWAY_AUTO_REFRESH_INTERVAL. With several replicas, the holder of the job's lease runs
 * it (renewing the lease while it runs, and stopping between peers if it is lost); a tick that is still running
 * when the next is due is skipped. On shutdown, running jobs stop at the next peer and the leases are released.
 */
@Injectable()
export class FederationJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FederationJobs');
  private readonly jobs: IntervalJobs;

  constructor(
    scheduler: SchedulerRegistry,
    leader: LeaderElection,
    private readonly health: PeerHealthService,
    private readonly federation: FederationService,
    private readonly gateways: GatewaysService,
    private readonly config: AppConfig,
  ) {
    this.jobs = new IntervalJobs(scheduler, leader, this.logger);
  }

  onApplicationBootstrap(): void {
    const { healthIntervalMs, autoRefreshIntervalMs } = this.config.federation;
    // The lease outlives two missed ticks, so a crashed leader is replaced within ~3 intervals.
    this.jobs.every(HEALTH, healthIntervalMs, (signal) => this.health.checkAll(signal), { leaseMs: healthIntervalMs * 3 });
    if (autoRefreshIntervalMs > 0) this.jobs.every(REFRESH, autoRefreshIntervalMs, (signal) => this.refreshAll(signal), { leaseMs: autoRefreshIntervalMs * 3 });
  }

  onApplicationShutdown(): Promise<void> {
    return this.jobs.stop();
  }

  /** Re-syncs every reachable primary peer, one after the other; stops between peers when `signal` aborts. */
  private async refreshAll(signal: AbortSignal): Promise<void> {
    const peers = (await this.gateways.findAll()).filter((g) => g.enabled && g.reachable && !g.alternateOf);
    for (const peer of peers) {
      if (signal.aborted) return;
      await this.federation.refresh(peer.id).catch((err: Error) => this.logger.warn(`auto-refresh of ${peer.name}: ${err.message}`));
    }
  }
}
