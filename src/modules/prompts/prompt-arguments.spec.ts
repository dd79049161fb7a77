import { DomainError } from '../../common/errors/domain-error';
import { assertRequiredArguments, resolveArguments } from './prompt-arguments';
import type { TemplateAnalysis } from './prompt-renderer';

const reads = (...names: string[]): TemplateAnalysis => ({
  variables: names.map((n) => (n.endsWith('?') ? { name: n.slice(0, -1), required: false } : { name: n, required: true })),
  ignored: [],
});

describe('resolveArguments', () => {
  it('turns the variables into arguments, required unless only tested', () => {
    expect(resolveArguments(reads('topic', 'loud?'))).toEqual({
      arguments: [
        { name: 'topic', required: true },
        { name: 'loud', required: false },
      ],
      warnings: [],
    });
  });

  it('keeps the description and required flag of an argument that keeps its name', () => {
    const previous = [
      { name: 'topic', description: 'What to write about', required: false },
      { name: 'gone', description: 'unused now', required: true },
    ];
    expect(resolveArguments(reads('topic', 'style'), undefined, previous).arguments).toEqual([
      { name: 'topic', description: 'What to write about', required: false },
      { name: 'style', required: true },
    ]);
  });

  it('lets declared arguments win, warning about variables left out and arguments never read', () => {
    const result = resolveArguments(reads('topic', 'style'), [{ name: 'topic', description: 'd', required: true }, { name: 'extra' }]);
    expect(result.arguments).toEqual([
      { name: 'topic', description: 'd', required: true },
      { name: 'extra', required: false },
    ]);
    expect(result.warnings).toEqual([
      'the template reads `style`, which is not a declared argument: it renders empty unless a caller passes it',
      'argument `extra` is declared but the template never reads it',
    ]);
  });

  it('warns about object properties the template reads', () => {
    expect(resolveArguments({ variables: [], ignored: ['constructor'] }).warnings).toEqual([
      'the template reads `constructor`, a property every JavaScript object has: it is never an argument and renders empty unless a caller passes it',
    ]);
  });

  it('rejects duplicate declarations, variables that cannot be argument names, and too many variables', () => {
    expect(() => resolveArguments(reads('a'), [{ name: 'a' }, { name: 'a' }])).toThrow("arguments: argument 'a' is declared twice");
    expect(() => resolveArguments(reads('has space'))).toThrow(/^template: reads `has space`, which cannot be an argument name/);
    expect(() => resolveArguments(reads(...Array.from({ length: 51 }, (_, i) => `v${i}`)))).toThrow('template: reads 51 variables; a prompt has at most 50 arguments');
  });
});

describe('assertRequiredArguments', () => {
  const declared = [{ name: 'a', required: true }, { name: 'b', required: true }, { name: 'c' }, { name: 'constructor', required: true }];

  it('names every missing required argument, counting null and empty strings as missing', () => {
    let err: DomainError | undefined;
    try {
      assertRequiredArguments(declared, { b: '' });
    } catch (e) {
      err = e as DomainError;
    }
    expect(err?.message).toBe('arguments.a: is required; arguments.b: is required; arguments.constructor: is required');
    expect(err?.details).toEqual({ field: 'arguments.a', fields: ['arguments.a', 'arguments.b', 'arguments.constructor'] });
  });

  it('accepts own properties only (an inherited constructor does not count) and falsy values other than empty', () => {
    expect(() => assertRequiredArguments(declared, { a: 0, b: false })).toThrow(/^arguments.constructor: is required$/);
    expect(() => assertRequiredArguments(declared, { a: 0, b: false, constructor: 'x' })).not.toThrow();
  });
});
