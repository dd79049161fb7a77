import { Body, Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { setRetryAfter } from '../../../common/filters/http-exception.filter';
import { AppConfig } from '../../../config/app-config';
import { Authenticator } from '../../auth/authenticator.service';
import { Public } from '../../auth/public.decorator';
import { AdminExceptionFilter } from '../web/admin-exception.filter';
import { AdminSession, CSRF_FIELD } from '../web/admin-session.service';
import { AdminGuard, type AdminRequest } from '../web/admin.guard';
import type { FormBody } from '../web/forms';

/** Only same-site admin paths are followed after sign-in (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(\/[\w\-./?=&%]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin';
}

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/** Sign-in with BASIC_AUTH_USER/PASSWORD or a JWT, and sign-out. */
@Controller('admin')
@Public()
@UseFilters(AdminExceptionFilter)
export class LoginController {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly session: AdminSession,
    private readonly config: AppConfig,
  ) {}

  @Get('login')
  page(@Req() req: Request, @Res() res: Response, @Query('next') next?: string): void {
    this.show(req, res, 200, { next: safeNext(next) });
  }

  @Post('login')
  async login(@Req() req: Request, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    const next = safeNext(one(body.next));
    if (!this.session.checkLoginCsrf(req, one(body[CSRF_FIELD]))) {
      throw new DomainError(ErrorCode.Forbidden, 'CSRF token is missing or invalid: reload the sign-in page');
    }
    const username = one(body.username).trim();
    const token = one(body.token).trim();
    try {
      if (token) {
        const principal = await this.authenticator.fromJwt(token);
        this.session.adopt(res, req, token, principal.expiresAt);
      } else {
        const principal = await this.authenticator.passwordAttempt(req.ip, () => this.authenticator.fromBasic(Buffer.from(`${username}:${one(body.password)}`).toString('base64')));
        await this.session.start(res, req, principal.subject);
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const locked = err.code === ErrorCode.RateLimited; // too many wrong passwords from this address
      setRetryAfter(res, err);
      return this.show(req, res, locked ? 429 : 401, { next, username, error: token || locked ? err.message : 'Invalid user name or password' });
    }
    res.redirect(303, next);
  }

  @Post('logout')
  @UseGuards(AdminGuard)
  logout(@Req() req: AdminRequest, @Res() res: Response): void {
    this.session.end(res, req);
    res.redirect(303, '/admin/login');
  }

  private show(req: Request, res: Response, status: number, data: Record<string, unknown>): void {
    res.status(status).render('login', { ...data, title: 'Sign in', loginCsrf: this.session.loginCsrf(res, req), authRequired: this.config.auth.required });
  }
}
