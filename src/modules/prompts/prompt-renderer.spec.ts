import Handlebars from 'handlebars';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { PromptRenderer, splitMessages, TemplateError } from './prompt-renderer';

describe('PromptRenderer', () => {
  // Generous: the first render compiles in a cold vm context, which can be slow on a busy machine.
  const r = new PromptRenderer({ timeoutMs: 5000, maxOutputChars: 10_000 });
  const text = (template: string, args: Record<string, unknown> = {}) => r.renderText(template, args);

  describe('argument discovery', () => {
    it('finds top-level variables in order, including helper parameters, and leaves out helpers, data variables and this', () => {
      expect(r.discoverArguments('{{a}} {{b.c}} {{#if d}}{{e}}{{/if}} {{#each items}}{{name}} {{@index}} {{this}}{{/each}} {{#with user}}{{email}}{{/with}} {{lookup map key}} {{this.f}} {{./g}}')).toEqual([
        'a',
        'b',
        'd',
        'e',
        'items',
        'user',
        'map',
        'key',
        'f',
        'g',
      ]);
    });

    it('follows nested blocks: parent paths that reach the top, @root, else branches, else-if chains, subexpressions', () => {
      const template = [
        '{{#each sections}}',
        '  {{#each items}}{{label}} {{../heading}} {{../../audience}} {{@root.tone}}{{/each}}',
        '  {{#if ../verbose}}{{details}}{{/if}}',
        '{{else}}{{fallback}}{{/each}}',
        '{{#if a}}x{{else if b}}{{c}}{{else}}{{#unless d}}{{e}}{{/unless}}{{/if}}',
        '{{#with (lookup dict chosen)}}{{name}}{{/with}}',
        '{{#each list as |item i|}}{{item}}{{i}}{{/each}}',
      ].join('\n');
      expect(r.discoverArguments(template)).toEqual(['sections', 'audience', 'tone', 'verbose', 'fallback', 'a', 'b', 'c', 'd', 'e', 'dict', 'chosen', 'list']);
    });

    it('marks variables the template only tests (#if / #unless) as optional, the others as required', () => {
      expect(r.analyze('{{#if loud}}!{{/if}}{{#unless quiet}}{{who}}{{/unless}}{{#if who}}{{/if}}{{#each items}}{{/each}}').variables).toEqual([
        { name: 'loud', required: false },
        { name: 'quiet', required: false },
        { name: 'who', required: true },
        { name: 'items', required: true },
      ]);
    });

    it('never takes built-in object properties for arguments', () => {
      expect(r.analyze('{{constructor}} {{__proto__.x}} {{#with toString}}{{/with}} {{a}}')).toEqual({
        variables: [{ name: 'a', required: true }],
        ignored: ['constructor', '__proto__', 'toString'],
      });
    });
  });

  describe('validation', () => {
    it('names the field, the line and the problem of a template that does not parse', () => {
      const err = catchError(() => r.assertValid('Hello\n{{#if x}}unclosed', 'messages.1.content.text'));
      expect(err).toBeInstanceOf(TemplateError);
      expect(err.message).toMatch(/^messages\.1\.content\.text: is not a valid Handlebars template: Parse error on line 2: Expecting .* got 'EOF'$/);
      expect(err.details).toEqual({ field: 'messages.1.content.text', line: 2 });
    });

    it('rejects mismatched blocks with the position', () => {
      expect(() => r.assertValid('{{#if x}}{{/unless}}')).toThrow(/^template: is not a valid Handlebars template: if doesn't match unless - 1:3$/);
    });

    it('refuses helpers that are not built in, including log (it writes to the server console)', () => {
      expect(() => r.assertValid('{{log "x"}}')).toThrow(/template: uses helpers that are not allowed: log/);
      expect(() => r.assertValid('{{log}}')).toThrow(/not allowed: log/);
      expect(() => r.assertValid('{{#custom x}}y{{/custom}}')).toThrow(/not allowed: custom/);
      expect(() => r.assertValid('{{#items}}section{{/items}}')).toThrow(/not allowed: items/);
      // Names every object inherits are not built-in helpers.
      expect(() => r.assertValid('{{#constructor}}x{{/constructor}}')).toThrow(/not allowed: constructor/);
      expect(() => r.assertValid('{{toString x}}')).toThrow(/not allowed: toString/);
      expect(() => text('{{helperMissing "x"}}')).toThrow(TemplateError);
      expect(() => r.assertValid('{{#each items}}{{this}}{{/each}}')).not.toThrow();
    });

    it('refuses partials and decorators: nothing is loaded from anywhere', () => {
      expect(() => r.assertValid('{{> header}}')).toThrow(/template: uses a partial/);
      expect(() => r.assertValid('{{#> layout}}x{{/layout}}')).toThrow(/template: uses a partial/);
      expect(() => r.assertValid('{{#*inline "p"}}x{{/inline}}{{> p}}')).toThrow(/partial|decorator/);
      expect(() => r.assertValid('{{#*inline "p"}}x{{/inline}}')).toThrow(/template: uses a decorator/);
    });
  });

  describe('rendering', () => {
    it('renders without HTML escaping', () => {
      expect(text('{{x}} & {{{x}}}', { x: '<b>&"' })).toBe('<b>&" & <b>&"');
    });

    it('resolves nothing from prototypes: constructor, __proto__, lookup and #with cannot reach host objects', () => {
      const args = { x: 'v', obj: { a: 1 }, list: [1, 2] };
      expect(text('[{{constructor}}][{{constructor.constructor}}][{{constructor.name}}][{{__proto__}}][{{x.constructor.name}}][{{x.length}}]', args)).toBe('[][][][][][1]');
      expect(text('[{{#with __proto__}}{{constructor.name}}{{toString}}{{/with}}][{{#with obj}}{{__proto__.constructor}}{{/with}}]', args)).toBe('[][]');
      expect(text('[{{lookup this "constructor"}}][{{lookup (lookup this "constructor") "constructor"}}][{{lookup obj "__proto__"}}][{{lookup list "constructor"}}]', args)).toBe('[][][][]');
      expect(text('[{{obj.__defineGetter__}}][{{obj.hasOwnProperty}}][{{list.constructor.constructor}}][{{#each obj}}{{@key}}{{/each}}]', args)).toBe('[][][][a]');
    });

    it('cannot pollute Object.prototype, even with an own __proto__ argument', () => {
      const args = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as Record<string, unknown>;
      expect(text('{{__proto__.polluted}} {{constructor.prototype.polluted}} {{#with __proto__}}{{polluted}}{{/with}}', args)).toBe('yes yes yes');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });

    it('writes nothing to the console and ignores helpers registered on the global Handlebars', () => {
      const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined));
      const danger = jest.fn(() => 'RAN');
      Handlebars.registerHelper('danger', danger);
      try {
        expect(text('{{danger}}', { danger: 'd' })).toBe('d');
        expect(() => text('{{danger "x"}}')).toThrow(/not allowed: danger/);
        expect(() => text('{{log "secret"}}')).toThrow(/not allowed: log/);
        expect(danger).not.toHaveBeenCalled();
        for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      } finally {
        Handlebars.unregisterHelper('danger');
        for (const spy of spies) spy.mockRestore();
      }
    });

    it('stops a render that runs longer than the time limit', () => {
      const quick = new PromptRenderer({ timeoutMs: 200, maxOutputChars: 10_000 });
      const big = Array.from({ length: 2000 }, (_, i) => i);
      const started = Date.now();
      const err = catchError(() => quick.renderText('{{#each a}}{{#each @root.a}}{{#each @root.a}}{{/each}}{{/each}}{{/each}}', { a: big }));
      expect(err.message).toBe('template: rendering took longer than 200 ms (PROMPT_RENDER_TIMEOUT)');
      expect(err.code).toBe(ErrorCode.Validation);
      expect(Date.now() - started).toBeLessThan(2000);
      // The renderer still works afterwards.
      expect(quick.renderText('ok {{x}}', { x: 1 })).toBe('ok 1');
    });

    it('refuses output over the size limit (413), also when it would exceed what a string can hold', () => {
      const err = catchError(() => text('{{x}}{{x}}', { x: 'y'.repeat(6000) }));
      expect(err.code).toBe(ErrorCode.PayloadTooLarge);
      expect(err.message).toBe('template: the rendered prompt exceeds 10000 characters (MAX_PROMPT_OUTPUT_SIZE)');
      const huge = new PromptRenderer({ timeoutMs: 5000, maxOutputChars: 2 ** 40 });
      const tooLong = catchError(() => huge.renderText('{{x}}'.repeat(2000), { x: 'z'.repeat(2 ** 20) }));
      expect(tooLong.code).toBe(ErrorCode.PayloadTooLarge);
      expect(r.renderText('{{x}}', { x: 'abc' }, 'template', 3)).toBe('abc');
      expect(() => r.renderText('{{x}}', { x: 'abcd' }, 'template', 3)).toThrow(/exceeds 10000 characters/);
    });

    it('reports a failing render as a 422 naming the field', () => {
      const err = catchError(() => r.renderText('{{#each x}}{{/each}}', { x: { get a() { throw new Error('boom'); } } }, 'messages.0.content.text'));
      expect(err.message).toBe('messages.0.content.text: failed to render: boom');
    });
  });

  it('splits messages at # User: / # Assistant: markers', () => {
    expect(splitMessages('intro\n# Assistant: ok\nmore\n#user:next')).toEqual([
      { role: 'user', content: { type: 'text', text: 'intro' } },
      { role: 'assistant', content: { type: 'text', text: 'ok\nmore' } },
      { role: 'user', content: { type: 'text', text: 'next' } },
    ]);
    expect(splitMessages('# User:\n\n# Assistant:\n')).toEqual([{ role: 'user', content: { type: 'text', text: '' } }]);
  });
});

function catchError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('expected an error');
}
