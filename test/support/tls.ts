import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Handler, RecordedRequest } from './http-upstream';

/** A throwaway certificate authority and a server certificate it signed (PEM). */
export interface TestPki {
  caCert: string;
  serverKey: string;
  serverCert: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/**
 * Creates a CA and a server certificate for `names` (IP addresses and DNS names) with the openssl CLI, in a temporary
 * directory that is removed before returning. P-256 keys, valid for a day.
 */
export function createTestPki(names: string[] = ['127.0.0.1', 'localhost']): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-pki-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=MCP Gateway test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`]);
    const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
    openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf']);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { caCert: read('ca.pem'), serverKey: read('server.key'), serverCert: read('server.pem') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HttpsServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

async function listen(server: Server, requests: RecordedRequest[]): Promise<HttpsServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An HTTPS server on 127.0.0.1 and a free port, presenting the PKI's server certificate, answering with `handler`. */
export function startHttpsUpstream(pki: TestPki, handler: Handler): Promise<HttpsServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://x');
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), remotePort: req.socket.remotePort ?? 0 };
      requests.push(recorded);
      void Promise.resolve(handler(recorded, res));
    });
  });
  return listen(server, requests);
}

/** TLS in front of a plain-HTTP server (e.g. the fixture MCP peer): every request is passed through to `target`. */
export function startTlsProxy(pki: TestPki, target: string): Promise<HttpsServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', query: {}, headers: req.headers, body: '', remotePort: req.socket.remotePort ?? 0 });
    const upstream = httpRequest(`${target}${req.url ?? '/'}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return listen(server, requests);
}
