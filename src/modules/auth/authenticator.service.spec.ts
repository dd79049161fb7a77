import { DomainError } from '../../common/errors/domain-error';
import { loadConfig } from '../../config/app-config';
import { strictMock } from '../../../test/support/unit';
import { AuthFailureLimiter, AuthLockoutError } from '../rate-limit/auth-failure-limiter.service';
import { MemoryThrottlerStorage } from '../rate-limit/counter-peek';
import { Authenticator, SESSION_COOKIE } from './authenticator.service';
import { TokenService } from './token.service';
import type { TokensService } from './tokens.service';

const SECRET = 'authenticator-spec-secret-0123456789abcdef';
const CLIENT = '10.9.0.1';

describe('Authenticator', () => {
  let storage: MemoryThrottlerStorage;
  let authenticator: Authenticator;
  let tokens: TokenService;

  beforeEach(() => {
    storage = new MemoryThrottlerStorage();
    const config = loadConfig({ JWT_SECRET_KEY: SECRET, BASIC_AUTH_USER: 'ops', BASIC_AUTH_PASSWORD: 'right', AUTH_FAILURES_PER_MINUTE: '2' });
    tokens = new TokenService(config);
    const registry = strictMock<TokensService>('TokensService', { isRevoked: () => false });
    authenticator = new Authenticator(tokens, registry, config, new AuthFailureLimiter(storage, config));
  });
  afterEach(() => storage.onApplicationShutdown());

  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const failure = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as DomainError);

  it('counts wrong passwords per address, then refuses every password from it, the right one too', async () => {
    for (let i = 0; i < 2; i++) expect(await failure(authenticator.authenticate(basic('ops', 'guess'), CLIENT))).toMatchObject({ code: 'UNAUTHORIZED', message: 'Invalid user name or password' });
    const locked = await failure(authenticator.authenticate(basic('ops', 'right'), CLIENT));
    expect(locked).toBeInstanceOf(AuthLockoutError);
    expect(locked).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfter: expect.any(Number), limit: 2 } });
    // Another address, and a check without an address (a public route), are not locked.
    expect(await authenticator.authenticate(basic('ops', 'right'), '10.9.0.2')).toEqual({ subject: 'ops', method: 'basic' });
    expect(await authenticator.authenticate(basic('ops', 'right'))).toEqual({ subject: 'ops', method: 'basic' });
  });

  it('never counts tokens nor reads the counter for them: bad ones are a plain 401, good ones pass a locked address', async () => {
    const peek = jest.spyOn(storage, 'peek');
    const increment = jest.spyOn(storage, 'increment');
    const forged = (await tokens.sign({ subject: 'alice', expiresInMinutes: 5 })).token.replace(/\.[^.]+$/, '.forged-signature');
    for (let i = 0; i < 5; i++) {
      expect(await failure(authenticator.authenticate({ authorization: `Bearer ${forged}` }, CLIENT))).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await failure(authenticator.authenticate({ authorization: 'Bearer not-a-jwt' }, CLIENT))).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await failure(authenticator.authenticate({ cookie: `${SESSION_COOKIE}=garbage` }, CLIENT))).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect(peek).not.toHaveBeenCalled();
    expect(increment).not.toHaveBeenCalled();

    for (let i = 0; i < 2; i++) await failure(authenticator.authenticate(basic('ops', 'guess'), CLIENT));
    const { token } = await tokens.sign({ subject: 'alice', expiresInMinutes: 5 });
    peek.mockClear();
    expect(await authenticator.authenticate({ authorization: `Bearer ${token}` }, CLIENT)).toMatchObject({ subject: 'alice', method: 'jwt' });
    expect(peek).not.toHaveBeenCalled();
  });

  it('answers an unsupported scheme with 401 without counting it, and no credentials with null', async () => {
    expect(await failure(authenticator.authenticate({ authorization: 'Digest abc' }, CLIENT))).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/Unsupported authorization scheme 'Digest'/) });
    expect(storage.storage.size).toBe(0);
    expect(await authenticator.authenticate({}, CLIENT)).toBeNull();
  });
});
