import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError } from '../../../common/errors/domain-error';
import { describeValidationErrors } from '../../../common/validation';

export type FieldKind = 'text' | 'textarea' | 'url' | 'select' | 'checkbox' | 'json' | 'tags' | 'password' | 'picker' | 'number' | 'lines' | 'file';

/** An item a picker offers: its id, name and a detail (URI, type...). */
export interface PickerOption {
  value: string;
  label: string;
  detail?: string;
}

/**
 * A searchable checkbox list (`picker` fields) for choosing among thousands of items: the chosen ones as checked
 * boxes, and the first matches of a search that the server runs (`endpoint`, an htmx post of the search text and
 * the chosen ids) as unchecked ones. Checking a match and searching again moves it to the chosen list.
 */
export interface PickerState {
  field: string;
  endpoint: string;
  /** Plural noun of the items, e.g. "tools". */
  noun: string;
  search: string;
  chosen: PickerOption[];
  results: Array<PickerOption & { chosen: boolean }>;
  /** Matches beyond the ones shown. */
  more: number;
}

/** One input of an admin form. */
export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  help?: string;
  placeholder?: string;
  options?: Array<{ value: string; label: string }>;
  /** Shown but not editable (e.g. a federated item's URL). */
  readonly?: boolean;
  /**
   * Only shown (and only read from the post) while another field has one of these values, e.g. the CLI fields while
   * `integrationType` is CLI. The `conditionalFields` component of admin.js hides the others in the browser.
   */
  showIf?: { field: string; values: string[] };
  /** Textareas: height in rows, and a monospace font (JSON inputs have both). */
  rows?: number;
  mono?: boolean;
  /** `file` fields: MIME types the file chooser offers (`accept`). */
  accept?: string;
  /** `picker` fields: what the picker shows (filled in by the controller before rendering). */
  picker?: PickerState;
  /**
   * On an edit, an optional input left empty clears the stored value: it is sent as `null`. `keepWhenEmpty` opts
   * out (e.g. a template or content that an empty input should not erase).
   */
  keepWhenEmpty?: boolean;
}

/** A field as a template renders it: its spec, the current value and the error next to it. */
export interface FormField extends FieldSpec {
  id: string;
  value: string;
  checked: boolean;
  error?: string;
  options?: Array<{ value: string; label: string; selected?: boolean }>;
  isTextarea: boolean;
  isSelect: boolean;
  isPicker: boolean;
  /** The ids of the help text and the error, for `aria-describedby`. */
  describedBy?: string;
  isCheckbox: boolean;
  isFile: boolean;
  inputType: string;
  showIfField?: string;
  showIfValues?: string;
}

/** A form's fields (with values and errors) and an error that belongs to no field. */
export interface FormView {
  fields: FormField[];
  formError?: string;
}

export type FormBody = Record<string, string | string[] | undefined>;
export type FieldErrors = Record<string, string>;

function text(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? '');
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Renders the fields with `values` (raw form strings or stored values) and `errors`. */
export function formView(specs: FieldSpec[], values: Record<string, unknown>, errors: FieldErrors = {}, formError?: string): FormView {
  const fields = specs.map((spec): FormField => {
    const raw = values[spec.name];
    let value = '';
    if (spec.kind === 'json') value = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : JSON.stringify(raw, null, 2);
    else if (spec.kind === 'lines') value = Array.isArray(raw) ? raw.join('\n') : typeof raw === 'string' ? raw : '';
    else if (spec.kind === 'file') value = '';
    else if (spec.kind === 'tags') value = Array.isArray(raw) ? raw.join(', ') : typeof raw === 'string' ? raw : '';
    else if (raw !== undefined && raw !== null && spec.kind !== 'password') value = Array.isArray(raw) ? raw.join(',') : String(raw);
    const selected = new Set(Array.isArray(raw) ? raw.map(String) : [value]);
    const error = errors[spec.name];
    const describedBy = [error ? `f-${spec.name}-error` : '', spec.help ? `f-${spec.name}-help` : ''].filter(Boolean).join(' ');
    return {
      ...spec,
      id: `f-${spec.name}`,
      value,
      checked: raw === true || raw === 'on' || raw === 'true',
      error,
      describedBy: describedBy || undefined,
      options: spec.options?.map((o) => ({ ...o, selected: selected.has(o.value) })),
      isTextarea: spec.kind === 'textarea' || spec.kind === 'json' || spec.kind === 'lines',
      isSelect: spec.kind === 'select',
      isPicker: spec.kind === 'picker',
      isCheckbox: spec.kind === 'checkbox',
      isFile: spec.kind === 'file',
      inputType: spec.kind === 'url' ? 'url' : spec.kind === 'password' ? 'password' : 'text',
      showIfField: spec.showIf?.field,
      showIfValues: spec.showIf?.values.join(','),
    };
  });
  return { fields, formError };
}

/**
 * Turns the posted form into the plain object a DTO expects: empty optional inputs are left out, tags split at
 * commas, JSON inputs parsed (a syntax error is reported on that field), checkboxes become booleans.
 */
export function parseForm(specs: FieldSpec[], body: FormBody): { data: Record<string, unknown>; errors: FieldErrors } {
  const data: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const spec of specs) {
    if (spec.readonly || !shown(spec, specs, body)) continue;
    const raw = body[spec.name];
    switch (spec.kind) {
      case 'checkbox':
        data[spec.name] = text(raw) === 'on' || text(raw) === 'true';
        break;
      case 'picker':
        data[spec.name] = [...new Set(list(raw).filter(Boolean))];
        break;
      case 'tags':
        data[spec.name] = text(raw).split(',').map((t) => t.trim()).filter(Boolean);
        break;
      case 'json': {
        const value = text(raw).trim();
        if (!value) break;
        try {
          data[spec.name] = JSON.parse(value);
        } catch (err) {
          errors[spec.name] = `must be valid JSON (${(err as Error).message})`;
        }
        break;
      }
      case 'number': {
        const value = text(raw).trim();
        if (!value) break;
        if (!/^-?\d+$/.test(value)) errors[spec.name] = 'must be a whole number';
        else data[spec.name] = Number(value);
        break;
      }
      case 'lines': {
        // One argument per line, or a JSON array of strings.
        const value = text(raw).replace(/\r\n/g, '\n');
        if (!value.trim()) break;
        if (value.trim().startsWith('[')) {
          try {
            data[spec.name] = JSON.parse(value);
          } catch (err) {
            errors[spec.name] = `must be one value per line or a valid JSON array (${(err as Error).message})`;
          }
        } else data[spec.name] = value.split('\n').filter((l) => l.trim() !== '');
        break;
      }
      default: {
        const value = text(raw);
        if (value.trim() !== '') data[spec.name] = spec.kind === 'password' ? value : value.trim();
      }
    }
  }
  return { data, errors };
}

/** Input kinds whose empty value means "no value" (checkboxes, tags and lists always send their state; secrets and files mean "keep"). */
const CLEARABLE: ReadonlySet<FieldKind> = new Set(['text', 'textarea', 'url', 'json', 'number', 'lines']);

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/**
 * On an edit, the optional inputs the user emptied: each becomes `null`, so the update clears the stored value
 * instead of silently keeping it. Only inputs that were shown and editable count, and only when the stored value
 * (`current`, the form's values of the item) is not empty already.
 */
export function clearEmptied(specs: FieldSpec[], body: FormBody, data: Record<string, unknown>, current: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  for (const spec of specs) {
    if (!CLEARABLE.has(spec.kind) || spec.required || spec.readonly || spec.keepWhenEmpty) continue;
    if (text(body[spec.name]).trim() !== '' || out[spec.name] !== undefined || !shown(spec, specs, body) || isEmpty(current[spec.name])) continue;
    out[spec.name] = null;
  }
  return out;
}

/**
 * The values to show again after a failed post: the posted ones over the stored item's. An unchecked checkbox or a
 * picker with nothing chosen is absent from a post, so it is taken as off / empty rather than as the stored value.
 */
export function postedValues(specs: FieldSpec[], body: FormBody, stored: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = { ...stored, ...body };
  for (const spec of specs) {
    if (spec.readonly || body[spec.name] !== undefined) continue;
    if (spec.kind === 'checkbox') values[spec.name] = false;
    else if (spec.kind === 'picker') values[spec.name] = [];
  }
  return values;
}

/** Whether a field applies to the posted form (its `showIf` condition holds, and that of the field it depends on). */
export function shown(spec: FieldSpec, specs: FieldSpec[], body: FormBody, depth = 0): boolean {
  if (!spec.showIf) return true;
  if (!spec.showIf.values.includes(text(body[spec.showIf.field]))) return false;
  const parent = specs.find((s) => s.name === spec.showIf!.field);
  return !parent || depth > 5 || shown(parent, specs, body, depth + 1);
}

/** Validates `data` against a DTO class with the API's rules (the global ValidationPipe's); errors keyed by field. */
export async function validateDto<T extends object>(dto: new () => T, data: Record<string, unknown>): Promise<{ value: T; errors: FieldErrors }> {
  const value = plainToInstance(dto, data, { enableImplicitConversion: false });
  const problems = describeValidationErrors(await validate(value, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } }));
  const errors: FieldErrors = {};
  for (const p of problems) {
    const colon = p.indexOf(':');
    const path = p.slice(0, colon);
    const field = path.split('.')[0];
    errors[field] ??= p.slice(colon + 1).trim();
    // Nested fields (auth.token) are kept under their full path too, for forms that show them as their own inputs.
    if (path !== field) errors[path] ??= p.slice(colon + 1).trim();
  }
  return { value, errors };
}

/**
 * Maps an error from a service to the form: a `DomainError` naming a field (ValidationError, a 409 on a unique
 * name...) goes next to that field, anything else above the form. Unexpected errors are rethrown.
 */
export function serviceErrors(err: unknown, fieldNames: string[]): { errors: FieldErrors; formError?: string } {
  if (!(err instanceof DomainError)) throw err;
  const details = err.details ?? {};
  const candidates = [details.field, ...(Array.isArray(details.fields) ? details.fields : [])].filter((f): f is string => typeof f === 'string');
  const field = candidates.find((f) => fieldNames.includes(f)) ?? candidates.map((f) => f.split('.')[0]).find((f) => fieldNames.includes(f));
  if (field) return { errors: { [field]: err.message.replace(new RegExp(`^${field}(\\.[\\w.]+)?: `), '') } };
  return { errors: {}, formError: err.message };
}

/** A posted value as one string (the last one when repeated). */
export { text as formText };
