import type { Request, Response } from 'express';
import { loadConfig } from '../../../config/app-config';
import { TokenService } from '../../auth/token.service';
import { AdminSession, LOGIN_CSRF_COOKIE } from './admin-session.service';

const config = loadConfig({ ENVIRONMENT: 'development', JWT_SECRET_KEY: 'session-spec-secret-0123456789abcdef-012345', TOKEN_EXPIRY: '30' });

function fakeResponse() {
  const cookies: Array<{ name: string; value: string; options: Record<string, unknown> }> = [];
  return { cookies, res: { cookie: (name: string, value: string, options: Record<string, unknown>) => cookies.push({ name, value, options }) } as unknown as Response };
}

describe('AdminSession', () => {
  const tokens = new TokenService(config);
  const session = new AdminSession(tokens, config);
  const req = { secure: false, headers: {} } as Request;

  it('stores a signed, expiring JWT in an HttpOnly SameSite=Strict cookie', async () => {
    const { cookies, res } = fakeResponse();
    await session.start(res, req, 'ops');
    expect(cookies).toEqual([{ name: 'jwt_token', value: expect.any(String), options: expect.objectContaining({ httpOnly: true, sameSite: 'strict', path: '/', maxAge: 30 * 60_000 }) }]);
    const payload = await tokens.verify(cookies[0].value);
    expect(payload).toMatchObject({ sub: 'ops', scope: 'admin-ui' });
    expect(payload.exp! - payload.iat!).toBe(30 * 60);
  });

  it('binds CSRF tokens to the session: another session or user gets another token, and forgeries fail', () => {
    const a = session.csrfToken({ subject: 'ops', method: 'jwt', jti: 'one' });
    expect(session.csrfToken({ subject: 'ops', method: 'jwt', jti: 'one' })).toBe(a);
    expect(session.csrfToken({ subject: 'ops', method: 'jwt', jti: 'two' })).not.toBe(a);
    expect(session.csrfToken({ subject: 'other', method: 'basic' })).not.toBe(session.csrfToken({ subject: 'ops', method: 'basic' }));
    expect(session.checkCsrf({ subject: 'ops', method: 'jwt', jti: 'one' }, a)).toBe(true);
    expect(session.checkCsrf({ subject: 'ops', method: 'jwt', jti: 'two' }, a)).toBe(false);
    expect(session.checkCsrf({ subject: 'ops', method: 'jwt', jti: 'one' }, undefined)).toBe(false);
    expect(session.checkCsrf({ subject: 'ops', method: 'jwt', jti: 'one' }, `${a}x`)).toBe(false);
  });

  it('checks the login form by double submit: the field must equal the cookie it was served with', () => {
    const { cookies, res } = fakeResponse();
    const value = session.loginCsrf(res, req);
    expect(cookies[0]).toMatchObject({ name: LOGIN_CSRF_COOKIE, value, options: { httpOnly: true, sameSite: 'strict', path: '/admin/login' } });
    const withCookie = { headers: { cookie: `other=1; ${LOGIN_CSRF_COOKIE}=${value}` } } as Request;
    expect(session.checkLoginCsrf(withCookie, value)).toBe(true);
    expect(session.checkLoginCsrf(withCookie, 'guess')).toBe(false);
    expect(session.checkLoginCsrf({ headers: {} } as Request, value)).toBe(false);
  });
});
