import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import makeMdns from 'multicast-dns';
import { AppConfig, type StaticPeer } from '../../../config/app-config';
import { ConflictError } from '../../../common/errors/domain-error';
import { IntervalJobs } from '../../coordination/interval-jobs';
import { LeaderElection } from '../../coordination/leader-election.service';
import { MAX_GATEWAY_NAME_LENGTH } from '../dto/create-gateway.dto';
import { FederationService } from '../federation.service';
import { GatewaysService } from '../gateways.service';
import { type DnsPacket, MCP_SERVICE, parseDnsSd } from './dns-sd';

/** The part of a multicast-dns instance discovery uses (an injection point for tests). */
export interface MdnsTransport {
  on(event: 'response', listener: (packet: DnsPacket) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** multicast-dns reports a failed group join or outgoing-interface setting this way, then carries on. */
  on(event: 'warning', listener: (err: Error) => void): unknown;
  query(query: { questions: Array<{ name: string; type: string }> }): void;
  destroy(cb?: () => void): void;
}

/** Registration of known peers: one replica at a time, the holder of the lease of this name. */
const REGISTER = 'federation.discovery';
/** The DNS-SD query: every replica asks (and hears the answers, which the registering replica acts on). */
const QUERY = 'federation.discovery.query';

/** Names tried for a peer: its own, then with `-2`... appended while another peer has taken it. */
const NAME_ATTEMPTS = 5;

/** The socket calls whose failure means the configured interface is not in use (see multicast-dns `update()`). */
const INTERFACE_SYSCALLS = new Set(['addMembership', 'setMulticastInterface']);

export const MDNS_FACTORY = Symbol('MDNS_FACTORY');
export type MdnsFactory = (options: { interface?: string; port: number }) => MdnsTransport;

/** multicast-dns on the configured interface only (membership and outgoing interface), or every interface. */
export const defaultMdnsFactory: MdnsFactory = (options) =>
  makeMdns({ port: options.port, reuseAddr: true, loopback: true, ...(options.interface ? { interface: options.interface, bind: '0.0.0.0' } : {}) }) as unknown as MdnsTransport;

/**
 * Registers peers nobody had to POST: the static FEDERATION_PEERS list (retried until each answers), and, with
 * FEDERATION_DISCOVERY=true, MCP servers advertised over DNS-SD as `_mcp._tcp.local.`. A URL already registered is
 * left alone; registration goes through FederationService like a POST /gateways. One replica (the lease holder) acts,
 * every FEDERATION_DISCOVERY_INTERVAL and at once on start-up and on each DNS-SD answer; every replica queries DNS-SD
 * each interval. On shutdown, a running round stops at the next peer and the lease is released (IntervalJobs).
 */
@Injectable()
export class PeerDiscovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PeerDiscovery');
  private mdns?: MdnsTransport;
  private readonly discovered = new Map<string, StaticPeer>();
  private readonly jobs: IntervalJobs;

  constructor(
    private readonly federation: FederationService,
    private readonly gateways: GatewaysService,
    scheduler: SchedulerRegistry,
    leader: LeaderElection,
    private readonly config: AppConfig,
    @Optional() @Inject(MDNS_FACTORY) private readonly mdnsFactory: MdnsFactory = defaultMdnsFactory,
  ) {
    this.jobs = new IntervalJobs(scheduler, leader, this.logger);
  }

  onApplicationBootstrap(): void {
    const { staticPeers, discovery } = this.config.federation;
    if (!staticPeers.length && !discovery.enabled) return;
    if (discovery.enabled) {
      this.mdns = this.mdnsFactory({ interface: discovery.interface, port: discovery.port });
      this.mdns.on('response', (packet) => {
        for (const peer of parseDnsSd(packet)) this.discovered.set(peer.url, peer);
        void this.tick();
      });
      this.mdns.on('error', (err) => this.logger.warn(`mDNS: ${err.message}`));
      this.mdns.on('warning', (err) => this.onWarning(err));
      this.jobs.every(QUERY, discovery.intervalMs, async () => this.query());
    }
    // The lease outlives two missed rounds, so a crashed leader is replaced within ~3 intervals.
    this.jobs.every(REGISTER, discovery.intervalMs, (signal) => this.registerAll(signal), { leaseMs: discovery.intervalMs * 3 });
    void this.tick();
  }

  /** Stops the jobs (waiting for a running round, releasing the lease), then closes the mDNS socket. */
  async onApplicationShutdown(): Promise<void> {
    await this.jobs.stop();
    this.mdns?.destroy();
  }

  /**
   * A configured interface that cannot be used (no such address, group join refused) would leave the socket sending
   * on the default route, onto a network nobody chose: stop discovery instead. Other warnings (a malformed packet
   * from the network, say), and any without an interface setting, are only logged.
   */
  private onWarning(err: Error & { syscall?: string }): void {
    const iface = this.config.federation.discovery.interface;
    if (!iface || !INTERFACE_SYSCALLS.has(err.syscall ?? '')) return void this.logger.warn(`mDNS: ${err.message}`);
    this.logger.error(`mDNS: cannot use FEDERATION_DISCOVERY_INTERFACE ${iface} (${err.message}); DNS-SD discovery is off`);
    const mdns = this.mdns;
    this.mdns = undefined;
    mdns?.destroy();
  }

  /**
   * One round now: ask the network, then register every known peer that is not registered yet (on the lease holder;
   * nothing when a round is still running). Resolves once the round is over.
   */
  tick(): Promise<void> {
    this.query();
    return this.jobs.tick(REGISTER);
  }

  private query(): void {
    this.mdns?.query({ questions: [{ name: MCP_SERVICE, type: 'PTR' }] });
  }

  /** Registers the known peers one after the other; stops between peers when `signal` aborts (lease lost, shutdown). */
  private async registerAll(signal: AbortSignal): Promise<void> {
    for (const peer of [...this.config.federation.staticPeers, ...this.discovered.values()]) {
      if (signal.aborted) return;
      await this.ensureRegistered(peer);
    }
  }

  private async ensureRegistered(peer: StaticPeer): Promise<void> {
    if (await this.gateways.findByUrl(peer.url)) return;
    // Names are capped like POST /gateways caps them (the slug prefixes every tool name), suffix included.
    const base = (peer.name ?? new URL(peer.url).host.replace(/[^A-Za-z0-9]+/g, '-')).slice(0, MAX_GATEWAY_NAME_LENGTH - `-${NAME_ATTEMPTS}`.length);
    for (let n = 1; n <= NAME_ATTEMPTS; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      try {
        await this.federation.register({ name, url: peer.url, transport: peer.transport, namespaced: peer.namespaced });
        this.logger.log(`registered peer ${name} at ${peer.url}`);
        return;
      } catch (err) {
        if (err instanceof ConflictError && (err.details as { field?: string } | undefined)?.field === 'name') continue;
        this.logger.warn(`could not register peer ${name} at ${peer.url}: ${(err as Error).message}`);
        return;
      }
    }
  }
}
