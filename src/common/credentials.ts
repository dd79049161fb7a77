import { IsIn, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { ValidationError } from './errors/domain-error';

export const AUTH_TYPES = ['basic', 'bearer', 'authheaders'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** An HTTP header name (RFC 7230 token characters). */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
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
}

export const MASK = '*****';

/** The credentials as shown in API responses: type and user/header names, secrets replaced by a mask. */
export function maskCredentials(c: Credentials | null): Credentials | null {
  if (!c) return null;
  return {
    authType: c.authType,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: MASK } : {}),
    ...(c.token !== undefined ? { token: MASK } : {}),
    ...(c.authHeaderKey !== undefined ? { authHeaderKey: c.authHeaderKey } : {}),
    ...(c.authHeaderValue !== undefined ? { authHeaderValue: MASK } : {}),
  };
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
  }
}

/** Keeps a stored secret when the client sends back the mask it was shown. */
export function mergeCredentials(existing: Credentials | null, incoming: Credentials): Credentials {
  const next = pickCredentials(incoming);
  if (existing && existing.authType === next.authType) {
    for (const key of ['password', 'token', 'authHeaderValue'] as const) {
      if (next[key] === MASK) next[key] = existing[key];
    }
  }
  for (const key of ['password', 'token', 'authHeaderValue'] as const) {
    if (next[key] === MASK) throw new ValidationError(`auth.${key}`, 'is the mask shown by the API; send the real secret');
  }
  return next;
}
