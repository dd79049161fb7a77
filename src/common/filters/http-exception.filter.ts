import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DOMAIN_ERROR_STATUS, DomainError, ErrorCode } from '../errors/domain-error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
  errorId?: string;
}

/** Maps what a handler throws to one JSON error shape. The only place where domain errors meet HTTP. */
export function toErrorBody(exception: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  if (exception instanceof DomainError) {
    const status = DOMAIN_ERROR_STATUS[exception.code];
    return {
      status,
      body: { statusCode: status, error: reason(status), message: exception.message, code: exception.code, details: exception.details },
      unexpected: false,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const res = exception.getResponse();
    const cause = exception.cause as { type?: string; message?: string } | undefined;
    const message =
      cause?.type === 'entity.parse.failed'
        ? `Malformed JSON body: ${cause.message}`
        : cause?.type === 'entity.too.large'
          ? 'Request body too large'
          : typeof res === 'string'
            ? res
            : Array.isArray((res as { message?: unknown }).message)
              ? (res as { message: string[] }).message.join('; ')
              : String((res as { message?: unknown }).message ?? exception.message);
    return { status, body: { statusCode: status, error: reason(status), message, code: STATUS_CODE[status] }, unexpected: false };
  }
  // Errors raised by Express middleware (body-parser) carry a status and a type.
  const e = exception as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message =
      e.type === 'entity.parse.failed'
        ? `Malformed JSON body: ${e.message}`
        : e.type === 'entity.too.large'
          ? 'Request body too large'
          : (e.message ?? reason(status));
    const code = status === 413 ? ErrorCode.PayloadTooLarge : ErrorCode.BadRequest;
    return { status, body: { statusCode: status, error: reason(status), message, code }, unexpected: false };
  }
  const errorId = randomUUID();
  return {
    status: 500,
    body: { statusCode: 500, error: 'Internal Server Error', message: `Internal error (errorId ${errorId})`, errorId },
    unexpected: true,
  };
}

/**
 * Seconds a refused client should wait, for `Retry-After`: the `details.retryAfter` of a rate-limit error (tool
 * calls, failed sign-ins...), else undefined.
 */
export function retryAfterOf(exception: unknown): number | undefined {
  if (!(exception instanceof DomainError) || exception.code !== ErrorCode.RateLimited) return undefined;
  const wait = exception.details?.retryAfter;
  return typeof wait === 'number' && Number.isFinite(wait) && wait >= 0 ? Math.ceil(wait) : undefined;
}

/** Sets `Retry-After` on a response answering a rate-limit error that says how long to wait. */
export function setRetryAfter(res: Pick<Response, 'setHeader'>, exception: unknown): void {
  const wait = retryAfterOf(exception);
  if (wait !== undefined) res.setHeader('Retry-After', String(wait));
}

/** Error codes for framework exceptions (unknown route, body-parser failures, guards). */
const STATUS_CODE: Record<number, ErrorCode> = Object.fromEntries(
  Object.entries(DOMAIN_ERROR_STATUS)
    .filter(([code]) => code !== ErrorCode.VersionConflict && code !== ErrorCode.Validation)
    .map(([code, status]) => [status, code as ErrorCode]),
);
STATUS_CODE[422] = ErrorCode.Validation;

function reason(status: number): string {
  const name = HttpStatus[status];
  return name ? name.toLowerCase().replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()) : 'Error';
}

/** Endpoints that speak JSON-RPC: a body that is not JSON gets a JSON-RPC parse error (-32700) there. */
const JSON_RPC_PATH = /^\/(rpc|mcp|message|servers\/[^/]+\/(mcp|message))\/?$/;

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, body, unexpected } = toErrorBody(exception);
    const parseFailure = exception instanceof HttpException && (exception.cause as { type?: string } | undefined)?.type === 'entity.parse.failed';
    if (parseFailure && JSON_RPC_PATH.test(req.path) && !res.headersSent) {
      // /rpc answers every JSON-RPC outcome with 200 (reference behaviour); Streamable HTTP uses 400 (MCP spec).
      res.status(req.path.startsWith('/rpc') ? 200 : 400).json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${body.message}` } });
      return;
    }
    if (unexpected) {
      this.logger.error(`errorId=${body.errorId} ${req.method} ${req.originalUrl}: ${(exception as Error)?.stack ?? exception}`);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    setRetryAfter(res, exception);
    res.status(status).json(body);
  }
}
