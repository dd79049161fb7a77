/**
 * Errors raised by services and repositories. They know nothing of HTTP: the global exception filter maps
 * each code to a status in one place (`DOMAIN_ERROR_STATUS`), and the MCP layer maps them to JSON-RPC errors.
 */
export enum ErrorCode {
  BadRequest = 'BAD_REQUEST',
  Validation = 'VALIDATION',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  VersionConflict = 'VERSION_CONFLICT',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  RateLimited = 'RATE_LIMITED',
  Upstream = 'UPSTREAM',
  UpstreamTimeout = 'UPSTREAM_TIMEOUT',
  Unavailable = 'UNAVAILABLE',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra machine-readable context returned to the client (e.g. the offending field). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(kind: string, id: string) {
    super(ErrorCode.NotFound, `${kind} not found: ${id}`, { kind, id });
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorCode.Conflict, message, details);
  }
}

export class ValidationError extends DomainError {
  constructor(field: string, message: string) {
    super(ErrorCode.Validation, `${field}: ${message}`, { field });
  }
}

export class VersionConflictError extends DomainError {
  constructor(kind: string, id: string, expected: number, actual?: number) {
    super(
      ErrorCode.VersionConflict,
      `${kind} ${id} was modified concurrently (expected version ${expected}${actual !== undefined ? `, found ${actual}` : ''})`,
      { kind, id, expectedVersion: expected, currentVersion: actual },
    );
  }
}

export const DOMAIN_ERROR_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.Validation]: 422,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.VersionConflict]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Upstream]: 502,
  [ErrorCode.UpstreamTimeout]: 504,
  [ErrorCode.Unavailable]: 503,
};
