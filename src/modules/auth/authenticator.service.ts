import { Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter.service';
import type { Principal } from './principal';
import { subjectOf, TokenService } from './token.service';
import { TokensService } from './tokens.service';

/** Cookie the admin UI stores its session JWT in. */
export const SESSION_COOKIE = 'jwt_token';

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function cookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * Turns request headers into a principal: `Authorization: Bearer <JWT>`, `Authorization: Basic` with
 * BASIC_AUTH_USER/PASSWORD, or the admin UI's session cookie. Null when no credentials were sent; a 401 naming
 * the problem when they are wrong (bad password, expired, tampered, revoked, wrong algorithm...).
 *
 * Given the client's address, wrong passwords count against AUTH_FAILURES_PER_MINUTE, and past it every password
 * from that address is refused with a 429 (AuthLockoutError) before it is even looked at. Tokens are not counted:
 * an HS256 signature cannot be guessed, and a client retrying an expired token must not lock out its neighbours
 * (behind a proxy that TRUST_PROXY does not name, every client shares the proxy's address).
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly registry: TokensService,
    private readonly config: AppConfig,
    private readonly failures: AuthFailureLimiter,
  ) {}

  /** The principal the headers' credentials prove; `client` (IP address) is charged for a wrong password. */
  async authenticate(headers: IncomingHttpHeaders, client?: string): Promise<Principal | null> {
    const header = headers.authorization;
    if (header) {
      const [scheme, ...rest] = header.trim().split(/\s+/);
      const value = rest.join(' ');
      if (/^bearer$/i.test(scheme)) return this.fromJwt(value);
      if (/^basic$/i.test(scheme)) return this.passwordAttempt(client, () => this.fromBasic(value));
      throw new DomainError(ErrorCode.Unauthorized, `Unsupported authorization scheme '${scheme}' (use Bearer or Basic)`);
    }
    const session = cookie(headers, SESSION_COOKIE);
    return session ? this.fromJwt(session) : null;
  }

  /**
   * Checks a password for `client`: refused (AuthLockoutError, 429) while the address is locked out, and a 401 from
   * `check` counts as a failure. Only the Redis (or memory) counter read is added to the check, and only here: a
   * request with a token never reaches it. Without a client address, just runs the check.
   */
  async passwordAttempt<T>(client: string | undefined, check: () => T | Promise<T>): Promise<T> {
    if (client) await this.failures.assertNotLocked(client);
    try {
      return await check();
    } catch (err) {
      if (client && err instanceof DomainError && err.code === ErrorCode.Unauthorized) await this.failures.recordFailure(client);
      throw err;
    }
  }

  async fromJwt(token: string): Promise<Principal> {
    if (!token) throw new DomainError(ErrorCode.Unauthorized, 'Empty bearer token');
    const payload = await this.tokens.verify(token);
    if (payload.jti && this.registry.isRevoked(payload.jti)) throw new DomainError(ErrorCode.Unauthorized, 'Token has been revoked');
    return { subject: subjectOf(payload)!, method: 'jwt', jti: payload.jti, expiresAt: payload.exp ? new Date(payload.exp * 1000) : undefined };
  }

  fromBasic(encoded: string): Principal {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    const { basicUser, basicPassword } = this.config.auth;
    // Both comparisons always run, so timing does not tell which one failed.
    const ok = [sameSecret(user, basicUser), sameSecret(password, basicPassword)].every(Boolean);
    if (!ok) throw new DomainError(ErrorCode.Unauthorized, 'Invalid user name or password');
    return { subject: user, method: 'basic' };
  }
}
