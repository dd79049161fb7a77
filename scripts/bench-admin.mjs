#!/usr/bin/env node
// Benchmark of the admin UI's pages (not a test): seeds 5,000 tools into a fresh SQLite database, starts the built
// gateway (`npm run build` first), adds a virtual server exposing 1,000 of them, requests each page N times and
// reports the response time (p50/p95/max, measured by this client on 127.0.0.1) and the gateway's own figure from its
// Server-Timing header, then a Markdown table of the server times (README "Performance").
//   node scripts/bench-admin.mjs [--tools 5000] [--requests 50]
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './free-port.mjs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const TOOLS = arg('tools', 5000);
const REQUESTS = arg('requests', 50);
const main = join(root, 'dist', 'src', 'main.js');
if (!existsSync(main)) {
  console.error('dist/ not found: run `npm run build` first');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-admin-'));
const file = join(dir, 'bench.db');
const env = {
  PATH: process.env.PATH,
  ENVIRONMENT: 'production',
  HOST: '127.0.0.1',
  PORT: '0',
  DATABASE_URL: `sqlite:///${file}`,
  LOG_LEVEL: 'error',
  LOG_REQUESTS: 'false',
  JWT_SECRET_KEY: 'bench-secret-0123456789abcdef-0123456789abcdef',
  AUTH_ENCRYPTION_SECRET: 'bench-encryption-secret-0123456789',
  BASIC_AUTH_USER: 'admin',
  BASIC_AUTH_PASSWORD: 'bench-password-123',
};

// 1. Schema, then 5,000 tools in one transaction.
const migrate = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'migrate.js'), 'up'], { cwd: dir, env, encoding: 'utf8' });
if (migrate.status !== 0) {
  console.error(migrate.stdout, migrate.stderr);
  process.exit(1);
}
const db = new Database(file);
const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
const insert = db.prepare(`INSERT INTO tools (id, name, original_name, display_name, description, integration_type, request_type, url, input_schema,
  reachable, enabled, tags, created_at, created_by, created_via, modified_at, modified_by, modified_via, version)
  VALUES (@id, @name, @name, NULL, @description, 'REST', 'POST', @url, '{"type":"object","properties":{}}', 1, @enabled, @tags, @at, 'bench', 'import', @at, 'bench', 'import', 1)`);
const seed = db.transaction(() => {
  for (let i = 0; i < TOOLS; i++) {
    insert.run({
      id: randomUUID().replace(/-/g, ''),
      name: `tool_${String(i).padStart(5, '0')}`,
      description: `Benchmark tool number ${i}`,
      url: `https://api.example.com/tools/${i}`,
      enabled: i % 10 === 0 ? 0 : 1,
      tags: JSON.stringify([`group-${i % 20}`, i % 2 ? 'odd' : 'even']),
      at: now,
    });
  }
});
seed();
db.close();

// 2. The built gateway on that database, on a free port of 127.0.0.1.
const port = await freePort();
env.PORT = String(port);
const url = `http://127.0.0.1:${port}`;
const child = spawn(process.execPath, [main], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
child.stderr.on('data', (c) => (err += c.toString()));
for (let i = 0; ; i++) {
  if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${err}`);
  if (i > 300) throw new Error(`gateway did not start:\n${err}`);
  const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
  if (ok) break;
  await new Promise((r) => setTimeout(r, 100));
}

const auth = `Basic ${Buffer.from(`${env.BASIC_AUTH_USER}:${env.BASIC_AUTH_PASSWORD}`).toString('base64')}`;
const percentile = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const rows = [];

async function measure(label, path, options = {}) {
  const times = [];
  const server = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS + 3; i++) {
    const started = performance.now();
    const res = await fetch(`${url}${path}`, { method: options.method ?? 'GET', body: options.body, headers: { authorization: auth, ...(options.headers ?? {}) } });
    const body = await res.text();
    const elapsed = performance.now() - started;
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}\n${body.slice(0, 500)}`);
    if (i < 3) continue; // warm-up (template compilation, connection)
    times.push(elapsed);
    bytes = body.length;
    const m = /dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
    if (m) server.push(Number(m[1]));
  }
  times.sort((a, b) => a - b);
  server.sort((a, b) => a - b);
  const fmt = (n) => `${n.toFixed(1)} ms`;
  console.log(
    `${label.padEnd(52)} p50 ${fmt(percentile(times, 50))}  p95 ${fmt(percentile(times, 95))}  max ${fmt(times.at(-1))}` +
      `  (server p50 ${fmt(percentile(server, 50))}, p95 ${fmt(percentile(server, 95))})  ${(bytes / 1024).toFixed(0)} KiB`,
  );
  rows.push({ label, serverP50: percentile(server, 50), serverP95: percentile(server, 95), kib: bytes / 1024 });
  return percentile(server, 95);
}

async function api(method, path, body) {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

try {
  console.log(`${TOOLS} tools, ${REQUESTS} requests per page, gateway ${url}`);
  const some = await api('GET', `/tools?include_inactive=true&limit=${Math.min(1000, TOOLS)}`);
  const server = await api('POST', '/servers', { name: 'bench-desk', associatedTools: some.map((t) => t.id) });
  const tool = some[0];
  const page = await (await fetch(`${url}/admin/servers/${server.id}/edit`, { headers: { authorization: auth } })).text();
  const csrf = /"X-CSRF-Token": "([^"]+)"/.exec(page)[1];
  const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf, 'hx-request': 'true' };
  const chosen = new URLSearchParams(some.map((t) => ['associatedTools', t.id]));
  chosen.set('_search_associatedTools', 'tool_04');
  const results = [
    await measure('tools list, first page (full page)', '/admin/tools'),
    await measure('tools list, first page (htmx fragment)', '/admin/tools', { headers: { 'hx-request': 'true', 'hx-target': 'list' } }),
    await measure('tools list, page 100 sorted by modified desc', '/admin/tools?sort=modifiedAt&order=desc&page=100'),
    await measure('tools list, search + tag filter', '/admin/tools?search=tool_01&tag=odd'),
    await measure('tools list, local tools only (source filter)', '/admin/tools?gateway=local'),
    await measure('tool detail (with its metrics)', `/admin/tools/${tool.id}`),
    await measure('tool edit form', `/admin/tools/${tool.id}/edit`),
    await measure('new virtual server form (pickers)', '/admin/servers/new'),
    await measure('virtual server edit form, 1,000 tools chosen', `/admin/servers/${server.id}/edit`),
    await measure('picker search (htmx), 1,000 tools chosen', '/admin/servers/picker/tools', { method: 'POST', headers: form, body: chosen.toString() }),
    await measure('virtual server detail, 1,000 tools', `/admin/servers/${server.id}`),
    await measure('overview dashboard', '/admin'),
    await measure('metrics', '/admin/metrics'),
    await measure('audit log', '/admin/audit'),
    await measure(`tags (${TOOLS.toLocaleString('en-US')} tagged tools)`, '/admin/tags'),
  ];
  const worst = Math.max(...results);
  console.log(worst < 300 ? `OK: every server-time p95 under 300 ms (worst ${worst.toFixed(1)} ms)` : `SLOW: worst server-time p95 ${worst.toFixed(1)} ms (target 300 ms)`);
  console.log(`\n| Page (${TOOLS.toLocaleString('en')} tools) | Server p50 | Server p95 | Size |\n|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.label} | ${r.serverP50.toFixed(1)} ms | ${r.serverP95.toFixed(1)} ms | ${r.kib.toFixed(0)} KiB |`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
