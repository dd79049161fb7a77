import { applyJsonPath } from './rest-request';
import { jqToJsonPath } from './jq-path';

describe('jqToJsonPath', () => {
  it.each([
    ['.', '$'],
    ['.items', '$.items'],
    ['.meta.total', '$.meta.total'],
    ['.items[]', '$.items[*]'],
    ['.items[].name', '$.items[*].name'],
    ['.items[0]', '$.items[0]'],
    ['.items[0].tags[]', '$.items[0].tags[*]'],
    ['.[]', '$[*]'],
    ['.[2]', '$[2]'],
    ['.["a b"].c', "$['a b'].c"],
    ['."x.y"', "$['x.y']"],
    ['.items | .[0]', '$.items[0]'],
    ['.a|.b', '$.a.b'],
    ['  .items[]  ', '$.items[*]'],
  ])('translates %s to %s', (jq, path) => {
    expect(jqToJsonPath(jq)).toBe(path);
  });

  it('gives the jq results: a definite path its value, an iteration an array', () => {
    const doc = { items: [{ name: 'apple' }, { name: 'pear' }], meta: { total: 2 }, 'a b': { c: 1 } };
    expect(applyJsonPath(jqToJsonPath('.items[].name'), doc)).toEqual(['apple', 'pear']);
    expect(applyJsonPath(jqToJsonPath('.meta.total'), doc)).toBe(2);
    expect(applyJsonPath(jqToJsonPath('.items[1]'), doc)).toEqual({ name: 'pear' });
    expect(applyJsonPath(jqToJsonPath('.["a b"].c'), doc)).toBe(1);
    expect(applyJsonPath(jqToJsonPath('.'), doc)).toEqual(doc);
  });

  it.each([
    ['.items[] | select(.qty > 0)', /at `select\(\.qty > 0\)` \(the part before it, `\.items\[\] \| `, is `\$\.items\[\*\]` in JSONPath\): write JSONPath/],
    ['.items | map(.name)', /at `map\(\.name\)`/],
    ['..name', /beyond simple paths .* at `\.\.name`: write JSONPath such as `\$\.items\[\*\]\.name`/],
    ['.items[1:3]', /at `\[1:3\]`/],
    ['.items[-1]', /at `\[-1\]`/],
    ['.a.', /at `\.`/],
    ['.a |', /ends with a pipe/],
    ['.a[] .b', /at ` \.b`/],
    ['.["it\'s"]', /cannot be written in JSONPath bracket notation/],
  ])('refuses %s with a message that suggests JSONPath', (jq, message) => {
    expect(() => jqToJsonPath(jq)).toThrow(message);
  });
});
