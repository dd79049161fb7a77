import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { EnvironmentVariables } from '../../src/config/environment';
import { ROOT } from '../support/process';

const HELM = join(ROOT, 'node_modules', '.bin', 'helm');
const CHART = join(ROOT, 'helm', 'mcp-gateway');
const SECRETS = ['secrets.JWT_SECRET_KEY=0123456789abcdef0123456789abcdef-jwt', 'secrets.AUTH_ENCRYPTION_SECRET=encryption-secret-0123456789', 'secrets.BASIC_AUTH_PASSWORD=s3cret-basic-password'];

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, any>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function helm(args: string[]): { status: number; out: string } {
  const r = spawnSync(HELM, args, { encoding: 'utf8' });
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

/** `helm template` with the given --set values; fails the test on a rendering error. */
function render(...sets: string[]): Manifest[] {
  const r = helm(['template', 'gw', CHART, '--namespace', 'ai', ...[...SECRETS, ...sets].flatMap((s) => ['--set', s])]);
  if (r.status !== 0) throw new Error(r.out);
  return parseAllDocuments(r.out)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => !!m);
}

const find = (ms: Manifest[], kind: string, name?: string) => ms.filter((m) => m.kind === kind && (!name || m.metadata.name === name));
const KNOWN_ENV = new Set(Object.keys(new EnvironmentVariables()));

describe('deployment artifacts', () => {
  describe('Helm chart', () => {
    it('lints, and refuses to render without the secrets', () => {
      const lint = helm(['lint', CHART, ...SECRETS.flatMap((s) => ['--set', s])]);
      expect([lint.status, lint.out]).toEqual([0, expect.stringContaining('0 chart(s) failed')]);
      const missing = helm(['template', 'gw', CHART]);
      expect(missing.status).not.toBe(0);
      expect(missing.out).toMatch(/secrets\.JWT_SECRET_KEY is required/);
      const short = helm(['template', 'gw', CHART, '--set', 'secrets.JWT_SECRET_KEY=short', '--set', 'secrets.AUTH_ENCRYPTION_SECRET=x', '--set', 'secrets.BASIC_AUTH_PASSWORD=y']);
      expect(short.out).toMatch(/at least 32 characters/);
      // The gateway refuses a short or default Basic password outside development: the chart refuses to render it.
      for (const password of ['changeme', 'short-pass']) {
        const weak = helm(['template', 'gw', CHART, ...SECRETS.slice(0, 2).flatMap((s) => ['--set', s]), '--set', `secrets.BASIC_AUTH_PASSWORD=${password}`]);
        expect([weak.status, weak.out]).toEqual([1, expect.stringMatching(/BASIC_AUTH_PASSWORD must be at least 12 characters/)]);
      }
    });

    it('runs the gateway with probes on /health and /ready, hardened, with its settings from a ConfigMap and a Secret', () => {
      const ms = render();
      const [deployment] = find(ms, 'Deployment', 'gw-mcp-gateway');
      const pod = deployment.spec!.template.spec;
      const [container] = pod.containers;
      expect(deployment.spec!.replicas).toBe(2);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container.ports).toEqual([{ name: 'http', containerPort: 4444, protocol: 'TCP' }]);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(container.env).toContainEqual({ name: 'REPLICA_URL', value: 'http://$(POD_IP):4444' });
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'gw-mcp-gateway' } }, { secretRef: { name: 'gw-mcp-gateway-secrets' } }]);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Number(find(ms, 'ConfigMap')[0].data!.SHUTDOWN_GRACE_PERIOD));

      // Every variable the chart sets is one the gateway reads; secrets never sit in the ConfigMap.
      const [config] = find(ms, 'ConfigMap', 'gw-mcp-gateway');
      const [secret] = find(ms, 'Secret', 'gw-mcp-gateway-secrets');
      for (const key of [...Object.keys(config.data!), ...Object.keys(secret.stringData!)]) expect([key, KNOWN_ENV.has(key)]).toEqual([key, true]);
      expect(Object.keys(config.data!)).not.toEqual(expect.arrayContaining(['JWT_SECRET_KEY']));
      expect(Object.keys(secret.stringData!).sort()).toEqual(['AUTH_ENCRYPTION_SECRET', 'BASIC_AUTH_PASSWORD', 'DATABASE_URL', 'JWT_SECRET_KEY', 'REDIS_URL']);
      expect(config.data).toMatchObject({ HOST: '0.0.0.0', PORT: '4444', ENVIRONMENT: 'production', CACHE_TYPE: 'redis', TRUST_PROXY: 'loopback,uniquelocal' });
      // Config changes roll the pods.
      expect(deployment.spec!.template.metadata.annotations).toHaveProperty('checksum/config');
    });

    it('bundles PostgreSQL and Redis by default, with one generated password shared by the database and DATABASE_URL', () => {
      const ms = render();
      const [pgSecret] = find(ms, 'Secret', 'gw-mcp-gateway-postgresql');
      const password = pgSecret.stringData!.password;
      expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
      const [secret] = find(ms, 'Secret', 'gw-mcp-gateway-secrets');
      expect(secret.stringData!.DATABASE_URL).toBe(`postgresql://mcpgateway:${password}@gw-mcp-gateway-postgresql:5432/mcpgateway`);
      expect(secret.stringData!.REDIS_URL).toBe('redis://gw-mcp-gateway-redis:6379/0');
      expect(find(ms, 'StatefulSet', 'gw-mcp-gateway-postgresql')).toHaveLength(1);
      expect(find(ms, 'Deployment', 'gw-mcp-gateway-redis')).toHaveLength(1);
      // The Service selects gateway pods only (not PostgreSQL, Redis or the migration job).
      const [service] = find(ms, 'Service', 'gw-mcp-gateway');
      expect(service.spec!.selector).toEqual({ 'app.kubernetes.io/name': 'mcp-gateway', 'app.kubernetes.io/instance': 'gw', 'app.kubernetes.io/component': 'gateway' });
    });

    it('uses external services and an existing Secret when given, and scales with an HPA', () => {
      const ms = render('database.url=postgresql://u:p@db.internal:5432/gw', 'redis.url=rediss://cache.internal:6380/0', 'autoscaling.enabled=true');
      expect(find(ms, 'StatefulSet')).toHaveLength(0);
      expect(find(ms, 'Deployment').map((d) => d.metadata.name)).toEqual(['gw-mcp-gateway']);
      const [secret] = find(ms, 'Secret', 'gw-mcp-gateway-secrets');
      expect(secret.stringData).toMatchObject({ DATABASE_URL: 'postgresql://u:p@db.internal:5432/gw', REDIS_URL: 'rediss://cache.internal:6380/0' });
      const [hpa] = find(ms, 'HorizontalPodAutoscaler');
      expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'gw-mcp-gateway' } });
      expect(find(ms, 'Deployment', 'gw-mcp-gateway')[0].spec!.replicas).toBeUndefined();

      const existing = render('secrets.existingSecret=my-gw-secrets', 'database.url=postgresql://u:p@db/gw');
      expect(find(existing, 'Secret', 'gw-mcp-gateway-secrets')).toHaveLength(0);
      expect(find(existing, 'Deployment', 'gw-mcp-gateway')[0].spec!.template.spec.containers[0].envFrom[1]).toEqual({ secretRef: { name: 'my-gw-secrets' } });
    });

    it('migrates in a pre-upgrade Job that the Service does not select, and renders the optional objects', () => {
      const ms = render('ingress.enabled=true', 'serviceMonitor.enabled=true', 'serviceMonitor.bearerTokenSecret.name=scrape', 'networkPolicy.enabled=true');
      const [job] = find(ms, 'Job');
      expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-upgrade' });
      expect(job.spec!.template.spec.containers[0].command).toEqual(['node', 'dist/src/cli/migrate.js', 'up']);
      expect(job.spec!.template.metadata.labels['app.kubernetes.io/component']).toBe('migrate');
      expect(find(ms, 'Ingress')[0].spec!.rules[0].http.paths[0].backend).toEqual({ service: { name: 'gw-mcp-gateway', port: { name: 'http' } } });
      expect(find(ms, 'ServiceMonitor')[0].spec!.endpoints[0]).toMatchObject({ path: '/metrics', port: 'http', authorization: { credentials: { name: 'scrape', key: 'token' } } });
      expect(find(ms, 'NetworkPolicy')).toHaveLength(1);
      expect(find(render('database.migrationJob=false'), 'Job')).toHaveLength(0);
    });

    describe('ALLOWED_HOSTS (DNS-rebinding protection)', () => {
      const allowedHosts = (...sets: string[]) => find(render(...sets), 'ConfigMap')[0].data?.ALLOWED_HOSTS;
      const inCluster = ['localhost', '127.0.0.1', 'gw-mcp-gateway', 'gw-mcp-gateway.ai', 'gw-mcp-gateway.ai.svc', 'gw-mcp-gateway.ai.svc.cluster.local'];

      it('allows the Service names in the cluster and localhost (port-forward) by default', () => {
        expect(allowedHosts()?.split(',')).toEqual(inCluster);
      });

      it('adds the ingress hosts and allowedHosts from values', () => {
        const hosts = allowedHosts(
          'ingress.enabled=true',
          'ingress.hosts[0].host=mcp.acme.io',
          'ingress.hosts[0].paths[0].path=/',
          'ingress.hosts[0].paths[0].pathType=Prefix',
          'ingress.hosts[1].host=tools.acme.io',
          'ingress.hosts[1].paths[0].path=/',
          'ingress.hosts[1].paths[0].pathType=Prefix',
          'allowedHosts={gw.internal,mcp.acme.io}',
        );
        expect(hosts?.split(',')).toEqual([...inCluster, 'mcp.acme.io', 'tools.acme.io', 'gw.internal']);
      });

      it('leaves the ingress hosts out while the ingress is disabled, and lets config.ALLOWED_HOSTS replace it all', () => {
        expect(allowedHosts('ingress.hosts[0].host=mcp.acme.io')?.split(',')).toEqual(inCluster);
        expect(allowedHosts('config.ALLOWED_HOSTS=*')).toBe('*');
      });
    });
  });

  describe('Dockerfile', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

    it('copies only paths that exist, runs as an unprivileged user, and health-checks /health', () => {
      const sources = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
      expect(sources.length).toBeGreaterThan(5);
      for (const path of sources) expect([path, existsSync(join(ROOT, path))]).toEqual([path, true]);
      expect(dockerfile).toMatch(/^USER node$/m);
      expect(dockerfile).toMatch(/^EXPOSE 4444$/m);
      expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
      expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
      // Every bin of the package is on the image's PATH.
      const bins = Object.values((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin);
      for (const bin of bins) expect(dockerfile).toContain(`/app/${bin}`);
    });
  });
});
