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
