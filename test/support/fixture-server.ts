import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, stopChild } from './process';

const SCRIPT = join(ROOT, 'test', 'fixtures', 'everything-server.mjs');

/** What the fixture has seen (see test/fixtures/everything-server.mjs). */
export interface FixtureStats {
  sessions: number;
  calls: number;
  initializes: number;
  openSessions: number;
  /** The level of the last logging/setLevel request, if any. */
  logLevel: string | null;
  /** completion/complete requests received, oldest first. */
  completions: Array<{ ref: { type: string; name?: string; uri?: string }; argument: { name: string; value: string } }>;
  /** The X-Request-ID header of each tools/call, oldest first. */
  requestIds: Array<{ tool: string; requestId: string | null }>;
  /** Every ping, with the calling client's clientInfo.name and the time (ms since the epoch). */
  pings: Array<{ client: string | null; at: number }>;
}

export interface FixtureServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  mcpUrl: string;
  sseUrl: string;
  /** Kills the process (SIGKILL: as abrupt as a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  /** Calls an admin route of the fixture (add a tool or resource, touch a resource, read stats). */
  admin(path: 'tools' | 'resources' | 'touch' | 'stats', body?: unknown): Promise<FixtureStats>;
  stop(): Promise<void>;
}

function launch(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture did not start within 45 s:\n${out}`)), 45000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fixture exited with ${code}:\n${out}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** The SDK-built fixture MCP server (test/fixtures/everything-server.mjs) as its own process on 127.0.0.1. */
export async function startFixture(options: { name?: string; token?: string } = {}): Promise<FixtureServer> {
  const extra = [...(options.name ? ['--name', options.name] : []), ...(options.token ? ['--token', options.token] : [])];
  let { child, url } = await launch(['--port', '0', ...extra]);
  const port = Number(new URL(url).port);
  const fixture: FixtureServer = {
    url,
    port,
    mcpUrl: `${url}/mcp`,
    sseUrl: `${url}/sse`,
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    restart: async () => {
      ({ child } = await launch(['--port', String(port), ...extra]));
    },
    admin: async (path, body) => {
      const res = await fetch(`${url}/admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      return res.json() as never;
    },
    stop: () => stopChild(child),
  };
  return fixture;
}
