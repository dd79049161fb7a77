import { CanActivate, ExecutionContext, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { RequestContext } from '../../common/context/request-context';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { Authenticator } from './authenticator.service';
import type { Principal } from './principal';
import { IS_PUBLIC, type PublicWhen } from './public.decorator';

/** The request as the guard leaves it: the principal, and `auth` in the shape the MCP SDK passes to handlers. */
export type AuthenticatedRequest = Request & { user?: Principal; auth?: { token: string; clientId: string; scopes: string[] } };

export const ANONYMOUS: Principal = { subject: 'anonymous', method: 'anonymous' };

/**
 * Secure by default: every route requires credentials unless marked `@Public()`. With AUTH_REQUIRED=false the
 * gateway serves anyone (a loud warning at start-up); credentials that are sent are still checked.
 */
@Injectable()
export class AuthGuard implements CanActivate, OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.auth.required) {
      this.logger.warn('AUTH_REQUIRED=false: every route and MCP endpoint is open to anyone who can reach this port. Use only for local development.');
    }
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const when = this.reflector.getAllAndOverride<PublicWhen | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    const isPublic = typeof when === 'function' ? when(this.config) : when === true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let principal: Principal | null = null;
    try {
      // Failures count against the client's address where they are refused (not on public routes, whose own
      // guards, like the admin UI's, authenticate again and count there).
      principal = await this.authenticator.authenticate(req.headers, isPublic ? undefined : req.ip);
    } catch (err) {
      if (!isPublic) throw this.challenge(context, err as DomainError);
    }
    if (!principal) {
      if (isPublic || !this.config.auth.required) principal = ANONYMOUS;
      else throw this.challenge(context, new DomainError(ErrorCode.Unauthorized, 'Authentication required: send Authorization: Bearer <token> (or Basic credentials)'));
    }
    req.user = principal;
    const bearer = req.headers.authorization?.replace(/^bearer\s+/i, '');
    req.auth = { token: bearer ?? '', clientId: principal.subject, scopes: [] };
    this.context.setActor(principal.subject);
    return true;
  }

  /** A 401 carries the challenge; a lockout (429) does not: the exception filter gives it its Retry-After. */
  private challenge(context: ExecutionContext, err: DomainError): DomainError {
    if (err.code === ErrorCode.Unauthorized) context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="mcp-gateway"');
    return err;
  }
}
