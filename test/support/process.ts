import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'src', 'main.js');

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves once it exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts the built gateway (`dist/src/main.js`, compiled by `npm test` before Jest runs) as a child process on
 * 127.0.0.1 and a free port, and resolves once it logs its URL.
 */
export function spawnGateway(env: Record<string, string>, options: { cwd?: string; timeoutMs?: number } = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', ENVIRONMENT: 'development', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SSRF_ALLOW_LOCALHOST: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const stop = () => stopChild(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`gateway did not start in time:\n${out}`));
    }, options.timeoutMs ?? 20000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, output: () => out, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
}
