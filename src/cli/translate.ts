#!/usr/bin/env node
/**
 * mcpgateway-translate: runs a stdio MCP server and exposes it over Streamable HTTP (/mcp) and legacy SSE
 * (/sse + /message) so the gateway (or any remote client) can use it as a peer.
 *
 *   mcpgateway-translate --stdio "npx -y @modelcontextprotocol/server-everything" [--port 8000] [--host 127.0.0.1]
 *                        [--cwd DIR] [--keep-alive SECONDS]
 *
 * The command is split into arguments like a shell would (quotes respected) but run without a shell. One child
 * process serves every HTTP session: requests are relayed with their own ids and progress goes back to the caller.
 * stdio cannot say which call a server-to-client request (sampling, elicitation, roots) or a log message belongs
 * to, so the bridge sends it to the session with the most recent call still in progress (on that call's stream),
 * for a request the most recent such session whose client offers the feature; when no call is in progress, a
 * request goes to the most recent session whose client offers the feature and a notification to every session.
 * GET /healthz answers 200 while the child runs; the bridge exits when the child does.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest, type JSONRPCRequest, type Notification, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ProgressRelay } from '../common/mcp/progress-relay';
import { PACKAGE } from '../common/package-info';
import { LegacySseTransport } from '../modules/transports/sse/legacy-sse.transport';

/** Splits a command line into arguments: whitespace separates, single and double quotes group, `\` escapes. */
export function splitCommand(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started || current) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new Error('unbalanced quote in --stdio command');
  if (started || current) args.push(current);
  return args;
}

/** The client capability a server-to-client request needs. */
const FEATURE_OF: Record<string, 'sampling' | 'elicitation' | 'roots'> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** A request from an HTTP session that the child is working on. */
export interface InFlight {
  server: Pick<Server, 'getClientCapabilities'>;
  requestId: string | number;
  method: string;
}

/**
 * Where the child's server-to-client request `method` goes: the most recent call in progress whose client offers the
 * feature, else the most recent session (`recent`, newest first) whose client does; undefined when none does.
 */
export function requestTarget<S extends Pick<Server, 'getClientCapabilities'>>(
  method: string,
  inflight: Array<InFlight & { server: S }>,
  recent: S[],
): { server: S; requestId?: string | number } | undefined {
  const feature = FEATURE_OF[method];
  const offers = (s: S) => !feature || !!s.getClientCapabilities()?.[feature];
  const call = inflight.findLast((c) => offers(c.server));
  if (call) return { server: call.server, requestId: call.requestId };
  const session = recent.find(offers);
  return session && { server: session };
}

/**
 * Where the child's notification goes: a log message to the most recent call in progress (list requests aside: they
 * log nothing a user asked for), undefined otherwise, meaning every session.
 */
export function notificationTarget<T extends InFlight>(method: string, inflight: T[]): T | undefined {
  if (method !== 'notifications/message') return undefined;
  return inflight.findLast((c) => !c.method.endsWith('/list'));
}

interface Options {
  stdio: string;
  port: number;
  host: string;
  cwd?: string;
  keepAliveMs: number;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stdio = get('stdio');
  if (!stdio) throw new Error('--stdio "<command>" is required');
  return {
    stdio,
    port: Number(get('port') ?? 8000),
    host: get('host') ?? '127.0.0.1',
    cwd: get('cwd'),
    keepAliveMs: Number(get('keep-alive') ?? 30) * 1000,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const [command, ...args] = splitCommand(options.stdio);
  const log = (msg: string) => process.stderr.write(`[mcpgateway-translate] ${msg}\n`);

  const child = new Client({ name: 'mcpgateway-translate', version: PACKAGE.version }, { capabilities: { sampling: {}, elicitation: {}, roots: {} } });
  const progress = new ProgressRelay('bridge');
  progress.attach(child);
  const childTransport = new StdioClientTransport({ command, args, cwd: options.cwd, stderr: 'inherit' });
  await child.connect(childTransport);
  const capabilities = child.getServerCapabilities() ?? {};
  const serverInfo = child.getServerVersion() ?? { name: command, version: '0' };

  const sessions = new Map<string, { server: Server; transport: Transport & { handleRequest?: unknown } }>();
  /** Initialized sessions, most recent first. */
  const recent: Server[] = [];
  /** Requests the child is working on, oldest first. */
  const inflight: Array<InFlight & { server: Server }> = [];

  /** An SDK server for one HTTP session whose every request is relayed to the child. */
  const serverFor = (): Server => {
    const server = new Server(serverInfo, { capabilities });
    server.fallbackRequestHandler = async (request: JSONRPCRequest, extra) => {
      const token = request.params?._meta?.progressToken;
      const relayed: Array<Promise<unknown>> = [];
      const route = progress.open((p) => {
        if (token !== undefined) relayed.push(extra.sendNotification({ method: 'notifications/progress', params: { ...p, progressToken: token } } as never).catch(() => undefined));
      });
      const params = token === undefined ? request.params : { ...request.params, _meta: { ...request.params?._meta, progressToken: route.token } };
      const call: InFlight & { server: Server } = { server, requestId: request.id, method: request.method };
      inflight.push(call);
      try {
        // The caller (usually the gateway) enforces its own timeout.
        const result = await child.request({ method: request.method, params } as never, z.any(), { signal: extra.signal, timeout: 2 ** 31 - 1 });
        await Promise.all(relayed); // the caller sees every progress notification before the result
        return result;
      } finally {
        inflight.splice(inflight.indexOf(call), 1);
        route.close();
      }
    };
    if (capabilities.logging) server.setRequestHandler(SetLevelRequestSchema, (req) => child.setLoggingLevel(req.params.level));
    server.oninitialized = () => recent.unshift(server);
    server.onclose = () => {
      if (recent.includes(server)) recent.splice(recent.indexOf(server), 1);
    };
    return server;
  };

  child.fallbackNotificationHandler = async (notification: Notification) => {
    const call = notificationTarget(notification.method, inflight);
    if (call) return call.server.notification(notification as never, { relatedRequestId: call.requestId }).catch(() => undefined);
    await Promise.allSettled(recent.map((s) => s.notification(notification as never)));
  };
  child.fallbackRequestHandler = async (request: JSONRPCRequest, extra) => {
    const target = requestTarget(request.method, inflight, recent);
    if (!target) throw new Error(`no connected client offers what ${request.method} needs`);
    return target.server.request({ method: request.method, params: request.params } as never, z.any(), {
      signal: extra.signal,
      ...(target.requestId !== undefined ? { relatedRequestId: target.requestId } : {}),
    });
  };
  childTransport.onclose = () => {
    log('the stdio server exited');
    process.exit(1);
  };

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (url.pathname === '/mcp' || url.pathname === '/mcp/') {
        const sid = req.headers['mcp-session-id'];
        const existing = typeof sid === 'string' ? sessions.get(sid) : undefined;
        if (existing) return (existing.transport as StreamableHTTPServerTransport).handleRequest(req, res);
        if (sid) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
        const body = await readJson(req);
        if (req.method !== 'POST' || !isInitializeRequest(body)) {
          return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: initialize first' } }));
        }
        const server = serverFor();
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          keepAliveMs: options.keepAliveMs,
          onsessioninitialized: (id) => void sessions.set(id, { server, transport }),
          onsessionclosed: (id) => void sessions.delete(id),
        });
        transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
        await server.connect(transport);
        return transport.handleRequest(req, res, body);
      }
      if (url.pathname === '/sse' && req.method === 'GET') {
        const id = randomUUID();
        const transport = new LegacySseTransport(id, res, `/message?session_id=${id}`, options.keepAliveMs);
        const server = serverFor();
        sessions.set(id, { server, transport });
        transport.onclose = () => sessions.delete(id);
        return server.connect(transport);
      }
      if (url.pathname === '/message' && req.method === 'POST') {
        const id = url.searchParams.get('session_id') ?? url.searchParams.get('sessionId') ?? '';
        const session = sessions.get(id);
        if (!session || !(session.transport instanceof LegacySseTransport)) return void res.writeHead(404).end('Session not found');
        try {
          session.transport.receive(await readJson(req));
        } catch (err) {
          return void res.writeHead(400).end((err as Error).message);
        }
        return void res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}');
      }
      res.writeHead(404).end();
    })().catch((err: Error) => {
      log(`request failed: ${err.message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  http.listen(options.port, options.host, () => {
    const { port } = http.address() as { port: number };
    log(`serving ${command} at http://${options.host}:${port}/mcp (Streamable HTTP) and /sse (SSE)`);
    console.log(`listening on http://${options.host}:${port}`);
  });
  const stop = () => {
    http.closeAllConnections();
    http.close();
    setTimeout(() => process.exit(0), 3000).unref(); // a stdio server that ignores its closed stdin
    void child.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : undefined);
      } catch (err) {
        reject(err);
      }
    });
  });
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`[mcpgateway-translate] ${err.message}\n`);
    process.exit(1);
  });
}
