import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../support/process';

const HELM = join(ROOT, 'node_modules', '.bin', 'helm');
const CHART = join(ROOT, 'helm', 'mcp-gateway');
const SECRETS = ['secrets.JWT_SECRET_KEY=0123456789abcdef0123456789abcdef-jwt', 'secrets.AUTH_ENCRYPTION_SECRET=encryption-secret-0123456789', 'secrets.BASIC_AUTH_PASSWORD=s3cret'];

/** ALLOWED_HOSTS in the ConfigMap `helm template` renders with these --set values. */
function allowedHosts(...sets: string[]): string | undefined {
  const r = spawnSync(HELM, ['template', 'gw', CHART, '--namespace', 'ai', ...[...SECRETS, ...sets].flatMap((s) => ['--set', s])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${r.stdout}${r.stderr}`);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; data?: Record<string, string> } | null);
  return docs.find((m) => m?.kind === 'ConfigMap')?.data?.ALLOWED_HOSTS;
}

describe('Helm chart: ALLOWED_HOSTS', () => {
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
