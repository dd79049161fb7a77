import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';
import { SESSION_COOKIE } from '../../auth/authenticator.service';
import type { Principal } from '../../auth/principal';
import { TokenService } from '../../auth/token.service';

/** Cookie holding the random value the login form echoes (double-submit: no session exists yet). */
export const LOGIN_CSRF_COOKIE = 'admin_login_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

function same(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * The admin UI's session: a signed JWT (the auth module's TokenService) in an HttpOnly, SameSite=Strict cookie,
 * which the global Authenticator already accepts; and CSRF tokens bound to it (an HMAC of the session's token id
 * under JWT_SECRET_KEY), required on every state-changing request.
 */
@Injectable()
export class AdminSession {
  constructor(
    private readonly tokens: TokenService,
    private readonly config: AppConfig,
  ) {}

  async start(res: Response, req: Request, subject: string): Promise<void> {
    const minutes = this.config.auth.tokenExpiryMinutes > 0 ? this.config.auth.tokenExpiryMinutes : 1440;
    const signed = await this.tokens.sign({ subject, expiresInMinutes: minutes, claims: { scope: 'admin-ui' } });
    this.setCookie(res, req, signed.token, minutes * 60);
  }

  /** Stores a JWT the user pasted (already verified) as the session. */
  adopt(res: Response, req: Request, token: string, expiresAt?: Date): void {
    const seconds = expiresAt ? Math.max(60, Math.floor((expiresAt.getTime() - Date.now()) / 1000)) : 24 * 3600;
    this.setCookie(res, req, token, seconds);
  }

  end(res: Response, req: Request): void {
    res.cookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: 0 });
  }

  /** The CSRF token of a principal's session (JWT: bound to its jti; Basic: to the user). */
  csrfToken(principal: Principal): string {
    const binding = principal.method === 'jwt' ? `jwt:${principal.jti ?? principal.subject}` : `${principal.method}:${principal.subject}`;
    return createHmac('sha256', this.config.auth.jwtSecret).update(`admin-csrf:${binding}`).digest('base64url');
  }

  checkCsrf(principal: Principal, sent: string | undefined): boolean {
    return !!sent && same(sent, this.csrfToken(principal));
  }

  /** A fresh double-submit token for the login form, set as a cookie scoped to the login path. */
  loginCsrf(res: Response, req: Request): string {
    const value = randomBytes(24).toString('base64url');
    res.cookie(LOGIN_CSRF_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/admin/login', maxAge: 3600_000 });
    return value;
  }

  checkLoginCsrf(req: Request, sent: string | undefined): boolean {
    const cookie = readCookie(req, LOGIN_CSRF_COOKIE);
    return !!cookie && !!sent && same(cookie, sent);
  }

  private setCookie(res: Response, req: Request, token: string, maxAgeSeconds: number): void {
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: maxAgeSeconds * 1000 });
  }
}
