import { argvPlaceholders, generatedCliSchema, renderArgv, undeclaredPlaceholder } from './cli-argv';

describe('renderArgv', () => {
  it('fills each placeholder into exactly one argv element, verbatim', () => {
    const hostile = `a b; rm -rf / $(id) \`x\` "q" 'q'\nz`;
    expect(renderArgv(['--', '{v}', 'pre-{v}-post'], { v: hostile })).toEqual(['--', hostile, `pre-${hostile}-post`]);
  });

  it('renders non-strings as JSON and drops elements whose arguments are missing', () => {
    expect(renderArgv(['{n}', '{o}', '--flag={missing}', '{nil}', 'lit'], { n: 3, o: { a: [1] }, nil: null })).toEqual(['3', '{"a":[1]}', 'lit']);
  });

  it('keeps elements without placeholders, including braces that are not placeholders', () => {
    expect(renderArgv(['{}', '{ x }', '%s'], {})).toEqual(['{}', '{ x }', '%s']);
    expect(argvPlaceholders('--a={x}:{y.z}')).toEqual(['x', 'y.z']);
  });
});

describe('placeholders and the input schema', () => {
  it('generates a closed schema with one optional string property per placeholder', () => {
    expect(generatedCliSchema(['-n', '{count}', '--path={dir}', '{count}'])).toEqual({
      type: 'object',
      properties: { count: { type: 'string' }, dir: { type: 'string' } },
      additionalProperties: false,
    });
    expect(generatedCliSchema([])).toEqual({ type: 'object', properties: {}, additionalProperties: false });
  });

  it('finds the first placeholder the schema does not declare, with its element index', () => {
    const schema = { type: 'object', properties: { a: {}, 'b.c': {} } };
    expect(undeclaredPlaceholder(['{a}', 'x', '{b.c}'], schema)).toBeUndefined();
    expect(undeclaredPlaceholder(['{a}', '--{a}={z}'], schema)).toEqual({ index: 1, name: 'z' });
    expect(undeclaredPlaceholder(['{a}'], { type: 'object' })).toEqual({ index: 0, name: 'a' });
  });
});
