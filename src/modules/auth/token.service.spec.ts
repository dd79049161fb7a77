import { SignJWT } from 'jose';
import { DomainError } from '../../common/errors/domain-error';
import { loadConfig } from '../../config/app-config';
import { TokenService } from './token.service';

const SECRET = 'token-service-spec-secret-0123456789abcdef';
const now = () => Math.floor(Date.now() / 1000);

describe('TokenService', () => {
  const service = new TokenService(loadConfig({ JWT_SECRET_KEY: SECRET }));

  function craft(iat: number | null, extra: Record<string, unknown> = {}): Promise<string> {
    const jwt = new SignJWT({ username: 'spec', ...extra }).setProtectedHeader({ alg: 'HS256' }).setSubject('spec').setJti('j1').setIssuer('mcpgateway').setAudience('mcpgateway-api').setExpirationTime(now() + 600);
    if (iat !== null) jwt.setIssuedAt(iat);
    return jwt.sign(new TextEncoder().encode(SECRET));
  }

  it('verifies the tokens it signs', async () => {
    const { token } = await service.sign({ subject: 'alice', expiresInMinutes: 5 });
    expect(await service.verify(token)).toMatchObject({ sub: 'alice', iat: expect.any(Number) });
  });

  it.each([
    ['no iat', null, /^Token claim 'iat' is invalid: missing$/],
    ['iat an hour ahead', 3600, /^Token claim 'iat' is invalid: issued in the future$/],
    ['iat 35 s ahead', 35, /issued in the future/],
  ])('refuses a token with %s (401)', async (_label, offset, message) => {
    const err = await service.verify(await craft(offset === null ? null : now() + offset)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('UNAUTHORIZED');
    expect((err as DomainError).message).toMatch(message);
  });

  it('tolerates 30 s of clock skew on iat, and accepts old iat values', async () => {
    await expect(service.verify(await craft(now() + 25))).resolves.toMatchObject({ sub: 'spec' });
    await expect(service.verify(await craft(now() - 86_400))).resolves.toMatchObject({ sub: 'spec' });
  });
});
