import type { JsonSchema } from '../../../common/json-schema';

/** An input of the "test tool" form, generated from one property of the tool's input schema. */
export interface ArgumentField {
  name: string;
  id: string;
  label: string;
  description?: string;
  required: boolean;
  type: string;
  isCheckbox: boolean;
  isSelect: boolean;
  isJson: boolean;
  isNumber: boolean;
  options?: Array<{ value: string; selected: boolean }>;
  value: string;
  /** Checkboxes: ticked (the schema's default is true, or the posted value was). */
  checked: boolean;
}

type Property = { type?: string | string[]; description?: string; enum?: unknown[]; title?: string; default?: unknown };

function typeOf(p: Property): string {
  const t = Array.isArray(p.type) ? p.type.find((x) => x !== 'null') : p.type;
  return t ?? 'json';
}

/** One field per top-level property of an object schema (strings, numbers, booleans, enums; anything else as JSON). */
export function argumentFields(schema: JsonSchema, values: Record<string, string> = {}): ArgumentField[] {
  const s = schema as { properties?: Record<string, Property>; required?: string[] };
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([name, p]) => {
    const type = typeOf(p);
    const isSelect = Array.isArray(p.enum) && p.enum.every((e) => typeof e === 'string');
    const value = values[name] ?? (p.default !== undefined ? (typeof p.default === 'string' ? p.default : JSON.stringify(p.default)) : '');
    return {
      name,
      id: `arg-${name}`,
      label: p.title ?? name,
      description: p.description,
      required: required.has(name),
      type,
      isCheckbox: type === 'boolean',
      isSelect,
      isJson: !isSelect && (type === 'object' || type === 'array' || type === 'json'),
      isNumber: type === 'number' || type === 'integer',
      // The default is pre-selected (an enum's, else none: the empty choice).
      options: isSelect ? (p.enum as string[]).map((o) => ({ value: o, selected: o === value })) : undefined,
      value,
      checked: type === 'boolean' && (value === 'true' || value === 'on'),
    };
  });
}

/**
 * Converts the posted strings to the JSON types the schema asks for. Empty inputs are left out (the schema's
 * `required` then decides); a value that does not convert is reported with the argument's name.
 */
export function coerceArguments(schema: JsonSchema, body: Record<string, unknown>): { args: Record<string, unknown>; errors: Record<string, string> } {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of argumentFields(schema)) {
    const raw = body[`arg.${field.name}`];
    const text = Array.isArray(raw) ? String(raw[raw.length - 1]) : raw === undefined ? '' : String(raw);
    if (field.isCheckbox) {
      // A required boolean's form posts "false" before its checkbox: unticked means false, not absent.
      if (text !== '') args[field.name] = text === 'on' || text === 'true';
      continue;
    }
    if (text.trim() === '') continue;
    if (field.isNumber) {
      const n = Number(text);
      if (Number.isNaN(n) || (field.type === 'integer' && !Number.isInteger(n))) errors[field.name] = `must be ${field.type === 'integer' ? 'an integer' : 'a number'}`;
      else args[field.name] = n;
    } else if (field.isJson) {
      try {
        args[field.name] = JSON.parse(text);
      } catch {
        errors[field.name] = 'must be valid JSON';
      }
    } else args[field.name] = text;
  }
  return { args, errors };
}
