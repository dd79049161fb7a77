import { Injectable } from '@nestjs/common';
import { errors as joseErrors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';

/** Clock skew tolerated between the gateway and whoever minted a token, in seconds. */
const CLOCK_SKEW_S = 30;

export interface SignOptions {
  subject: string;
  /** Minutes; 0 for a token without expiry (accepted only with REQUIRE_TOKEN_EXPIRATION=false). */
  expiresInMinutes: number;
  claims?: Record<string, unknown>;
}

export interface SignedToken {
  token: string;
  jti: string;
  expiresAt: Date | null;
}

/** The subject of a JWT: `sub`, else the reference gateway's `username` or `email` claims. */
export function subjectOf(payload: JWTPayload): string | undefined {
  const p = payload as JWTPayload & { username?: unknown; email?: unknown };
  for (const v of [p.sub, p.username, p.email]) if (typeof v === 'string' && v) return v;
  return undefined;
}

/**
 * HS256 JWTs signed with JWT_SECRET_KEY, in the reference gateway's shape (`sub`, `username`, `iat`, `jti`, `exp`,
 * `iss`, `aud`), so tokens minted by either work with both. Verification accepts HS256 only (no `none`, no
 * algorithm confusion), requires `iat` and refuses one more than 30 s in the future, checks `exp` (and `nbf`) with
 * 30 s of clock skew, and `iss`/`aud` when configured.
 */
@Injectable()
export class TokenService {
  private readonly key: Uint8Array;

  constructor(private readonly config: AppConfig) {
    this.key = new TextEncoder().encode(config.auth.jwtSecret);
  }

  async sign(options: SignOptions): Promise<SignedToken> {
    const { audience, issuer } = this.config.auth;
    const jti = randomUUID();
    const jwt = new SignJWT({ username: options.subject, ...options.claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(options.subject)
      .setIssuedAt()
      .setJti(jti);
    if (issuer) jwt.setIssuer(issuer);
    if (audience) jwt.setAudience(audience);
    let expiresAt: Date | null = null;
    if (options.expiresInMinutes > 0) {
      expiresAt = new Date(Date.now() + options.expiresInMinutes * 60_000);
      jwt.setExpirationTime(Math.floor(expiresAt.getTime() / 1000));
    }
    return { token: await jwt.sign(this.key), jti, expiresAt };
  }

  /** The verified claims; a 401 saying what is wrong otherwise. */
  async verify(token: string): Promise<JWTPayload> {
    const { audience, issuer, requireExpiration, requireJti } = this.config.auth;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_SKEW_S,
        ...(audience ? { audience } : {}),
        ...(issuer ? { issuer } : {}),
        requiredClaims: ['iat', ...(requireExpiration ? ['exp'] : []), ...(requireJti ? ['jti'] : [])],
      });
      // jose checks that `iat` is a number, but its age only with maxTokenAge: a token "issued" later than now is forged
      // or minted on a clock that is wrong.
      if (payload.iat! > Date.now() / 1000 + CLOCK_SKEW_S) throw new DomainError(ErrorCode.Unauthorized, "Token claim 'iat' is invalid: issued in the future");
      if (!subjectOf(payload)) throw new DomainError(ErrorCode.Unauthorized, 'Token has no subject (sub, username or email)');
      return payload;
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new DomainError(ErrorCode.Unauthorized, describeJoseError(err));
    }
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'Token expired';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'Token signature is invalid';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'Token algorithm is not allowed (HS256 only)';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `Token claim '${err.claim}' is invalid: ${err.reason}`;
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) return 'Token is malformed';
  return 'Token is invalid';
}
