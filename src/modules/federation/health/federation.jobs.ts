import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../../config/app-config';
import { type HeldLease, LeaderElection } from '../../coordination/leader-election.service';
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
  private readonly running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly scheduler: SchedulerRegistry,
    private readonly leader: LeaderElection,
    private readonly health: PeerHealthService,
    private readonly federation: FederationService,
    private readonly gateways: GatewaysService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { healthIntervalMs, autoRefreshIntervalMs } = this.config.federation;
    this.every(HEALTH, healthIntervalMs, (signal) => this.health.checkAll(signal).then(() => undefined));
    if (autoRefreshIntervalMs > 0) this.every(REFRESH, autoRefreshIntervalMs, (signal) => this.refreshAll(signal));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const name of [HEALTH, REFRESH]) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    this.stopping.abort();
    await Promise.allSettled(this.running.values());
    await Promise.allSettled([this.leader.release(HEALTH), this.leader.release(REFRESH)]);
  }

  private every(name: string, ms: number, work: (signal: AbortSignal) => Promise<void>): void {
    const timer = setInterval(() => void this.tick(name, ms, work), ms);
    timer.unref();
    this.scheduler.addInterval(name, timer);
  }

  private async tick(name: string, intervalMs: number, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.running.has(name) || this.stopping.signal.aborted) return;
    // The lease outlives two missed ticks, so a crashed leader is replaced within ~3 intervals.
    const run = this.leader
      .runIfLeader(name, intervalMs * 3, (lease: HeldLease) => work(AbortSignal.any([lease.signal, this.stopping.signal])))
      .then(
        () => undefined,
        (err: Error) => this.logger.error(`${name}: ${err.stack ?? err}`),
      );
    this.running.set(name, run);
    try {
      await run;
    } finally {
      this.running.delete(name);
    }
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
