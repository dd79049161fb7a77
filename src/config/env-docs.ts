import { envDocs, type EnvVarDoc } from './env.decorators';
import { EnvironmentVariables } from './environment';

export interface EnvVarInfo extends EnvVarDoc {
  name: string;
  default: string;
}

function show(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Every variable with its documentation and default, in declaration order. */
export function describeEnvironment(): EnvVarInfo[] {
  const defaults = new EnvironmentVariables() as unknown as Record<string, unknown>;
  const docs = envDocs(EnvironmentVariables.prototype);
  return Object.keys(defaults).map((name) => {
    const doc = docs.get(name);
    if (!doc) throw new Error(`${name} has no @EnvDoc`);
    return { name, ...doc, default: show(defaults[name]) };
  });
}

/** The content of `.env.example`. */
export function renderEnvExample(): string {
  const lines = ['# MCP Gateway configuration. Every variable is optional; the value shown is the default.', '# Generated from src/config/environment.ts by `npm run config:docs`.', ''];
  let group = '';
  for (const v of describeEnvironment()) {
    if (v.group !== group) {
      if (group) lines.push('');
      lines.push(`# ---- ${v.group} ----`);
      group = v.group;
    }
    lines.push(`# ${v.description}${v.sensitive ? ' (secret)' : ''}`);
    lines.push(`${v.name}=${v.default}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The README configuration table (between the CONFIG-TABLE markers). */
export function renderMarkdownTable(): string {
  const rows = describeEnvironment().map((v) => `| \`${v.name}\` | ${v.default === '' ? '_(empty)_' : `\`${v.default}\``} | ${v.description.replace(/\|/g, '\\|')}${v.sensitive ? ' **Secret.**' : ''} |`);
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
