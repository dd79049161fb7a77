import type { ArgumentsHost } from '@nestjs/common';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { HttpExceptionFilter, retryAfterOf } from './http-exception.filter';

/** A response recording what the filter does with it. */
function respond(exception: unknown) {
  const headers: Record<string, string> = {};
  const res = {
    headersSent: false,
    statusCode: 0,
    body: undefined as unknown,
    setHeader: (name: string, value: string) => void (headers[name] = value),
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    json(body: unknown) {
      this.body = body;
      return this;
    },
  };
  const req = { path: '/tools', method: 'GET', originalUrl: '/tools' };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }) } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(exception, host);
  return { res, headers };
}

describe('HttpExceptionFilter', () => {
  it('sets Retry-After for any rate-limit error that says how long to wait', () => {
    const { res, headers } = respond(new DomainError(ErrorCode.RateLimited, 'Too many failed authentication attempts', { retryAfter: 42, limit: 3 }));
    expect(res.statusCode).toBe(429);
    expect(headers['Retry-After']).toBe('42');
    expect(res.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', details: { retryAfter: 42 } });
  });

  it('sets no Retry-After for other errors, or a rate-limit error without a wait', () => {
    expect(respond(new DomainError(ErrorCode.Unauthorized, 'no')).headers).toEqual({});
    expect(respond(new DomainError(ErrorCode.RateLimited, 'slow down')).headers).toEqual({});
    expect(retryAfterOf(new DomainError(ErrorCode.Conflict, 'x', { retryAfter: 5 }))).toBeUndefined();
    expect(retryAfterOf(new DomainError(ErrorCode.RateLimited, 'x', { retryAfter: 'soon' }))).toBeUndefined();
    expect(retryAfterOf(new DomainError(ErrorCode.RateLimited, 'x', { retryAfter: 1.2 }))).toBe(2);
  });
});
