import { ValidationError } from '../errors/domain-error';
import { decodeCursor, encodeCursor } from './cursor';

const raw = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('cursor', () => {
  it('round-trips text and integer keys', () => {
    expect(decodeCursor(encodeCursor('tool_b'), 'string')).toBe('tool_b');
    expect(decodeCursor(encodeCursor(42), 'integer')).toBe(42);
  });

  it.each([
    ['garbage', 'not base64 JSON'],
    [raw({ k: 1e300 }), 'a number beyond the safe integers'],
    [raw({ k: 1.5 }), 'a fraction'],
    [raw({ k: -1 }), 'a negative number'],
    [raw({ k: 'x'.repeat(1025) }), 'an over-long key'],
    [raw({ k: { $gt: '' } }), 'an object'],
    [raw(null), 'null'],
    [raw({}), 'no key'],
  ])('refuses %s (%s) with a 422 naming cursor', (cursor) => {
    expect(() => decodeCursor(cursor, 'string')).toThrow(ValidationError);
    expect(() => decodeCursor(cursor, 'integer')).toThrow(ValidationError);
    expect(() => decodeCursor(cursor, 'integer')).toThrow(/^cursor: /);
  });

  it('refuses a cursor of a listing sorted by another kind of key', () => {
    expect(() => decodeCursor(encodeCursor('tool_b'), 'integer')).toThrow(/^cursor: is not a cursor returned by this API for this listing/);
    expect(() => decodeCursor(encodeCursor(12), 'string')).toThrow(ValidationError);
  });
});
