import { argumentFields, coerceArguments } from './schema-form';

const SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'Where' },
    days: { type: 'integer' },
    ratio: { type: 'number' },
    metric: { type: 'boolean' },
    unit: { type: 'string', enum: ['c', 'f'] },
    scale: { type: 'string', enum: ['linear', 'log'], default: 'log' },
    verbose: { type: 'boolean', default: true },
    extra: { type: 'object' },
    note: { type: ['string', 'null'], default: 'hi' },
  },
  required: ['city'],
};

describe('test-tool form from an input schema', () => {
  it('makes one typed field per property', () => {
    const fields = Object.fromEntries(argumentFields(SCHEMA).map((f) => [f.name, f]));
    expect(fields.city).toMatchObject({ required: true, type: 'string', description: 'Where', isJson: false });
    expect(fields.days).toMatchObject({ isNumber: true, required: false });
    expect(fields.metric.isCheckbox).toBe(true);
    expect(fields.unit).toMatchObject({ isSelect: true, options: [{ value: 'c', selected: false }, { value: 'f', selected: false }] });
    // Defaults are pre-selected: an enum's option, a boolean's tick.
    expect(fields.scale.options).toEqual([{ value: 'linear', selected: false }, { value: 'log', selected: true }]);
    expect(fields.verbose).toMatchObject({ isCheckbox: true, checked: true });
    expect(fields.metric.checked).toBe(false);
    expect(fields.extra.isJson).toBe(true);
    expect(fields.note).toMatchObject({ type: 'string', value: 'hi' });
  });

  it('converts posted strings to the JSON types the schema asks for, leaving empty inputs out', () => {
    const { args, errors } = coerceArguments(SCHEMA, { 'arg.city': 'Paris', 'arg.days': '3', 'arg.ratio': '0.5', 'arg.metric': 'on', 'arg.extra': '{"a":1}', 'arg.unit': '' });
    expect(errors).toEqual({});
    expect(args).toEqual({ city: 'Paris', days: 3, ratio: 0.5, metric: true, extra: { a: 1 } });
    // A required boolean posts a hidden "false" before its checkbox: the last value wins.
    expect(coerceArguments(SCHEMA, { 'arg.city': 'x', 'arg.metric': ['false', 'on'] }).args.metric).toBe(true);
    expect(coerceArguments(SCHEMA, { 'arg.city': 'x', 'arg.metric': 'false' }).args.metric).toBe(false);
  });

  it('names the arguments that do not convert', () => {
    expect(coerceArguments(SCHEMA, { 'arg.days': '2.5', 'arg.ratio': 'x', 'arg.extra': '{' }).errors).toEqual({ days: 'must be an integer', ratio: 'must be a number', extra: 'must be valid JSON' });
  });
});
