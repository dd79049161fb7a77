/**
 * The reference gateway's `jsonpath_filter` is jq-like (`.items[].name`); this gateway evaluates JSONPath. The
 * simple jq paths translate exactly: `.a.b` → `$.a.b`, `.a[]` → `$.a[*]`, `.a[0]` → `$.a[0]`, `.["k"]` / `."k"` →
 * `$['k']`, `.` → `$`, and pipes between paths (`.a | .b` → `$.a.b`). Anything else of jq (select, map, `..`,
 * slices, functions) is not translated.
 */

/** One jq path step: `.name`, `."key"`, `[]`, `[N]`, `["key"]`, a pipe, or a bare `.`. */
const STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|\.("(?:[^"\\]|\\.)*")|(\[\])|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\s*\|\s*)|(\.)(?![.A-Za-z_"])/y;

const EXAMPLES = 'JSONPath such as `$.items[*].name` or `$.items[?(@.qty > 0)].name`';

/** The JSONPath equivalent of a simple jq path; throws an Error whose message suggests JSONPath otherwise. */
export function jqToJsonPath(filter: string): string {
  const jq = filter.trim();
  let out = '$';
  let pos = 0;
  let pathStart = true; // at the start of the filter or after a pipe: the next step must begin with `.`
  while (pos < jq.length) {
    STEP.lastIndex = pos;
    const m = STEP.exec(jq);
    const dotted = m && (m[1] !== undefined || m[2] !== undefined || m[7] !== undefined);
    if (!m || (pathStart && !dotted) || (m[7] !== undefined && !pathStart)) {
      const done = pos > 0 ? ` (the part before it, \`${jq.slice(0, pos)}\`, is \`${out}\` in JSONPath)` : '';
      throw new Error(`\`${jq}\` is jq beyond simple paths (.a.b, .a[], .a[0], .["key"]) at \`${jq.slice(pos)}\`${done}: write ${EXAMPLES}`);
    }
    pos = STEP.lastIndex;
    if (m[6] !== undefined) {
      pathStart = true;
      continue;
    }
    pathStart = false;
    const quoted = m[2] ?? m[5];
    if (m[1] !== undefined) out += `.${m[1]}`;
    else if (quoted !== undefined) out += `['${quotedKey(quoted, jq)}']`;
    else if (m[3] !== undefined) out += '[*]';
    else if (m[4] !== undefined) out += `[${m[4]}]`;
  }
  if (pathStart) throw new Error(`\`${jq}\` ends with a pipe: write ${EXAMPLES}`);
  return out;
}

/** The key of a quoted jq step, if JSONPath's bracket notation can hold it. */
function quotedKey(quoted: string, jq: string): string {
  const key = JSON.parse(quoted) as string;
  if (/['\]\\]/.test(key)) throw new Error(`\`${jq}\`: the key ${quoted} cannot be written in JSONPath bracket notation (it has ', ] or \\)`);
  return key;
}
