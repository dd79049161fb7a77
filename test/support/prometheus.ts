import request from 'supertest';

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '(?:[^"\\\\\\n]|\\\\[\\\\"n])*';
const LABEL = `(${LABEL_NAME})="(${LABEL_VALUE})"`;
const PAIR = `${LABEL_NAME}="${LABEL_VALUE}"`;
// Prometheus parses values with Go's ParseFloat: NaN and Inf in any letter case (prom-client writes `Nan`).
const VALUE = '([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?[Ii][Nn][Ff]|[Nn][Aa][Nn])';
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(${PAIR}(?:,${PAIR})*,?)?\\})? ${VALUE}(?: -?\\d+)?$`);
const LABEL_PAIR = new RegExp(LABEL, 'g');
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help?: string;
  samples: Sample[];
}

/** A parsed scrape. */
export interface Scrape {
  families: Map<string, Family>;
  text: string;
  /** The value of the one series `name{labels...}` (labels may be a subset), 0 when absent. */
  value(name: string, labels?: Record<string, string>): number;
  /** Every series of `name` (a sample name, e.g. `x_bucket`), with its labels. */
  series(name: string): Sample[];
}

const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/**
 * Parses Prometheus text exposition format (0.0.4) strictly: every line is a HELP, a TYPE or a well-formed sample
 * of a declared family; each series appears once; histogram buckets are cumulative and end at +Inf = _count.
 */
export function parseExposition(text: string): Scrape {
  const families = new Map<string, Family>();
  const samples = new Map<string, Sample[]>();
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = HELP_LINE.exec(line);
    if (help) continue;
    const type = TYPE_LINE.exec(line);
    if (type) {
      if (families.has(type[1])) throw new Error(`family declared twice: ${type[1]}`);
      families.set(type[1], { name: type[1], type: type[2], samples: [] });
      continue;
    }
    if (line.startsWith('#')) throw new Error(`invalid comment line: ${line}`);
    const m = SAMPLE_LINE.exec(line);
    if (!m) throw new Error(`invalid sample line: ${line}`);
    const name = m[1];
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL_PAIR)) labels[k] = unescape(v);
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|count|sum|total|created)$/, ''));
    if (!family) throw new Error(`sample of an undeclared family: ${line}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series: ${line}`);
    seen.add(key);
    const raw = m[m.length - 1].toLowerCase();
    const sample = { name, labels, value: raw.endsWith('inf') ? (raw.startsWith('-') ? -Infinity : Infinity) : raw === 'nan' ? NaN : Number(raw) };
    family.samples.push(sample);
    samples.set(name, [...(samples.get(name) ?? []), sample]);
  }
  for (const f of families.values()) {
    if (f.type !== 'histogram') continue;
    const groups = new Map<string, Sample[]>();
    for (const s of f.samples.filter((x) => x.name === `${f.name}_bucket`)) {
      const { le: _le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const [key, buckets] of groups) {
      const sorted = buckets.map((b) => [b.labels.le === '+Inf' ? Infinity : Number(b.labels.le), b.value] as const).sort((a, b) => a[0] - b[0]);
      sorted.reduce((prev, [, v]) => {
        if (v < prev) throw new Error(`histogram ${f.name}${key} buckets are not cumulative`);
        return v;
      }, 0);
      const count = f.samples.find((s) => s.name === `${f.name}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key);
      if (sorted.at(-1)?.[0] !== Infinity || sorted.at(-1)?.[1] !== count?.value) throw new Error(`histogram ${f.name}${key} must end with +Inf = _count`);
    }
  }
  const matches = (have: Record<string, string>, want: Record<string, string>) => Object.entries(want).every(([k, v]) => have[k] === v);
  return {
    families,
    text,
    series: (name) => samples.get(name) ?? [],
    value(name, labels = {}) {
      const found = (samples.get(name) ?? []).filter((s) => matches(s.labels, labels));
      if (found.length > 1) throw new Error(`${name}${JSON.stringify(labels)} matches ${found.length} series`);
      return found[0]?.value ?? 0;
    },
  };
}

/** GETs `/metrics` (Prometheus content type) and parses it. */
export async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await request(baseUrl).get('/metrics').set(headers).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.text);
}
