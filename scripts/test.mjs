#!/usr/bin/env node
// `npm test`: starts the services the tests need, type-checks and builds, runs every Jest project,
// then prints one summary line "N passed, M failed" (read by CI) and exits non-zero on any failure.
// Extra arguments go to Jest, e.g. `npm test -- --selectProjects unit` or `npm test -- test/e2e/catalog`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-output');
const resultsFile = join(out, 'jest-results.json');
const jestArgs = process.argv.slice(2);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

function finish(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

mkdirSync(out, { recursive: true });
rmSync(resultsFile, { force: true });
rmSync(join(out, 'conformance'), { recursive: true, force: true });
rmSync(join(out, 'bad-input.txt'), { force: true });

for (const script of ['scripts/ensure-services.sh', 'scripts/ensure-chromium.sh']) {
  if (existsSync(join(root, script)) && run('bash', [script]) !== 0) console.error(`[test] ${script} failed; dependent tests will fail`);
}

console.log('[test] type-checking (sources and tests) and building');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
if (run(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json']) !== 0 || run(process.execPath, [join(root, 'scripts/build.mjs')]) !== 0) {
  console.error('[test] type-check or build failed');
  finish(0, 1);
}

const jestBin = join(root, 'node_modules/jest/bin/jest.js');
const status = run(process.execPath, [jestBin, '--ci', '--maxWorkers=2', '--json', `--outputFile=${resultsFile}`, ...jestArgs], {
  env: { ...process.env, NODE_ENV: 'test', FORCE_COLOR: '0' },
});

let passed = 0;
let failed = 0;
if (existsSync(resultsFile)) {
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = r.numPassedTests;
  // A suite that could not run (syntax error, failing beforeAll) counts as one failure.
  failed = r.numFailedTests + r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
}
if (status !== 0 && failed === 0) failed = 1;
for (const report of [join(out, 'conformance', 'summary.txt'), join(out, 'bad-input.txt')]) {
  if (existsSync(report)) process.stdout.write(readFileSync(report, 'utf8'));
}
finish(passed, failed);
