/** Tags are short, lower-case labels: letters, digits and `_ . : / -`, at most 64 characters. */
export const TAG_PATTERN = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_.:/-]{0,63}$/u;
export const MAX_TAGS = 50;

export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, '-');
}

/** Normalises and de-duplicates, keeping first-seen order. Non-strings are left for validation to reject. */
export function normalizeTags(value: unknown): unknown {
  if (typeof value === 'string') value = value.split(',');
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  for (const t of value) {
    const v = typeof t === 'string' ? normalizeTag(t) : t;
    if (v !== '' && !out.includes(v)) out.push(v);
  }
  return out;
}
