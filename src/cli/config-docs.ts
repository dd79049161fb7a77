#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvExample, renderMarkdownTable } from '../config/env-docs';

/** Regenerates `.env.example` and the README configuration table from the config schema. */
const root = join(__dirname, '..', '..', '..');
writeFileSync(join(root, '.env.example'), renderEnvExample());
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = '<!-- CONFIG-TABLE:START -->';
const end = '<!-- CONFIG-TABLE:END -->';
const i = readme.indexOf(start);
const j = readme.indexOf(end);
if (i < 0 || j < 0) throw new Error('README.md lacks the CONFIG-TABLE markers');
writeFileSync(readmePath, `${readme.slice(0, i + start.length)}\n${renderMarkdownTable()}\n${readme.slice(j)}`);
console.log('updated .env.example and the README configuration table');
