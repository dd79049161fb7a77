/** `{name}` placeholders of an argv template element. */
const PLACEHOLDER = /\{([A-Za-z0-9_][A-Za-z0-9_.-]*)\}/g;

/** The argument names an argv template element refers to. */
export function argvPlaceholders(element: string): string[] {
  return [...element.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Renders a CLI tool's argv from its template. Every template element yields at most one argv element: its
 * `{name}` placeholders are replaced by the argument values verbatim (strings as they are, anything else as
 * JSON), so a value can never split into several arguments or be interpreted by a shell (none is involved).
 * An element that refers to an argument the call did not give (undefined or null) is left out entirely; put a
 * flag and its value in one element (`--limit={limit}`) so an optional one disappears as a whole.
 */
export function renderArgv(template: string[], args: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const element of template) {
    const names = argvPlaceholders(element);
    if (names.some((n) => args[n] === undefined || args[n] === null)) continue;
    argv.push(element.replace(PLACEHOLDER, (_m, name: string) => text(args[name])));
  }
  return argv;
}

/**
 * The input schema of a CLI tool created without one: a string property per placeholder of its argv template,
 * none required (an element whose argument is missing is left out), and nothing else accepted.
 */
export function generatedCliSchema(template: string[]): Record<string, unknown> {
  const names = [...new Set(template.flatMap(argvPlaceholders))];
  return { type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])), additionalProperties: false };
}

/** The first placeholder of an argv template that is not a property the input schema declares, with its element's index. */
export function undeclaredPlaceholder(template: string[], schema: Record<string, unknown>): { index: number; name: string } | undefined {
  const properties = schema.properties;
  const declared = typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
  for (const [index, element] of template.entries()) {
    const name = argvPlaceholders(element).find((n) => !declared.includes(n));
    if (name !== undefined) return { index, name };
  }
  return undefined;
}
