#!/usr/bin/env node
// Builds the admin UI's static assets into public/build/ (gitignored): Tailwind CSS compiled from assets/admin/admin.css
// (scanning views/ and assets/admin/*.js for class names), plus local copies of htmx and the CSP build of Alpine.js,
// so the UI works air-gapped (no CDN). Called by scripts/build.mjs; the browser tests call it too.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'build');
mkdirSync(out, { recursive: true });

const cli = join(root, 'node_modules', '@tailwindcss', 'cli', 'dist', 'index.mjs');
const css = spawnSync(process.execPath, [cli, '-i', join(root, 'assets', 'admin', 'admin.css'), '-o', join(out, 'admin.css'), '--minify'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'pipe'],
  encoding: 'utf8',
});
if (css.status !== 0) {
  process.stderr.write(css.stderr);
  process.exit(css.status ?? 1);
}

const copies = [
  [join(root, 'node_modules', 'htmx.org', 'dist', 'htmx.min.js'), 'htmx.min.js'],
  [join(root, 'node_modules', '@alpinejs', 'csp', 'dist', 'cdn.min.js'), 'alpine-csp.min.js'],
];
for (const [from, name] of copies) copyFileSync(from, join(out, name));
for (const file of readdirSync(join(root, 'assets', 'admin'))) {
  if (file.endsWith('.js')) copyFileSync(join(root, 'assets', 'admin', file), join(out, file));
}
