import { Logger } from '@nestjs/common';
import { loadConfig } from '../../../config/app-config';
import type { GatewayMetrics } from '../../../observability/metrics/gateway-metrics.service';
import type { FederationService } from '../federation.service';
import type { Gateway } from '../gateway.model';
import type { GatewaysService } from '../gateways.service';
import type { UpstreamPool } from '../upstream/upstream-pool.service';
import { PeerHealthService } from './peer-health.service';

function peer(fields: Partial<Gateway> = {}): Gateway {
  return { id: 'p1', name: 'peer one', enabled: true, reachable: true, consecutiveFailures: 0, alternateOf: null, ...fields } as Gateway;
}

function setup(threshold: string, up: boolean) {
  const config = loadConfig({ UNHEALTHY_THRESHOLD: threshold, HEALTH_CHECK_TIMEOUT: '1' });
  const status: Array<[string, Record<string, unknown>]> = [];
  const gateways = { updateStatus: jest.fn(async (id: string, s: Record<string, unknown>) => void status.push([id, s])), findAll: jest.fn() };
  const federation = { endpoint: jest.fn(() => ({})), publishReachability: jest.fn(async () => undefined), refresh: jest.fn(async () => ({})) };
  const pool = {
    use: jest.fn(async () => {
      if (!up) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }),
    evictPeer: jest.fn(async () => undefined),
  };
  const service = new PeerHealthService(gateways as unknown as GatewaysService, federation as unknown as FederationService, pool as unknown as UpstreamPool, config, {} as GatewayMetrics);
  return { service, status, federation, pool, gateways };
}

describe('PeerHealthService.check', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('counts failures below UNHEALTHY_THRESHOLD without marking the peer unreachable', async () => {
    const { service, status, federation, pool } = setup('3', false);
    const result = await service.check(peer({ consecutiveFailures: 1 }));
    expect(result).toEqual({ id: 'p1', name: 'peer one', reachable: true, error: 'ECONNREFUSED: fetch failed' });
    expect(status).toEqual([['p1', { consecutiveFailures: 2, lastError: 'ECONNREFUSED: fetch failed' }]]);
    expect(federation.publishReachability).not.toHaveBeenCalled();
    expect(pool.evictPeer).toHaveBeenCalledWith('p1');
  });

  it('marks the peer unreachable at the threshold and hides its group (alternates report their primary)', async () => {
    const { service, status, federation } = setup('3', false);
    expect((await service.check(peer({ consecutiveFailures: 2 }))).reachable).toBe(false);
    expect(status[0][1]).toMatchObject({ consecutiveFailures: 3, reachable: false });
    expect(federation.publishReachability).toHaveBeenCalledWith('p1');
    await service.check(peer({ id: 'alt', consecutiveFailures: 5, alternateOf: 'p1' }));
    expect(federation.publishReachability).toHaveBeenLastCalledWith('p1');
  });

  it('never marks a peer unreachable with UNHEALTHY_THRESHOLD=-1, however many checks fail', async () => {
    const { service, status, federation } = setup('-1', false);
    expect((await service.check(peer({ consecutiveFailures: 1000 }))).reachable).toBe(true);
    expect(status[0][1]).toEqual({ consecutiveFailures: 1001, lastError: 'ECONNREFUSED: fetch failed' });
    expect(federation.publishReachability).not.toHaveBeenCalled();
  });

  it('marks a recovered peer reachable, resets the count, republishes and re-syncs its catalog', async () => {
    const { service, status, federation } = setup('3', true);
    expect(await service.check(peer({ reachable: false, consecutiveFailures: 4 }))).toEqual({ id: 'p1', name: 'peer one', reachable: true });
    expect(status[0][1]).toMatchObject({ reachable: true, consecutiveFailures: 0, lastError: null });
    expect(federation.publishReachability).toHaveBeenCalledWith('p1');
    expect(federation.refresh).toHaveBeenCalledWith('p1');
  });

  it('leaves a healthy peer’s lastError alone and does not re-sync it', async () => {
    const { service, status, federation } = setup('3', true);
    await service.check(peer());
    expect(status[0][1]).not.toHaveProperty('lastError');
    expect(federation.refresh).not.toHaveBeenCalled();
  });

  it('bounds the whole check (connecting included) by HEALTH_CHECK_TIMEOUT, through the signal it gives the pool', async () => {
    const { service, status, pool } = setup('3', true);
    let given: AbortSignal | undefined;
    // A peer that accepts the connection and never completes the handshake: only the signal ends the wait.
    pool.use.mockImplementation((async (_peer: unknown, _downstream: unknown, _work: unknown, signal: AbortSignal) => {
      given = signal;
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    }) as never);
    const started = Date.now();
    const result = await service.check(peer());
    expect(Date.now() - started).toBeLessThan(1900);
    expect(given?.aborted).toBe(true);
    expect(result).toEqual({ id: 'p1', name: 'peer one', reachable: true, error: 'health check timed out after 1000 ms' });
    expect(status[0][1]).toEqual({ consecutiveFailures: 1, lastError: 'health check timed out after 1000 ms' });
    expect(pool.evictPeer).toHaveBeenCalledWith('p1');
  });

  it('checks every enabled peer, and stops starting new checks once the signal aborts', async () => {
    const { service, gateways, pool } = setup('3', true);
    gateways.findAll.mockResolvedValue([peer({ id: 'a' }), peer({ id: 'b', enabled: false }), peer({ id: 'c' })]);
    expect((await service.checkAll()).map((r) => r.id).sort()).toEqual(['a', 'c']);
    pool.use.mockClear();
    expect(await service.checkAll(AbortSignal.abort())).toEqual([]);
    expect(pool.use).not.toHaveBeenCalled();
  });
});
