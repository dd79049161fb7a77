import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { GatewayMetrics } from '../../../observability/metrics/gateway-metrics.service';
import { FederationService } from '../federation.service';
import type { Gateway } from '../gateway.model';
import { GatewaysService } from '../gateways.service';
import { classifyUpstreamError } from '../upstream/upstream-errors';
import { UpstreamPool } from '../upstream/upstream-pool.service';

/** Runs `work` over `items` with at most `limit` in flight; starts no new item once `signal` aborted. */
async function eachLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && !signal?.aborted) await work(items[next++]);
    }),
  );
}

export interface HealthResult {
  id: string;
  name: string;
  reachable: boolean;
  error?: string;
}

/**
 * Pings every enabled peer. UNHEALTHY_THRESHOLD failures in a row mark a peer unreachable: its entities disappear
 * from listings and its calls fail fast (or go to a healthy alternate). The first success marks it reachable again
 * and re-syncs its catalog.
 */
@Injectable()
export class PeerHealthService implements OnModuleInit {
  private readonly logger = new Logger('PeerHealth');

  constructor(
    private readonly gateways: GatewaysService,
    private readonly federation: FederationService,
    private readonly pool: UpstreamPool,
    private readonly config: AppConfig,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** `gateway_up`: read from the database at scrape time, so every replica reports what the health checker found. */
  onModuleInit(): void {
    this.metrics.providePeers(async () => (await this.gateways.findAll()).map((g) => [g.name, g.enabled && g.reachable ? 1 : 0]));
  }

  /** Checks every enabled peer (MAX_CONCURRENT_HEALTH_CHECKS at a time); `signal` stops it between peers. */
  async checkAll(signal?: AbortSignal): Promise<HealthResult[]> {
    const peers = (await this.gateways.findAll()).filter((g) => g.enabled);
    const results: HealthResult[] = [];
    await eachLimit(peers, this.config.federation.maxConcurrentHealthChecks, async (peer) => void results.push(await this.check(peer)), signal);
    return results;
  }

  /** One ping of `peer` (connecting if need be), all of it within HEALTH_CHECK_TIMEOUT. */
  async check(peer: Gateway): Promise<HealthResult> {
    const { healthTimeoutMs, unhealthyThreshold } = this.config.federation;
    const deadline = AbortSignal.timeout(healthTimeoutMs);
    try {
      await this.pool.use(this.federation.endpoint(peer), undefined, (s) => s.client.ping({ timeout: healthTimeoutMs, signal: deadline }), deadline);
      await this.gateways.updateStatus(peer.id, { reachable: true, consecutiveFailures: 0, lastSeen: new Date(), ...(peer.consecutiveFailures ? { lastError: null } : {}) });
      if (!peer.reachable) {
        this.logger.log(`peer ${peer.name} is reachable again`);
        await this.federation.publishReachability(peer.alternateOf ?? peer.id);
        if (!peer.alternateOf) await this.federation.refresh(peer.id).catch((err: Error) => this.logger.warn(`re-sync of ${peer.name}: ${err.message}`));
      }
      return { id: peer.id, name: peer.name, reachable: true };
    } catch (err) {
      const message = deadline.aborted ? `health check timed out after ${healthTimeoutMs} ms` : classifyUpstreamError(err).message;
      const failures = peer.consecutiveFailures + 1;
      const down = unhealthyThreshold >= 0 && failures >= unhealthyThreshold;
      await this.gateways.updateStatus(peer.id, { consecutiveFailures: failures, lastError: message.slice(0, 4000), ...(down ? { reachable: false } : {}) });
      await this.pool.evictPeer(peer.id);
      if (down && peer.reachable) {
        this.logger.warn(`peer ${peer.name} marked unreachable after ${failures} failed health checks: ${message}`);
        await this.federation.publishReachability(peer.alternateOf ?? peer.id);
      }
      return { id: peer.id, name: peer.name, reachable: !down && peer.reachable, error: message };
    }
  }
}
