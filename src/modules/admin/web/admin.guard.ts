import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { RequestContext } from '../../../common/context/request-context';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';
import { ANONYMOUS } from '../../auth/auth.guard';
import { Authenticator } from '../../auth/authenticator.service';
import type { Principal } from '../../auth/principal';
import { AdminSession, CSRF_FIELD, CSRF_HEADER } from './admin-session.service';

/** The request inside the admin UI: who is signed in and the CSRF token their forms carry. */
export type AdminRequest = Request & { user?: Principal; adminUser?: Principal; csrfToken?: string };

/** Raised when nobody is signed in: the admin exception filter redirects to the login page. */
export class AdminLoginRequired extends DomainError {
  constructor() {
    super(ErrorCode.Unauthorized, 'Sign in to use the admin UI');
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Guards every admin page except the login page: the session cookie (or HTTP Basic / Bearer credentials) must
 * authenticate, else the browser is sent to /admin/login; a state-changing request must carry the session's CSRF
 * token (form field `_csrf` or header `X-CSRF-Token`), else 403. Changes made here are audited as `via: ui`.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly session: AdminSession,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AdminRequest>();
    let principal: Principal | null = null;
    try {
      principal = await this.authenticator.authenticate(req.headers, req.ip);
    } catch {
      principal = null; // expired or revoked session: sign in again
    }
    if (!principal) {
      if (this.config.auth.required) throw new AdminLoginRequired();
      principal = ANONYMOUS;
    }
    if (!SAFE_METHODS.has(req.method)) {
      const body = req.body as Record<string, unknown> | undefined;
      const sent = (req.headers[CSRF_HEADER] as string | undefined) ?? (typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined);
      if (!this.session.checkCsrf(principal, sent)) {
        throw new DomainError(ErrorCode.Forbidden, sent ? 'CSRF token is invalid' : 'CSRF token is missing', { field: CSRF_FIELD });
      }
    }
    req.user = principal;
    req.adminUser = principal;
    req.csrfToken = this.session.csrfToken(principal);
    this.context.setActor(principal.subject);
    this.context.setVia('ui');
    return true;
  }
}
