import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RequestContext } from '../../common/context/request-context';
import { NotFoundError, ValidationError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { type ApiToken, ApiTokenRepository } from './api-token.repository';
import { type SignedToken, TokenService } from './token.service';

const REFRESH_MS = 5000;

export type TokenView = Omit<ApiToken, never> & { revoked: boolean };

/**
 * API tokens: minted through the API (recorded by jti), listed, and revoked. Any JWT can be revoked by its jti,
 * including ones minted by the token command. Revocations live in the database, so they hold on every replica:
 * each keeps the set of revoked, unexpired ids in memory and refreshes it every few seconds.
 */
@Injectable()
export class TokensService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Tokens');
  private revoked = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: ApiTokenRepository,
    private readonly tokens: TokenService,
    private readonly context: RequestContext,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async mint(options: { name?: string; subject?: string; expiresInMinutes?: number }): Promise<SignedToken & { name: string | null; subject: string }> {
    const actor = this.context.actor().name;
    const subject = options.subject ?? actor;
    const minutes = options.expiresInMinutes ?? this.config.auth.tokenExpiryMinutes;
    if (minutes === 0 && this.config.auth.requireExpiration) throw new ValidationError('expiresInMinutes', 'must be above 0 while REQUIRE_TOKEN_EXPIRATION=true');
    const signed = await this.tokens.sign({ subject, expiresInMinutes: minutes });
    await this.repo.insert({ jti: signed.jti, subject, name: options.name ?? null, createdAt: new Date(), createdBy: actor, expiresAt: signed.expiresAt, revokedAt: null, revokedBy: null });
    return { ...signed, name: options.name ?? null, subject };
  }

  async list(limit = 500): Promise<TokenView[]> {
    return (await this.repo.list(limit)).map((t) => ({ ...t, revoked: t.revokedAt !== null }));
  }

  /** Revokes a token by jti; unknown ids are recorded too (tokens minted outside the API). */
  async revoke(jti: string): Promise<TokenView> {
    if (!/^[A-Za-z0-9._:-]{1,64}$/.test(jti)) throw new NotFoundError('Token', jti);
    const by = this.context.actor().name;
    const now = new Date();
    const existing = await this.repo.find(jti);
    if (existing) {
      if (!existing.revokedAt) await this.repo.markRevoked(jti, by, now);
    } else {
      await this.repo.insert({ jti, subject: 'unknown', name: null, createdAt: now, createdBy: null, expiresAt: null, revokedAt: now, revokedBy: by });
    }
    this.revoked.add(jti);
    const token = (await this.repo.find(jti))!;
    return { ...token, revoked: true };
  }

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  async refresh(): Promise<void> {
    try {
      this.revoked = new Set(await this.repo.activeRevocations(new Date()));
    } catch (err) {
      this.logger.warn(`could not refresh token revocations (keeping the last known set): ${(err as Error).message}`);
    }
  }
}
