import { Counter, Histogram, Registry } from 'prom-client';
import { loadConfig } from '../../config/app-config';
import { GatewayMetrics } from './gateway-metrics.service';
import { gaugeSources } from './metric-definitions';

function setup(maxLabelValues = 10) {
  const registry = new Registry();
  const counter = (name: string, labelNames: string[]) => new Counter({ name, help: name, labelNames, registers: [registry] });
  const histogram = (name: string, labelNames: string[]) => new Histogram({ name, help: name, labelNames, registers: [registry] });
  const metrics = new GatewayMetrics(
    counter('tool_calls_total', ['tool', 'server', 'status']) as never,
    histogram('tool_call_duration_seconds', ['tool', 'server']) as never,
    counter('http_requests_total', ['method', 'route', 'status']) as never,
    histogram('http_request_duration_seconds', ['method', 'route', 'status']) as never,
    counter('cache_hits_total', ['cache']) as never,
    counter('cache_misses_total', ['cache']) as never,
    counter('rate_limit_rejections_total', ['limit']) as never,
    loadConfig({ METRICS_MAX_LABEL_VALUES: String(maxLabelValues) }),
  );
  return { metrics, registry };
}

describe('GatewayMetrics', () => {
  it('caps each label at METRICS_MAX_LABEL_VALUES distinct values, reporting later ones as "other"', async () => {
    const { metrics, registry } = setup(10);
    for (let i = 0; i < 25; i++) metrics.toolCall(`tool_${i}`, 'local', 'success', 0.01);
    metrics.toolCall('tool_3', 'local', 'error', 0.02);
    const calls = (await registry.getSingleMetric('tool_calls_total')!.get()).values;
    const tools = new Set(calls.map((v) => v.labels.tool));
    expect(tools.size).toBe(11);
    expect(tools.has('other')).toBe(true);
    expect(calls.find((v) => v.labels.tool === 'other')!.value).toBe(15);
    // A value seen before the cap keeps its own series.
    expect(calls.find((v) => v.labels.tool === 'tool_3' && v.labels.status === 'error')!.value).toBe(1);
    // Labels are capped independently of each other.
    expect(metrics.label('route', '/tools')).toBe('/tools');
  });

  // The smallest cap (10): eight fillers plus the values each test plays with.
  const FILLERS = Array.from({ length: 8 }, (_, i) => `filler_${i}`);
  const values = async (registry: Registry, metric: string, label: string) => new Set((await registry.getSingleMetric(metric)!.get()).values.map((v) => v.labels[label]));

  it('frees the series and slot of a deleted tool, so a new tool gets its own series instead of "other"', async () => {
    const { metrics, registry } = setup(10);
    for (const f of FILLERS) metrics.toolCall(f, 'local', 'success', 0.01, `id-${f}`);
    metrics.toolCall('a', 'local', 'success', 0.01, 'id-a');
    metrics.toolCall('b', 'peer1', 'error', 0.01, 'id-b');
    metrics.toolCall('c', 'local', 'success', 0.01, 'id-c');
    expect(await values(registry, 'tool_calls_total', 'tool')).toEqual(new Set([...FILLERS, 'a', 'b', 'other']));

    metrics.onCatalogChanged({ kind: 'tool', id: 'id-b', key: 'b', action: 'delete' });
    expect(await values(registry, 'tool_calls_total', 'tool')).toEqual(new Set([...FILLERS, 'a', 'other']));
    expect(await values(registry, 'tool_call_duration_seconds', 'tool')).toEqual(new Set([...FILLERS, 'a', 'other']));
    metrics.toolCall('d', 'local', 'success', 0.01, 'id-d');
    expect(await values(registry, 'tool_calls_total', 'tool')).toEqual(new Set([...FILLERS, 'a', 'd', 'other']));
    // Deleting a tool only ever reported as "other" keeps "other" (other tools' calls are in it).
    metrics.onCatalogChanged({ kind: 'tool', id: 'id-c', key: 'c', action: 'delete' });
    expect(await values(registry, 'tool_calls_total', 'tool')).toEqual(new Set([...FILLERS, 'a', 'd', 'other']));
  });

  it('frees the old name of a renamed tool (known by id), also when the change was relayed from another replica', async () => {
    const { metrics, registry } = setup(10);
    for (const f of FILLERS) metrics.toolCall(f, 'local', 'success', 0.01);
    metrics.toolCall('old_name', 'local', 'success', 0.01, 'id-1');
    metrics.toolCall('kept', 'local', 'success', 0.01, 'id-2');
    metrics.onCatalogChanged({ kind: 'tool', id: 'id-2', key: 'kept', action: 'update' });
    metrics.onCatalogChanged({ kind: 'tool', id: 'id-1', key: 'new_name', action: 'update', origin: 'replica-b' } as never);
    metrics.toolCall('new_name', 'local', 'success', 0.01, 'id-1');
    expect(await values(registry, 'tool_calls_total', 'tool')).toEqual(new Set([...FILLERS, 'kept', 'new_name']));
    // A coarse relayed change names no entity: nothing is freed.
    metrics.onCatalogChanged({ kind: 'tool', id: '*', key: '*', action: 'delete', origin: 'database', coarse: true } as never);
    expect(await values(registry, 'tool_calls_total', 'tool')).toEqual(new Set([...FILLERS, 'kept', 'new_name']));
  });

  it('drops the series of calls a deleted peer executed and frees its server slot', async () => {
    const { metrics, registry } = setup(10);
    for (const f of FILLERS) metrics.label('server', f);
    metrics.toolCall('p1-echo', 'p1', 'success', 0.01, 't1', 'g1');
    metrics.toolCall('p1-echo', 'p1', 'error', 0.01, 't1', 'g1');
    metrics.toolCall('local_tool', 'local', 'success', 0.01, 't2');
    metrics.onCatalogChanged({ kind: 'gateway', id: 'g1', key: 'p1', action: 'delete' });
    const series = (await registry.getSingleMetric('tool_calls_total')!.get()).values.map((v) => `${v.labels.tool}@${v.labels.server}`);
    expect(series).toEqual(['local_tool@local']);
    expect(await values(registry, 'tool_call_duration_seconds', 'server')).toEqual(new Set(['local']));
    metrics.toolCall('p9-echo', 'p9', 'success', 0.01, 't9', 'g9');
    expect(await values(registry, 'tool_calls_total', 'server')).toEqual(new Set(['local', 'p9']));
  });

  it('frees the old server name of a renamed peer (known by id), also when the change was relayed', async () => {
    const { metrics, registry } = setup(10);
    for (const f of FILLERS) metrics.label('server', f);
    metrics.toolCall('echo', 'alpha', 'success', 0.01, 't1', 'g1');
    metrics.toolCall('local_tool', 'local', 'success', 0.01, 't2');
    // A state change of the peer (same name) frees nothing.
    metrics.onCatalogChanged({ kind: 'gateway', id: 'g1', key: 'alpha', action: 'update' });
    expect(await values(registry, 'tool_calls_total', 'server')).toEqual(new Set(['alpha', 'local']));
    metrics.onCatalogChanged({ kind: 'gateway', id: 'g1', key: 'beta', action: 'update', origin: 'replica-b' } as never);
    expect(await values(registry, 'tool_calls_total', 'server')).toEqual(new Set(['local']));
    expect(await values(registry, 'tool_call_duration_seconds', 'server')).toEqual(new Set(['local']));
    // The slot is free again: a second rename still gets a series of its own instead of "other".
    metrics.toolCall('echo', 'beta', 'success', 0.01, 't1', 'g1');
    metrics.onCatalogChanged({ kind: 'gateway', id: 'g1', key: 'gamma', action: 'update' });
    metrics.toolCall('echo', 'gamma', 'success', 0.01, 't1', 'g1');
    expect(await values(registry, 'tool_calls_total', 'server')).toEqual(new Set(['local', 'gamma']));
  });

  it('caps gateway_up per scrape (the first peers by name, the rest as "other", up only if all are), remembering no names', async () => {
    const { metrics } = setup(10);
    let peers: Array<[string, number]> = Array.from({ length: 10 }, (_, i) => [`peer_${String(i).padStart(2, '0')}`, 1]);
    metrics.providePeers(async () => peers);
    expect(await metrics.peers()).toEqual(peers);
    peers = [...peers, ['peer_10', 1], ['peer_11', 0]];
    expect(await metrics.peers()).toEqual([...peers.slice(0, 10), ['other', 0]]);
    // Peers deleted or renamed take their place with them: the next scrape shows the current list only.
    peers = [...peers.slice(2, 10).map(([name, up]) => [`${name}_renamed`, up] as [string, number]), ['new_a', 1], ['new_b', 1]];
    expect(await metrics.peers()).toEqual(peers);
  });

  it('records HTTP requests, cache lookups and rate-limit rejections under their labels', async () => {
    const { metrics, registry } = setup();
    metrics.httpRequest('GET', '/tools/:id', 404, 0.003);
    metrics.cacheLookup('catalog', true);
    metrics.cacheLookup('catalog', false);
    metrics.cacheLookup('catalog', true);
    metrics.rateLimited('tool_calls');
    const text = await registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/tools/:id",status="404"} 1');
    expect(text).toContain('cache_hits_total{cache="catalog"} 2');
    expect(text).toContain('cache_misses_total{cache="catalog"} 1');
    expect(text).toContain('rate_limit_rejections_total{limit="tool_calls"} 1');
  });

  it('contributes its peers and sessions to the process-wide gauges while the application lives', async () => {
    const { metrics } = setup();
    metrics.providePeers(async () => [['alpha', 1]]);
    metrics.provideSessions(() => ({ 'streamable-http': 2 }));
    metrics.onModuleInit();
    expect(gaugeSources.has(metrics)).toBe(true);
    expect(await metrics.peers()).toEqual([['alpha', 1]]);
    expect(metrics.sessions()).toEqual({ 'streamable-http': 2 });
    metrics.onApplicationShutdown();
    expect(gaugeSources.has(metrics)).toBe(false);
  });
});
