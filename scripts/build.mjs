#!/usr/bin/env node
// `npm run build`: type-checks and compiles TypeScript to dist/, then builds the admin UI's assets (public/build/).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const assets = spawnSync(process.execPath, [join(root, 'scripts/build-assets.mjs')], { cwd: root, stdio: 'inherit' });
process.exit(assets.status ?? 1);
