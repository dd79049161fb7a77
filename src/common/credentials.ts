import { IsIn, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { ValidationError } from './errors/domain-error';

/**
 * `basic`, `bearer`, `authheaders` (an API key in a header of your choice) and `query_param` (an API key in a query
 * parameter; REST tools only).
 */
export const AUTH_TYPES = ['basic', 'bearer', 'authheaders', 'query_param'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** An HTTP header name (RFC 7230 token characters). */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
/** A query parameter name. */
export const QUERY_PARAM_NAME = /^[A-Za-z0-9_.~-]{1,128}$/;
/** A header value: no CR, LF or NUL (header injection). */
export const HEADER_VALUE = /^[^\r\n\0]{0,4096}$/;

/** Credentials a tool or peer presents upstream. Stored encrypted; never returned unmasked. */
export interface Credentials {
  authType: AuthType;
  username?: string;
  password?: string;
  token?: string;
  authHeaderKey?: string;
  authHeaderValue?: string;
  queryParamName?: string;
  queryParamValue?: string;
}

export class CredentialsDto implements Credentials {
  @IsIn(AUTH_TYPES)
  authType!: AuthType;

  @ValidateIf((o: CredentialsDto) => o.authType === 'basic')
  @IsString()
  @MaxLength(255)
  username?: string;

  @ValidateIf((o: CredentialsDto) => o.authType === 'basic')
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ValidateIf((o: CredentialsDto) => o.authType === 'bearer')
  @IsString()
  @MaxLength(8192)
  @Matches(HEADER_VALUE, { message: 'token must not contain line breaks' })
  token?: string;

  @ValidateIf((o: CredentialsDto) => o.authType === 'authheaders')
  @Matches(HEADER_NAME, { message: 'authHeaderKey must be a valid HTTP header name' })
  authHeaderKey?: string;

  @ValidateIf((o: CredentialsDto) => o.authType === 'authheaders')
  @IsString()
  @Matches(HEADER_VALUE, { message: 'authHeaderValue must not contain line breaks' })
  authHeaderValue?: string;

  @ValidateIf((o: CredentialsDto) => o.authType === 'query_param')
  @Matches(QUERY_PARAM_NAME, { message: 'queryParamName must be 1-128 characters of letters, digits and _ . ~ -' })
  queryParamName?: string;

  @ValidateIf((o: CredentialsDto) => o.authType === 'query_param')
  @IsString()
  @MaxLength(4096)
  queryParamValue?: string;
}

export const MASK = '*****';

/**
 * The fields of `Credentials` that hold secrets: masked in API responses, kept when the mask comes back, and
 * redacted from log lines (with every other field named like a credential, see LoggingModule).
 */
export const SECRET_CREDENTIAL_FIELDS = ['password', 'token', 'authHeaderValue', 'queryParamValue'] as const satisfies ReadonlyArray<keyof Credentials>;

/** The credentials as shown in API responses: type and user/header names, secrets replaced by a mask. */
export function maskCredentials(c: Credentials | null): Credentials | null {
  if (!c) return null;
  const shown = Object.fromEntries(Object.entries(pickCredentials(c)).filter(([, value]) => value !== undefined)) as unknown as Credentials;
  for (const key of SECRET_CREDENTIAL_FIELDS) if (shown[key] !== undefined) shown[key] = MASK;
  return shown;
}

/** Keeps only the fields that belong to the credential type (a bearer token carries no password). */
export function pickCredentials(dto: Credentials): Credentials {
  switch (dto.authType) {
    case 'basic':
      return { authType: 'basic', username: dto.username, password: dto.password };
    case 'bearer':
      return { authType: 'bearer', token: dto.token };
    case 'authheaders':
      return { authType: 'authheaders', authHeaderKey: dto.authHeaderKey, authHeaderValue: dto.authHeaderValue };
    case 'query_param':
      return { authType: 'query_param', queryParamName: dto.queryParamName, queryParamValue: dto.queryParamValue };
  }
}

/** HTTP headers that present these credentials. */
export function credentialHeaders(c: Credentials | null): Record<string, string> {
  if (!c) return {};
  switch (c.authType) {
    case 'basic':
      return { Authorization: `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}` };
    case 'bearer':
      return { Authorization: `Bearer ${c.token ?? ''}` };
    case 'authheaders':
      return c.authHeaderKey ? { [c.authHeaderKey]: c.authHeaderValue ?? '' } : {};
    case 'query_param':
      return {};
  }
}

/** Query parameters that present these credentials (`query_param` only). */
export function credentialQuery(c: Credentials | null): Record<string, string> {
  return c?.authType === 'query_param' && c.queryParamName ? { [c.queryParamName]: c.queryParamValue ?? '' } : {};
}

/** Keeps a stored secret when the client sends back the mask it was shown. */
export function mergeCredentials(existing: Credentials | null, incoming: Credentials): Credentials {
  const next = pickCredentials(incoming);
  if (existing && existing.authType === next.authType) {
    for (const key of SECRET_CREDENTIAL_FIELDS) {
      if (next[key] === MASK) next[key] = existing[key];
    }
  }
  for (const key of SECRET_CREDENTIAL_FIELDS) {
    if (next[key] === MASK) throw new ValidationError(`auth.${key}`, 'is the mask shown by the API; send the real secret');
  }
  return next;
}
