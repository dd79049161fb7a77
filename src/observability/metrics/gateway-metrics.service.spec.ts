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
