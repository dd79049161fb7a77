import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../errors/domain-error';

export function camelCase(key: string): string {
  return key.replace(/_+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Keys a reference-gateway client may send beside the wrapped entity; teams and visibility are not modelled, so they are accepted and ignored. */
const WRAPPER_EXTRAS = new Set(['team_id', 'teamId', 'visibility']);

/** Renames snake_case keys to camelCase; sending both spellings of one field is an error. */
function camelizeKeys(obj: Record<string, unknown>, nested: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const name = camelCase(key);
    if (name in out) throw new DomainError(ErrorCode.Validation, `${name}: given twice (as ${key} and ${name})`, { fields: [name] });
    out[name] = nested.includes(name) && value && typeof value === 'object' && !Array.isArray(value) ? camelizeKeys(value as Record<string, unknown>, []) : value;
  }
  return out;
}

/**
 * The request body of a catalog create/update, accepted plain (`{...}`) or wrapped (`{"tool": {...}}`), with
 * snake_case or camelCase field names (the reference gateway accepts both). Only the listed top-level fields
 * and `nested` DTO objects are renamed; user data such as `inputSchema` or `headers` is left untouched.
 * Validation against the parameter's DTO class then runs in the global ValidationPipe.
 */
export const CatalogBody = createParamDecorator((options: { wrapper: string; nested?: string[] }, ctx: ExecutionContext) => {
  const body: unknown = ctx.switchToHttp().getRequest<Request>().body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError(ErrorCode.BadRequest, 'Request body must be a JSON object');
  }
  let fields = body as Record<string, unknown>;
  const wrapped = fields[options.wrapper];
  if (wrapped && typeof wrapped === 'object' && !Array.isArray(wrapped) && Object.keys(fields).every((k) => k === options.wrapper || WRAPPER_EXTRAS.has(k))) {
    fields = wrapped as Record<string, unknown>;
  }
  return camelizeKeys(fields, options.nested ?? []);
});
