import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { EventEmitter } from 'node:events';
import { ConflictError } from '../../../common/errors/domain-error';
import { loadConfig } from '../../../config/app-config';
import type { LeaderElection } from '../../coordination/leader-election.service';
import { MAX_GATEWAY_NAME_LENGTH } from '../dto/create-gateway.dto';
import type { FederationService } from '../federation.service';
import type { GatewaysService } from '../gateways.service';
import { type MdnsTransport, PeerDiscovery } from './peer-discovery.service';

/** An injected mDNS transport: emits what multicast-dns would, records queries and destruction. */
class FakeMdns extends EventEmitter {
  queries = 0;
  destroyed = false;
  query(): void {
    this.queries++;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function setup(env: Record<string, string>) {
  const mdns = new FakeMdns();
  const leader = { runIfLeader: jest.fn(async () => false), release: jest.fn(async () => undefined) };
  const discovery = new PeerDiscovery(
    {} as FederationService,
    {} as GatewaysService,
    new SchedulerRegistry(),
    leader as unknown as LeaderElection,
    loadConfig({ FEDERATION_DISCOVERY: 'true', FEDERATION_DISCOVERY_INTERVAL: '3600', ...env }),
    () => mdns as unknown as MdnsTransport,
  );
  discovery.onApplicationBootstrap();
  return { discovery, mdns };
}

const joinFailed = () => Object.assign(new Error('addMembership ENODEV'), { syscall: 'addMembership', code: 'ENODEV' });

describe('PeerDiscovery and mDNS warnings', () => {
  let error: jest.SpyInstance;
  beforeEach(() => {
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('destroys the socket when the configured interface cannot be joined or used, and stops querying', async () => {
    for (const syscall of ['addMembership', 'setMulticastInterface']) {
      const { discovery, mdns } = setup({ FEDERATION_DISCOVERY_INTERFACE: '10.99.99.99' });
      mdns.emit('warning', Object.assign(new Error(`${syscall} EADDRNOTAVAIL`), { syscall }));
      expect(mdns.destroyed).toBe(true);
      const queries = mdns.queries;
      void discovery.tick();
      expect(mdns.queries).toBe(queries);
      await discovery.onApplicationShutdown();
    }
    expect(error).toHaveBeenCalledWith(expect.stringContaining('cannot use FEDERATION_DISCOVERY_INTERFACE 10.99.99.99'));
  });

  it('only logs other warnings (a malformed packet), and any warning when no interface is configured', async () => {
    const configured = setup({ FEDERATION_DISCOVERY_INTERFACE: '127.0.0.1' });
    configured.mdns.emit('warning', new RangeError('Header must be 12 bytes'));
    expect(configured.mdns.destroyed).toBe(false);
    await configured.discovery.onApplicationShutdown();

    const any = setup({});
    any.mdns.emit('warning', joinFailed());
    expect(any.mdns.destroyed).toBe(false);
    await any.discovery.onApplicationShutdown();
    expect(any.mdns.destroyed).toBe(true);
  });
});

describe('PeerDiscovery registration names', () => {
  afterEach(() => jest.restoreAllMocks());

  it('caps a long name like POST /gateways does, room for the -2...-5 suffix of a taken name included', async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const long = `peer-${'x'.repeat(150)}`;
    const tried: string[] = [];
    const federation = {
      register: jest.fn(async (dto: { name: string }) => {
        tried.push(dto.name);
        if (tried.length < 5) throw new ConflictError('taken', { field: 'name' });
      }),
    };
    // The first round, which start-up runs at once, is over when the leader's work is.
    let roundOver!: () => void;
    const round = new Promise<void>((resolve) => (roundOver = resolve));
    const leader = {
      runIfLeader: jest.fn(async (_key: string, _ttl: number, work: (lease: { signal: AbortSignal }) => Promise<void>) => {
        try {
          await work({ signal: new AbortController().signal });
        } finally {
          roundOver();
        }
        return true;
      }),
      release: jest.fn(async () => undefined),
    };
    const discovery = new PeerDiscovery(
      federation as unknown as FederationService,
      { findByUrl: async () => null } as unknown as GatewaysService,
      new SchedulerRegistry(),
      leader as unknown as LeaderElection,
      loadConfig({ FEDERATION_PEERS: JSON.stringify([{ name: long, url: 'http://127.0.0.1:9/mcp' }]) }),
    );
    discovery.onApplicationBootstrap();
    await round;
    await discovery.onApplicationShutdown();
    const base = long.slice(0, MAX_GATEWAY_NAME_LENGTH - 2);
    expect(tried).toEqual([base, `${base}-2`, `${base}-3`, `${base}-4`, `${base}-5`]);
    expect(Math.max(...tried.map((n) => n.length))).toBe(MAX_GATEWAY_NAME_LENGTH);
  });
});

describe('PeerDiscovery shutdown', () => {
  afterEach(() => jest.restoreAllMocks());

  it('stops a running round at the next peer, waits for it and releases the lease, then closes the socket', async () => {
    const mdns = new FakeMdns();
    const looked: string[] = [];
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const gateways = {
      findByUrl: jest.fn(async (url: string) => {
        looked.push(url);
        started();
        await blocked;
        return { url };
      }),
    };
    const order: string[] = [];
    const leader = {
      runIfLeader: jest.fn(async (_key: string, _ttl: number, work: (lease: { signal: AbortSignal }) => Promise<void>) => (await work({ signal: new AbortController().signal }), true)),
      release: jest.fn(async (name: string) => void order.push(`release ${name}`)),
    };
    mdns.destroy = () => void order.push('destroy');
    const peers = [{ url: 'http://127.0.0.1:9/a' }, { url: 'http://127.0.0.1:9/b' }];
    const discovery = new PeerDiscovery(
      {} as FederationService,
      gateways as unknown as GatewaysService,
      new SchedulerRegistry(),
      leader as unknown as LeaderElection,
      loadConfig({ FEDERATION_DISCOVERY: 'true', FEDERATION_DISCOVERY_INTERVAL: '3600', FEDERATION_PEERS: JSON.stringify(peers) }),
      () => mdns as unknown as MdnsTransport,
    );
    discovery.onApplicationBootstrap();
    await running;
    const shutdown = discovery.onApplicationShutdown();
    unblock();
    await shutdown;
    expect(looked).toEqual(['http://127.0.0.1:9/a']);
    expect(order).toEqual(['release federation.discovery', 'destroy']);
  });
});
