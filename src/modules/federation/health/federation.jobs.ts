import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../../config/app-config';
import { LeaderElection } from '../../coordination/leader-election.service';
import { FederationService } from '../federation.service';
import { GatewaysService } from '../gateways.service';
import { PeerHealthService } from './peer-health.service';

const HEALTH = 'federation.peer-health';
const REFRESH = 'federation.auto-refresh';

/**
 * Scheduled federation work, each tick one service call: peer health checks every HEALTH_CHECK_INTERVAL and
 * catalog re-syncs every GATEWAY_AUTO_REFRESH_INTERVAL. With several replicas, the holder of the job's lease runs
 * it; a tick that is still running when the next is due is skipped.
 */
@Injectable()
export class FederationJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FederationJobs');
  private readonly running = new Set<string>();

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
    this.every(HEALTH, healthIntervalMs, () => this.health.checkAll().then(() => undefined));
    if (autoRefreshIntervalMs > 0) this.every(REFRESH, autoRefreshIntervalMs, () => this.refreshAll());
  }

  async onApplicationShutdown(): Promise<void> {
    for (const name of [HEALTH, REFRESH]) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    await Promise.allSettled([this.leader.release(HEALTH), this.leader.release(REFRESH)]);
  }

  private every(name: string, ms: number, work: () => Promise<void>): void {
    const timer = setInterval(() => void this.tick(name, ms, work), ms);
    timer.unref();
    this.scheduler.addInterval(name, timer);
  }

  private async tick(name: string, intervalMs: number, work: () => Promise<void>): Promise<void> {
    if (this.running.has(name)) return;
    this.running.add(name);
    try {
      // The lease outlives two missed ticks, so a crashed leader is replaced within ~3 intervals.
      await this.leader.runIfLeader(name, intervalMs * 3, work);
    } catch (err) {
      this.logger.error(`${name}: ${(err as Error).stack ?? err}`);
    } finally {
      this.running.delete(name);
    }
  }

  private async refreshAll(): Promise<void> {
    const peers = (await this.gateways.findAll()).filter((g) => g.enabled && g.reachable && !g.alternateOf);
    for (const peer of peers) {
      await this.federation.refresh(peer.id).catch((err: Error) => this.logger.warn(`auto-refresh of ${peer.name}: ${err.message}`));
    }
  }
}
