import { argvPlaceholders, renderArgv } from './cli-argv';

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
