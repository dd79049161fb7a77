import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEnvironment, renderEnvExample, renderMarkdownTable } from './env-docs';

const root = join(__dirname, '..', '..');

describe('configuration documentation', () => {
  it('documents every variable', () => {
    for (const v of describeEnvironment()) expect(v.description.length).toBeGreaterThan(10);
  });

  it('.env.example is up to date (run `npm run config:docs`)', () => {
    expect(readFileSync(join(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
  });

  it('the README configuration table is up to date (run `npm run config:docs`)', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(renderMarkdownTable());
  });
});
