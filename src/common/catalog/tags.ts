/** Tags are short, lower-case labels: letters, digits and `_ . : / -`, at most 64 characters. */
export const TAG_PATTERN = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_.:/-]{0,63}$/u;
export const MAX_TAGS = 50;

export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, '-');
}

/** The text of one tag as given: a string, or the reference gateway's `{id, label}` object (its `id`, else its `label`). */
function tagText(tag: unknown): unknown {
  if (typeof tag !== 'object' || tag === null || Array.isArray(tag)) return tag;
  const { id, label } = tag as { id?: unknown; label?: unknown };
  return typeof id === 'string' ? id : typeof label === 'string' ? label : tag;
}

/**
 * Normalises and de-duplicates, keeping first-seen order. Accepts strings, a comma-separated string, and the
 * reference gateway's `[{id, label}]` form. Anything else is left for validation to reject.
 */
export function normalizeTags(value: unknown): unknown {
  if (typeof value === 'string') value = value.split(',');
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  for (const given of value) {
    const t = tagText(given);
    const v = typeof t === 'string' ? normalizeTag(t) : t;
    if (v !== '' && !out.includes(v)) out.push(v);
  }
  return out;
}
