import { CreateToolDto } from '../../tools/dto/create-tool.dto';
import { ConflictError, DomainError, ErrorCode, ValidationError } from '../../../common/errors/domain-error';
import { clearEmptied, type FieldSpec, formView, parseForm, serviceErrors, validateDto } from './forms';

const SPECS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'url', label: 'URL', kind: 'url' },
  { name: 'inputSchema', label: 'Schema', kind: 'json' },
  { name: 'tags', label: 'Tags', kind: 'tags' },
  { name: 'enabled', label: 'Enabled', kind: 'checkbox' },
  { name: 'secret', label: 'Secret', kind: 'password' },
];

describe('admin forms', () => {
  it('turns posted strings into DTO fields: empty inputs dropped, tags split, JSON parsed, checkboxes as booleans', () => {
    const { data, errors } = parseForm(SPECS, { name: ' echo ', url: '', inputSchema: '{"type":"object"}', tags: 'a, b,,c', secret: ' keep spaces ' });
    expect(errors).toEqual({});
    expect(data).toEqual({ name: 'echo', inputSchema: { type: 'object' }, tags: ['a', 'b', 'c'], enabled: false, secret: ' keep spaces ' });
  });

  it('reports malformed JSON on its own field', () => {
    expect(parseForm(SPECS, { name: 'x', inputSchema: '{nope' }).errors).toEqual({ inputSchema: expect.stringMatching(/^must be valid JSON/) });
  });

  it("validates with the API's DTO rules and keys each message by its top-level field (and nested ones by their path)", async () => {
    const { errors } = await validateDto(CreateToolDto, { name: 'bad name!', url: 'ftp://x', annotations: { readOnlyHint: 'yes' }, extra: 1 });
    expect(errors).toEqual({
      name: expect.stringMatching(/1-128 characters/),
      url: 'must be an http(s) URL',
      annotations: expect.stringMatching(/boolean/),
      'annotations.readOnlyHint': expect.stringMatching(/boolean/),
      extra: expect.stringMatching(/should not exist/),
    });
    expect((await validateDto(CreateToolDto, { name: 'ok', url: 'http://127.0.0.1/x' })).errors).toEqual({});
  });

  it('puts service errors next to the field they name, others above the form; unexpected errors propagate', () => {
    expect(serviceErrors(new ValidationError('url', 'is not allowed'), ['name', 'url'])).toEqual({ errors: { url: 'is not allowed' } });
    expect(serviceErrors(new ConflictError("A tool with name 'x' already exists", { field: 'name' }), ['name'])).toEqual({ errors: { name: "A tool with name 'x' already exists" } });
    expect(serviceErrors(new DomainError(ErrorCode.Upstream, 'peer unreachable'), ['name'])).toEqual({ errors: {}, formError: 'peer unreachable' });
    expect(() => serviceErrors(new Error('boom'), ['name'])).toThrow('boom');
  });

  it('renders values and errors, never echoing a password back', () => {
    const view = formView(SPECS, { name: 'n', inputSchema: { type: 'object' }, tags: ['a', 'b'], enabled: true, secret: 'hunter2' }, { name: 'taken' });
    const byName = Object.fromEntries(view.fields.map((f) => [f.name, f]));
    expect(byName.name).toMatchObject({ value: 'n', error: 'taken', id: 'f-name' });
    expect(byName.inputSchema.value).toBe('{\n  "type": "object"\n}');
    expect(byName.tags.value).toBe('a, b');
    expect(byName.enabled.checked).toBe(true);
    expect(byName.secret.value).toBe('');
  });

  it('reads only the fields whose showIf condition holds, numbers and one-per-line lists', () => {
    const specs: FieldSpec[] = [
      { name: 'type', label: 'Type', kind: 'select' },
      { name: 'command', label: 'Command', kind: 'text', showIf: { field: 'type', values: ['CLI'] } },
      { name: 'args', label: 'Args', kind: 'lines', showIf: { field: 'type', values: ['CLI'] } },
      { name: 'timeoutMs', label: 'Timeout', kind: 'number' },
    ];
    expect(parseForm(specs, { type: 'REST', command: '/bin/x', args: 'a', timeoutMs: '50' })).toEqual({ data: { type: 'REST', timeoutMs: 50 }, errors: {} });
    expect(parseForm(specs, { type: 'CLI', command: '/bin/x', args: 'a\r\n{b}\n', timeoutMs: '' }).data).toEqual({ type: 'CLI', command: '/bin/x', args: ['a', '{b}'] });
    expect(parseForm(specs, { type: 'CLI', args: '["x y"]' }).data.args).toEqual(['x y']);
    expect(parseForm(specs, { type: 'CLI', args: '[oops' }).errors.args).toMatch(/JSON array/);
    expect(parseForm(specs, { type: 'REST', timeoutMs: '1.5' }).errors).toEqual({ timeoutMs: 'must be a whole number' });
  });

  it('on an edit, sends null for optional inputs the user emptied, and nothing for the rest', () => {
    const specs: FieldSpec[] = [
      { name: 'name', label: 'Name', kind: 'text', required: true },
      { name: 'description', label: 'Description', kind: 'textarea' },
      { name: 'icon', label: 'Icon', kind: 'url' },
      { name: 'annotations', label: 'Annotations', kind: 'json' },
      { name: 'template', label: 'Template', kind: 'textarea', keepWhenEmpty: true },
      { name: 'uri', label: 'URI', kind: 'text', readonly: true },
      { name: 'cacheTtl', label: 'TTL', kind: 'number', showIf: { field: 'source', values: ['url'] } },
      { name: 'secret', label: 'Secret', kind: 'password' },
      { name: 'headers', label: 'Headers', kind: 'json' },
      { name: 'mimeType', label: 'MIME', kind: 'text' },
    ];
    const current = { name: 'n', description: 'old', icon: 'https://x/i.png', annotations: { readOnlyHint: true }, template: 'Hi', uri: 'file:///a', cacheTtl: 60, secret: 's', headers: {}, mimeType: null };
    const body = { name: 'n', description: '  ', icon: '', annotations: '', template: '', cacheTtl: '', secret: '', headers: '{not json', mimeType: '' };
    const { data } = parseForm(specs, body);
    expect(clearEmptied(specs, body, data, current)).toEqual({ name: 'n', description: null, icon: null, annotations: null });
    // Shown only for another content source: not part of this post, so not cleared.
    expect(clearEmptied(specs, { ...body, source: 'url' }, data, current).cacheTtl).toBeNull();
  });
});
