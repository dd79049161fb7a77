#!/usr/bin/env node
// Benchmark (not a test): how long the *built* gateway (dist/src/main.js, run `node scripts/build.mjs` first) takes
// from process start until it answers GET /health, on a fresh SQLite database, with REDIS_URL pointing at:
//   up      - a Redis server of its own (the baseline)
//   refused - a free port nobody listens on (connections are refused at once)
//   silent  - a TCP server that accepts connections and never answers (a hung Redis, or packets dropped)
// Each case runs `runs` times; the report gives every run and the median, in seconds.
//
// Usage: node scripts/bench-boot.mjs [runs=3] [--cases up,refused,silent] [--root DIR]
//   --root: the project directory holding the build to start (default: this one), e.g. a copy of an earlier build.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const cases = (option('--cases') ?? 'up,refused,silent').split(',');
const root = option('--root') ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'main.js');
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 3);

/** A Redis stand-in for one case; `close` releases it. */
async function redisFor(kind) {
  if (kind === 'refused') return { url: `redis://127.0.0.1:${await freePort()}/0`, close: async () => undefined };
  if (kind === 'silent') {
    const sockets = new Set();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `redis://127.0.0.1:${server.address().port}/0`,
      close: () => {
        for (const s of sockets) s.destroy();
        return new Promise((r) => server.close(r));
      },
    };
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await sleep(300);
  return {
    url: `redis://127.0.0.1:${port}/0`,
    close: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
  };
}

/** Seconds from spawning the gateway until /health answers. */
async function bootOnce(redisUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-boot-'));
  const port = await freePort();
  const env = {
    ...process.env,
    ENVIRONMENT: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: `sqlite:///${dir}/boot.db`,
    AUTH_REQUIRED: 'false',
    LOG_LEVEL: 'error',
    LOG_REQUESTS: 'false',
    REDIS_URL: redisUrl,
    CACHE_TYPE: 'memory',
    FEDERATION_DISCOVERY: 'false',
    FEDERATION_PEERS: '',
    NODE_ENV: 'production',
  };
  const started = performance.now();
  const child = spawn(process.execPath, [entry], { cwd: dir, env, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        await res.arrayBuffer();
        return (performance.now() - started) / 1000;
      } catch {
        if (performance.now() - started > 60_000) throw new Error('no answer after 60 s');
        await sleep(25);
      }
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const report = {};
for (const kind of cases) {
  const redis = await redisFor(kind);
  try {
    const times = [];
    for (let i = 0; i < runs; i++) times.push(Number((await bootOnce(redis.url)).toFixed(2)));
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    report[kind] = { runs: times, median };
    console.log(`${kind.padEnd(8)} median ${median.toFixed(2)} s   runs ${times.join(', ')}`);
  } finally {
    await redis.close();
  }
}
console.log(JSON.stringify(report));
