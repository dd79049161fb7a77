import { ValidationError } from '../errors/domain-error';

/** Longest sort key a cursor may carry: the longest natural key (a resource URI, 767) with room to spare. */
const MAX_KEY_LENGTH = 1024;

/** What a listing sorts by: a text key (name, URI) or an integer (audit entry id, prompt version). */
export type CursorKind = 'string' | 'integer';

/** Opaque keyset cursor: the sort key of the last item of a page. */
export function encodeCursor(lastKey: string | number): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

function kindOf(key: unknown): CursorKind | undefined {
  if (typeof key === 'string' && key.length <= MAX_KEY_LENGTH) return 'string';
  if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) return 'integer';
  return undefined;
}

/**
 * The sort key in a cursor returned by this API. Anything else (not base64url JSON, a cursor of a listing sorted
 * by another kind of key, a number beyond the safe integers) is a 422 naming `cursor`, before it can reach SQL.
 */
export function decodeCursor(cursor: string, kind: 'integer'): number;
export function decodeCursor(cursor: string, kind: 'string'): string;
export function decodeCursor(cursor: string, kind: CursorKind): string | number {
  let key: unknown;
  try {
    key = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown } | null)?.k;
  } catch {
    key = undefined;
  }
  const found = kindOf(key);
  if (found !== kind) {
    throw new ValidationError('cursor', 'is not a cursor returned by this API for this listing');
  }
  return key as string | number;
}
