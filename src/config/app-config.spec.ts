import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('applies documented defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 4444 });
    expect(c.database).toMatchObject({ dialect: 'sqlite', sqlitePath: './mcp.db', migrateOnStart: true });
    expect(c.auth.required).toBe(true);
    expect(c.isDevelopment).toBe(true);
  });

  it.each([
    ['sqlite:///./data/mcp.db', 'sqlite', './data/mcp.db'],
    ['sqlite:////var/lib/mcp.db', 'sqlite', '/var/lib/mcp.db'],
    ['sqlite:///:memory:', 'sqlite', ':memory:'],
    ['postgresql://u:p@db:5432/mcp', 'postgres', undefined],
    ['postgresql+psycopg://u:p@db/mcp', 'postgres', undefined],
    ['mysql://root@127.0.0.1:3306/mcp', 'mysql', undefined],
    ['mariadb://root@127.0.0.1/mcp', 'mysql', undefined],
  ])('reads the dialect from DATABASE_URL %s', (url, dialect, path) => {
    const c = loadConfig({ DATABASE_URL: url });
    expect(c.database.dialect).toBe(dialect);
    expect(c.database.sqlitePath).toBe(path);
  });

  it('parses numbers, booleans and lists, treating empty values as unset', () => {
    const c = loadConfig({ PORT: '8080', AUTH_REQUIRED: 'no', MIGRATE_ON_START: 'FALSE', AUTH_ENCRYPTION_SECRET_PREVIOUS: 'a1234567, b1234567', LOG_LEVEL: '' });
    expect(c.server.port).toBe(8080);
    expect(c.auth.required).toBe(false);
    expect(c.database.migrateOnStart).toBe(false);
    expect(c.secrets.previousSecrets).toEqual(['a1234567', 'b1234567']);
    expect(c.logging.level).toBe('info');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ AUTH_REQUIRED: 'maybe' }, 'AUTH_REQUIRED'],
    [{ DATABASE_URL: 'oracle://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ENVIRONMENT: 'prod' }, 'ENVIRONMENT'],
  ])('refuses %p, naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n  - ${name}`));
  });

  it('refuses placeholder or short secrets outside development', () => {
    expect(() => loadConfig({ ENVIRONMENT: 'production' })).toThrow(/JWT_SECRET_KEY: the placeholder secret/);
    expect(() => loadConfig({ ENVIRONMENT: 'production', JWT_SECRET_KEY: 'short-secret' })).toThrow(/at least 32 characters/);
    const strong = 'x'.repeat(40);
    expect(() => loadConfig({ ENVIRONMENT: 'production', JWT_SECRET_KEY: strong })).toThrow(/AUTH_ENCRYPTION_SECRET/);
    const secrets = { JWT_SECRET_KEY: strong, AUTH_ENCRYPTION_SECRET: strong, BASIC_AUTH_PASSWORD: 'a-long-admin-password' };
    expect(loadConfig({ ENVIRONMENT: 'production', ...secrets }).isDevelopment).toBe(false);
  });

  it('reports every weak secret at once, in one message', () => {
    expect(() => loadConfig({ ENVIRONMENT: 'production', BASIC_AUTH_PASSWORD: 'short' })).toThrow(
      new Error(
        [
          'Invalid configuration:',
          '  - JWT_SECRET_KEY: the placeholder secret is only allowed when ENVIRONMENT=development',
          '  - AUTH_ENCRYPTION_SECRET: the placeholder secret is only allowed when ENVIRONMENT=development',
          '  - BASIC_AUTH_PASSWORD: must be at least 12 characters when ENVIRONMENT=production',
        ].join('\n'),
      ),
    );
  });

  it.each(['production', 'staging'])('refuses the default or a short BASIC_AUTH_PASSWORD when ENVIRONMENT=%s', (environment) => {
    const strong = { JWT_SECRET_KEY: 'x'.repeat(40), AUTH_ENCRYPTION_SECRET: 'y'.repeat(40) };
    expect(() => loadConfig({ ENVIRONMENT: environment, ...strong })).toThrow(/^Invalid configuration:\n {2}- BASIC_AUTH_PASSWORD: the default password is only allowed when ENVIRONMENT=development$/);
    expect(() => loadConfig({ ENVIRONMENT: environment, ...strong, BASIC_AUTH_PASSWORD: 'changeme' })).toThrow(/BASIC_AUTH_PASSWORD: the default password/);
    expect(() => loadConfig({ ENVIRONMENT: environment, ...strong, BASIC_AUTH_PASSWORD: 'short-pw-11' })).toThrow(
      new RegExp(`BASIC_AUTH_PASSWORD: must be at least 12 characters when ENVIRONMENT=${environment}`),
    );
    expect(loadConfig({ ENVIRONMENT: environment, ...strong, BASIC_AUTH_PASSWORD: 'twelve-chars' }).auth.basicPassword).toBe('twelve-chars');
    // Development keeps working out of the box.
    expect(loadConfig({}).auth.basicPassword).toBe('changeme');
  });

  it('reads TRUST_PROXY (default: loopback proxies only) and refuses entries that are not addresses, naming it', () => {
    expect(loadConfig({}).server.trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '10.244.0.0/16,uniquelocal' }).server.trustProxy).toEqual(['10.244.0.0/16', 'uniquelocal']);
    expect(loadConfig({ TRUST_PROXY: '1' }).server.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'false' }).server.trustProxy).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: 'ingress.local' })).toThrow(/^Invalid configuration:\n {2}- TRUST_PROXY: invalid IP address: ingress\.local/);
  });
});
