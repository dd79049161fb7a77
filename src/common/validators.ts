import { registerDecorator, ValidateIf, ValidationArguments, ValidationOptions } from 'class-validator';
import { HEADER_NAME, HEADER_VALUE } from './credentials';

/**
 * A field that may be left out but not set to `null`. class-validator's `@IsOptional()` skips `null` as well, which
 * lets it reach a NOT NULL column (a 500) or a service that reads it as a value; with this, the field's own rules
 * (IsString, IsBoolean...) see the `null` and reject it with a 422 naming the field. Use `@IsOptional()` only for
 * fields where `null` means "clear" (stored as NULL). Update DTOs keep the distinction through
 * `UpdateDtoOf` (src/common/catalog/catalog-dto.ts), which passes `skipNullProperties: false` to PartialType.
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/**
 * Header names that carry credentials. Static `headers` are stored and returned as they are, so these are refused
 * there: credentials go in `auth`, which is stored encrypted and masked in every response.
 */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|private-token)$|token|secret|passw(or)?d|api-?key|credential/i;

/** The first header name in the map that carries credentials, if any. */
export function credentialHeader(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return undefined;
  return Object.keys(headers).find((name) => CREDENTIAL_HEADER.test(name));
}

/**
 * A `{name: value}` map of HTTP headers: valid names, string values without line breaks, at most 64 entries, and no
 * credential-bearing names (Authorization, Cookie, X-API-Key, ...: those belong in `auth`).
 */
export function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isHeaderMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (a: ValidationArguments) => {
          const credential = credentialHeader(a.value);
          return credential
            ? `${a.property} must not carry credentials ('${credential}'): put them in auth (authType bearer, basic or authheaders), which is stored encrypted and masked in responses`
            : `${a.property} must map header names to single-line string values`;
        },
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return entries.length <= 64 && entries.every(([k, v]) => HEADER_NAME.test(k) && typeof v === 'string' && HEADER_VALUE.test(v)) && !credentialHeader(value);
        },
      },
    });
}
