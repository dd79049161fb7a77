import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/process';

/**
 * `.ci/run` in a scratch copy of the repository's top level, with a stand-in `npm` first on PATH that records its
 * calls (a real install would take minutes): it installs when node_modules is missing or the lock file changed,
 * otherwise goes straight to `npm test`, and keeps its contract (last line `N passed, M failed`, non-zero on failure).
 */
describe('.ci/run', () => {
  let dir: string;
  let log: string;

  const FAKE_NPM = `#!/usr/bin/env bash
echo "$*" >> "$NPM_LOG"
if [ "$1" = install ]; then
  [ -n "\${FAIL_INSTALL:-}" ] && { echo "npm ERR! boom" >&2; exit 1; }
  mkdir -p node_modules
  exit 0
fi
if [ "$1" = test ]; then echo "3 passed, \${TEST_FAILURES:-0} failed"; [ "\${TEST_FAILURES:-0}" = 0 ]; exit $?; fi
exit 2
`;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ci-run-'));
    mkdirSync(join(dir, '.ci'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, '.ci/run'), join(dir, '.ci/run'));
    writeFileSync(join(dir, 'package.json'), '{"name":"x","dependencies":{"a":"1.0.0"}}\n');
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}\n');
    writeFileSync(join(dir, 'bin/npm'), FAKE_NPM);
    chmodSync(join(dir, 'bin/npm'), 0o755);
    log = join(dir, 'npm.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(env: Record<string, string> = {}) {
    const r = spawnSync('bash', [join(dir, '.ci/run')], {
      cwd: tmpdir(),
      encoding: 'utf8',
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, NPM_LOG: log, ...env },
    });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    rmSync(log, { force: true });
    return { status: r.status, lastLine: r.stdout.trim().split('\n').pop(), calls: calls.map((c) => c.split(' ')[0]) };
  }

  it('installs on a fresh clone, skips the install while the lock file is unchanged, reinstalls when it changes', () => {
    expect(run()).toEqual({ status: 0, lastLine: '3 passed, 0 failed', calls: ['install', 'test'] });
    expect(readFileSync(join(dir, 'node_modules/.lock-hash'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(run()).toEqual({ status: 0, lastLine: '3 passed, 0 failed', calls: ['test'] });
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"node_modules/b":{}}}\n');
    expect(run().calls).toEqual(['install', 'test']);
    expect(run().calls).toEqual(['test']);
    writeFileSync(join(dir, 'package.json'), '{"name":"x","dependencies":{"a":"1.0.0","b":"2.0.0"}}\n');
    expect(run().calls).toEqual(['install', 'test']);
  });

  it('reinstalls when node_modules exists without a record of the install (e.g. made by hand)', () => {
    mkdirSync(join(dir, 'node_modules'));
    expect(run().calls).toEqual(['install', 'test']);
  });

  it('reports a failed install as "0 passed, 1 failed" and exits non-zero, and passes test failures through', () => {
    expect(run({ FAIL_INSTALL: '1' })).toEqual({ status: 1, lastLine: '0 passed, 1 failed', calls: ['install'] });
    expect(existsSync(join(dir, 'node_modules/.lock-hash'))).toBe(false);
    expect(run({ TEST_FAILURES: '2' })).toEqual({ status: 1, lastLine: '3 passed, 2 failed', calls: ['install', 'test'] });
  });
});
