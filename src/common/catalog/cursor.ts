import { ValidationError } from '../errors/domain-error';

/** Opaque keyset cursor: the sort key of the last item of a page. */
export function encodeCursor(lastKey: string | number): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

export function decodeCursor<K extends string | number = string>(cursor: string): K {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string' || typeof parsed.k === 'number') return parsed.k as K;
  } catch {
    // fall through
  }
  throw new ValidationError('cursor', 'is not a cursor returned by this API');
}
