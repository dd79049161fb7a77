#!/usr/bin/env node
// Benchmark (not a test): the gateway's per-call overhead and throughput for a REST tool, compared with calling the
// upstream directly. Starts a tiny upstream HTTP server and the *built* gateway (dist/src/main.js, run
// `node scripts/build.mjs` first) on a fresh SQLite database, registers one REST tool, then measures, at concurrency 1
// and 16:
//   direct  - POST to the upstream itself (undici, keep-alive): the baseline
//   rpc     - POST /rpc  {"method":"tools/call"}              (undici, keep-alive)
//   mcp     - tools/call over Streamable HTTP /mcp through ONE @modelcontextprotocol/sdk Client session
// and reports p50/p95/p99 latency (ms), calls/second and the gateway's resident memory (VmRSS) before and after.
//
// Usage: node scripts/bench-gateway.mjs [calls=2000] [--warmup N] [--concurrency 1,16] [--json-only]
// Exits non-zero if any call fails (HTTP error, JSON-RPC error or an isError tool result).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { setMaxListeners } from 'node:events';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { Agent, request } from 'undici';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOOL_NAME = 'bench_echo';

// ---- arguments ----
function parseArgs(argv) {
  const opts = { calls: 2000, warmup: undefined, concurrency: [1, 16], jsonOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--warmup') opts.warmup = positiveInt(next(), '--warmup', true);
    else if (a === '--concurrency') opts.concurrency = next().split(',').map((c) => positiveInt(c, '--concurrency'));
    else if (a === '--calls' || a === '-n') opts.calls = positiveInt(next(), '--calls');
    else if (a === '--json-only') opts.jsonOnly = true;
    else if (a === '--help' || a === '-h') {
      console.log('Usage: node scripts/bench-gateway.mjs [calls=2000] [--warmup N] [--concurrency 1,16] [--json-only]');
      process.exit(0);
    } else if (/^\d+$/.test(a)) opts.calls = positiveInt(a, 'calls');
    else throw new Error(`unknown argument: ${a}`);
  }
  opts.warmup ??= Math.min(500, Math.max(50, Math.round(opts.calls / 10)));
  return opts;
}

function positiveInt(v, name, allowZero = false) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`);
  return n;
}

// ---- helpers ----

function startUpstream() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let echo = null;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text) {
        try {
          echo = JSON.parse(text);
        } catch {
          echo = text;
        }
      }
      const body = JSON.stringify({ ok: true, echo });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

/** Resident memory of a process, from /proc (Linux): current (VmRSS) and peak (VmHWM), in MiB. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: round(kb('VmRSS') / 1024, 1), hwmMiB: round(kb('VmHWM') / 1024, 1) };
  } catch {
    return { rssMiB: NaN, hwmMiB: NaN };
  }
}

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/** Runs `call(i)` n times with `concurrency` workers; returns latency percentiles (ms) and calls/second. */
async function measure(call, n, concurrency) {
  const latencies = new Float64Array(n);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t0 = process.hrtime.bigint();
      await call(i);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1);
  return {
    p50: round(percentile(sorted, 50), 3),
    p95: round(percentile(sorted, 95), 3),
    p99: round(percentile(sorted, 99), 3),
    mean: round(mean, 3),
    max: round(sorted[sorted.length - 1] ?? NaN, 3),
    rps: round((n / wallMs) * 1000, 1),
  };
}

// ---- main ----
const cleanups = [];
let gatewayLog = '';
let cleaningUp;

function cleanup() {
  cleaningUp ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // best effort
      }
    }
  })();
  return cleaningUp;
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    interrupted = true;
    console.error(`bench-gateway: ${sig}, stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const load = loadavg().map((x) => round(x, 2));
  const entry = join(root, 'dist/src/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} not found: build first with \`node scripts/build.mjs\``);
  const log = opts.jsonOnly ? () => {} : (...a) => console.error(...a);

  // Upstream
  const upstream = await startUpstream();
  cleanups.push(() => new Promise((r) => {
    upstream.server.closeAllConnections?.();
    upstream.server.close(() => r());
  }));

  // Gateway (child process, fresh SQLite database in a temp dir)
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    ENVIRONMENT: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: `sqlite:///${dir}/bench.db`,
    AUTH_REQUIRED: 'false',
    SSRF_ALLOW_LOCALHOST: 'true',
    LOG_LEVEL: 'warn',
    LOG_REQUESTS: 'false',
    LOG_FORMAT: 'json',
    RATE_LIMITING_ENABLED: 'false',
    RATE_LIMIT_PER_MINUTE: '100000000',
    MAX_TOOL_CALLS_PER_MINUTE: '100000000',
    REDIS_URL: '',
    CACHE_TYPE: 'memory',
    OTEL_ENABLE_OBSERVABILITY: 'false',
    FEDERATION_DISCOVERY: 'false',
    FEDERATION_PEERS: '',
    NODE_ENV: 'production',
  };
  log(`starting gateway on ${gatewayUrl} (database ${dir}/bench.db)...`);
  const child = spawn(process.execPath, [entry], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keepLog = (chunk) => {
    gatewayLog = (gatewayLog + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keepLog);
  child.stderr.on('data', keepLog);
  let exited = null;
  const exitPromise = new Promise((r) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    r();
  }));
  cleanups.push(async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(timer);
  });

  // One keep-alive agent for the direct and /rpc calls (undici).
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
  cleanups.push(() => agent.close());

  const postJson = async (url, body) => {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new Error(`POST ${url} answered ${res.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };

  // Wait for /ready
  const readyDeadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`gateway exited during start-up (${JSON.stringify(exited)})`);
    try {
      const res = await request(`${gatewayUrl}/ready`, { dispatcher: agent });
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > readyDeadline) throw new Error('gateway not ready after 60 s');
    await sleep(100);
  }
  log('gateway ready');

  // Register the REST tool
  await postJson(`${gatewayUrl}/tools`, {
    name: TOOL_NAME,
    description: 'Benchmark echo',
    url: `${upstream.url}/echo`,
    requestType: 'POST',
    inputSchema: { type: 'object', properties: { n: { type: 'integer' }, msg: { type: 'string' } }, required: ['n'] },
  });

  // MCP session (one Client, one Streamable HTTP session for every call)
  const client = new Client({ name: 'bench', version: '1.0.0' }, { capabilities: {} });
  const transport = new StreamableHTTPClientTransport(new URL(`${gatewayUrl}/mcp`), {
    reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 100, reconnectionDelayGrowFactor: 1, maxRetries: 0 },
  });
  await client.connect(transport);
  // The transport passes one AbortSignal to every fetch, and fetch only drops its abort listener when the request is
  // garbage-collected, so thousands of calls on one session exceed fetch's limit of 1500 listeners and Node prints a
  // MaxListenersExceededWarning per call. That is a client-side artefact, not gateway behaviour: lift the limit
  // (`_abortController` is private to the SDK transport; skipped if it is ever renamed).
  const sessionSignal = transport._abortController?.signal;
  if (sessionSignal) setMaxListeners(0, sessionSignal);
  cleanups.push(() => client.close());
  const listed = await client.listTools();
  const mcpName = listed.tools.find((t) => t.name === TOOL_NAME || t.name.endsWith(TOOL_NAME))?.name;
  if (!mcpName) throw new Error(`tool ${TOOL_NAME} not listed over /mcp: ${listed.tools.map((t) => t.name).join(', ')}`);

  // The three call paths. Each validates its answer, so a broken path fails the benchmark instead of looking fast.
  const args = (i) => ({ n: i, msg: 'hello' });
  const checkEcho = (text, i, via) => {
    const parsed = JSON.parse(text);
    if (parsed?.ok !== true || parsed?.echo?.n !== i) throw new Error(`${via}: unexpected upstream answer ${text.slice(0, 200)}`);
  };
  const paths = {
    direct: async (i) => {
      const body = await postJson(`${upstream.url}/echo`, args(i));
      if (body.ok !== true || body.echo?.n !== i) throw new Error(`direct: unexpected answer ${JSON.stringify(body)}`);
    },
    rpc: async (i) => {
      const body = await postJson(`${gatewayUrl}/rpc`, { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: TOOL_NAME, arguments: args(i) } });
      if (body.error) throw new Error(`rpc: JSON-RPC error ${JSON.stringify(body.error)}`);
      if (body.result?.isError) throw new Error(`rpc: isError result ${JSON.stringify(body.result).slice(0, 300)}`);
      checkEcho(body.result.content[0].text, i, 'rpc');
    },
    mcp: async (i) => {
      const result = await client.callTool({ name: mcpName, arguments: args(i) });
      if (result.isError) throw new Error(`mcp: isError result ${JSON.stringify(result).slice(0, 300)}`);
      checkEcho(result.content[0].text, i, 'mcp');
    },
  };

  // Sanity: one call through each path before measuring.
  for (const fn of Object.values(paths)) await fn(0);

  const memStart = memoryOf(child.pid);
  log(`gateway pid ${child.pid}, VmRSS ${memStart.rssMiB} MiB before warm-up`);
  log(`warm-up: ${opts.warmup} calls per path...`);
  for (const [name, fn] of Object.entries(paths)) if (opts.warmup > 0) await measure(fn, opts.warmup, Math.max(...opts.concurrency)).catch((e) => {
    throw new Error(`warm-up ${name}: ${e.message}`);
  });
  const memBefore = memoryOf(child.pid);

  const results = [];
  for (const concurrency of opts.concurrency) {
    for (const [name, fn] of Object.entries(paths)) {
      log(`measuring ${name} at concurrency ${concurrency} (${opts.calls} calls)...`);
      const r = await measure(fn, opts.calls, concurrency);
      results.push({ path: name, concurrency, ...r });
      if (exited) throw new Error(`gateway exited during the benchmark (${JSON.stringify(exited)})`);
    }
  }
  const memAfter = memoryOf(child.pid);

  // Report
  const overhead = {};
  for (const concurrency of opts.concurrency) {
    const direct = results.find((r) => r.path === 'direct' && r.concurrency === concurrency);
    for (const path of ['rpc', 'mcp']) {
      const r = results.find((x) => x.path === path && x.concurrency === concurrency);
      overhead[`${path}_c${concurrency}_p50_ms`] = round(r.p50 - direct.p50, 3);
    }
  }
  if (!opts.jsonOnly) {
    const header = ['path', 'conc', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms', 'max ms', 'calls/s'];
    const rows = results.map((r) => [r.path, r.concurrency, r.p50.toFixed(3), r.p95.toFixed(3), r.p99.toFixed(3), r.mean.toFixed(3), r.max.toFixed(2), r.rps.toFixed(1)].map(String));
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
    const line = (cells) => cells.map((cell, c) => (c < 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    console.log('');
    console.log(`MCP Gateway benchmark: ${opts.calls} calls per row after ${opts.warmup} warm-up calls per path; ${availableParallelism()} CPUs (load average ${load.join(' ')} at start); node ${process.version}`);
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) console.log(line(row));
    console.log('');
    console.log(`gateway p50 overhead vs direct: ${Object.entries(overhead).map(([k, v]) => `${k.replace(/_p50_ms$/, '')} +${v} ms`).join(', ')}`);
    console.log(`gateway memory (VmRSS): ${memStart.rssMiB} MiB at start, ${memBefore.rssMiB} MiB after warm-up, ${memAfter.rssMiB} MiB after the benchmark (peak VmHWM ${memAfter.hwmMiB} MiB)`);
  }
  console.log(
    JSON.stringify({
      bench: 'gateway',
      calls: opts.calls,
      warmup: opts.warmup,
      cpus: availableParallelism(),
      loadavg: load,
      node: process.version,
      results,
      overheadP50Ms: overhead,
      rssMiB: { start: memStart.rssMiB, afterWarmup: memBefore.rssMiB, after: memAfter.rssMiB, peak: memAfter.hwmMiB },
    }),
  );
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  exitCode = interrupted ? 130 : 1;
  if (!interrupted) console.error(`bench-gateway failed: ${err?.stack ?? err}`);
  if (gatewayLog && !interrupted) console.error(`--- last gateway output ---\n${gatewayLog}`);
} finally {
  await cleanup();
}
process.exit(exitCode);
