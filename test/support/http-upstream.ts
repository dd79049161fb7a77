import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The client's port of the TCP connection the request came on (the same for requests on a kept-alive socket). */
  remotePort: number;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface HttpUpstream {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler (default: echo the request as JSON). */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** Echoes every request back as JSON: method, path, query, headers and parsed body. */
export const echo: Handler = (req, res) => {
  let body: unknown = req.body;
  try {
    body = req.body ? JSON.parse(req.body) : null;
  } catch {
    // keep the raw text
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ method: req.method, path: req.path, query: req.query, body, auth: req.headers.authorization ?? null }));
};

/** A real HTTP server on 127.0.0.1 and a free port that records what the gateway sends it. */
export async function startHttpUpstream(handler: Handler = echo): Promise<HttpUpstream> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort ?? 0,
      };
      requests.push(recorded);
      Promise.resolve(current(recorded, res)).catch((err: Error) => {
        res.writeHead(500);
        res.end(err.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => (current = h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it (for "upstream is down" tests). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
