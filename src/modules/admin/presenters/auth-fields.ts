import { type AuthType, MASK, SECRET_CREDENTIAL_FIELDS } from '../../../common/credentials';
import type { FieldErrors, FieldSpec } from '../web/forms';

const AUTH_LABELS: Record<AuthType, string> = {
  basic: 'Basic (user name and password)',
  bearer: 'Bearer token',
  authheaders: 'API key in a header',
  query_param: 'API key in a query parameter',
};

/** The credential inputs of each type: [field, label, secret]. */
const AUTH_INPUTS: Record<AuthType, Array<[string, string, boolean]>> = {
  basic: [
    ['username', 'User name', false],
    ['password', 'Password', true],
  ],
  bearer: [['token', 'Bearer token', true]],
  authheaders: [
    ['authHeaderKey', 'Header name', false],
    ['authHeaderValue', 'Header value (API key)', true],
  ],
  query_param: [
    ['queryParamName', 'Query parameter name', false],
    ['queryParamValue', 'Query parameter value (API key)', true],
  ],
};

const KEEP = 'Stored encrypted; leave empty to keep the current one.';

/**
 * The "Authentication" select (none or one of `types`) and the inputs of each type, shown only while it is selected.
 * `showIf` makes the whole group depend on another field (e.g. only for REST tools).
 */
export function authFieldSpecs(types: readonly AuthType[], showIf?: FieldSpec['showIf']): FieldSpec[] {
  const select: FieldSpec = {
    name: 'authType',
    label: 'Authentication',
    kind: 'select',
    options: [{ value: '', label: 'None' }, ...types.map((t) => ({ value: t, label: AUTH_LABELS[t] }))],
    ...(showIf ? { showIf } : {}),
  };
  const inputs = types.flatMap((t) =>
    AUTH_INPUTS[t].map(([name, label, secret]): FieldSpec => ({
      name,
      label,
      kind: secret ? 'password' : 'text',
      ...(secret ? { help: KEEP } : {}),
      showIf: { field: 'authType', values: [t] },
    })),
  );
  // Two types can share an input name (none do today); keep the first.
  return [select, ...inputs.filter((f, i) => inputs.findIndex((g) => g.name === f.name) === i)];
}

/** Names of the auth inputs (removed from the form data before it becomes a DTO). */
const AUTH_NAMES = ['authType', ...new Set(Object.values(AUTH_INPUTS).flatMap((l) => l.map(([n]) => n)))];

/**
 * Form data → the DTO's `auth`: the credentials of the selected type; a secret left empty keeps the stored one (sent
 * as the API's mask, which the services replace by the stored secret when the type is unchanged). "None" on an item
 * that has credentials removes them (`auth: null`). Returns the data without the auth inputs.
 */
export function authFromForm(
  data: Record<string, unknown>,
  current: { authType: AuthType | null } | null,
  /** Whether the auth inputs were part of the form at all (e.g. not for a CLI tool). */
  applies = true,
): Record<string, unknown> {
  const rest = Object.fromEntries(Object.entries(data).filter(([k]) => !AUTH_NAMES.includes(k)));
  if (!applies) return rest;
  const type = data.authType as AuthType | undefined;
  if (!type) return current?.authType ? { ...rest, auth: null } : rest;
  const auth: Record<string, unknown> = { authType: type };
  for (const [name, , secret] of AUTH_INPUTS[type] ?? []) {
    const value = data[name];
    if (value !== undefined) auth[name] = value;
    else if (secret && current?.authType === type) auth[name] = MASK;
  }
  return { ...rest, auth };
}

/** Errors on `auth.<input>` go next to that input, other `auth` errors next to the type select. */
export function authErrors(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  let nested = false;
  for (const [k, v] of Object.entries(errors)) {
    if (k.startsWith('auth.')) {
      const input = k.slice(5);
      out[AUTH_NAMES.includes(input) ? input : 'authType'] ??= v;
      nested = true;
    } else if (k !== 'auth') out[k] = v;
  }
  if (errors.auth && !nested) out.authType ??= errors.auth;
  return out;
}

/** The DTO-side names whose errors `authErrors` moves (for `serviceErrors`). */
export const AUTH_ERROR_FIELDS = ['auth', ...[...SECRET_CREDENTIAL_FIELDS, 'username', 'authHeaderKey', 'queryParamName', 'authType'].map((n) => `auth.${n}`)];
