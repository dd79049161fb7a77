import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { SECRET_CREDENTIAL_FIELDS } from '../../common/credentials';
import { loadConfig } from '../../config/app-config';
import { loggerOptions, redactSecrets } from './logging.module';

/** The gateway's pino-http logger writing its lines into an array. */
function logger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: pinoHttp(loggerOptions(loadConfig({ LOG_LEVEL: 'info' })), stream).logger, lines };
}

const SECRETS = ['hunter2', 'tok-123', 'Bearer abc.def', 'sid=42', 'k-9', 'enc-s3cret', 'basic-pw', 'jwt-key', 'c1', 'c2'];

describe('log redaction', () => {
  it('replaces credential fields at any depth, headers included, and keeps everything else', () => {
    const { log, lines } = logger();
    log.info(
      {
        password: 'hunter2',
        peer: { name: 'alpha', auth: { authType: 'bearer', token: 'tok-123', authValue: { nested: 'ok' } } },
        upstream: { request: { headers: { authorization: 'Bearer abc.def', Cookie: 'sid=42', 'X-API-Key': 'k-9', accept: 'application/json' } } },
        config: { db: { pool: { AUTH_ENCRYPTION_SECRET: 'enc-s3cret', basicAuthPassword: 'basic-pw', deep: { JWT_SECRET_KEY: 'jwt-key' } } } },
        reply: { headers: { 'set-cookie': ['c1', 'c2'] } },
        count: 3,
      },
      'peer "password": "not a field" registered',
    );
    expect(lines).toHaveLength(1);
    for (const secret of SECRETS) expect([secret, lines[0].includes(secret)]).toEqual([secret, false]);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({
      msg: 'peer "password": "not a field" registered',
      password: '[redacted]',
      peer: { name: 'alpha', auth: { authType: 'bearer', token: '[redacted]', authValue: { nested: 'ok' } } },
      upstream: { request: { headers: { authorization: '[redacted]', Cookie: '[redacted]', 'X-API-Key': '[redacted]', accept: 'application/json' } } },
      config: { db: { pool: { AUTH_ENCRYPTION_SECRET: '[redacted]', basicAuthPassword: '[redacted]', deep: { JWT_SECRET_KEY: '[redacted]' } } } },
      reply: { headers: { 'set-cookie': '[redacted]' } },
      count: 3,
    });
  });

  it('redacts credentials of errors (e.g. a failed request with its headers), numbers and nulls too', () => {
    const { log, lines } = logger();
    const err = Object.assign(new Error('upstream refused'), { options: { headers: { 'proxy-authorization': 'Basic aGk6dGhlcmU=' } }, apiKey: 12345, refresh_token: null });
    log.error({ err }, 'call failed');
    const line = JSON.parse(lines[0]);
    expect(line.err).toMatchObject({ message: 'upstream refused', options: { headers: { 'proxy-authorization': '[redacted]' } }, apiKey: '[redacted]', refresh_token: '[redacted]' });
    expect(lines[0]).not.toContain('aGk6dGhlcmU=');
  });

  it('redacts every secret field of stored credentials (query_param API keys included) and credential(s) fields', () => {
    const { log, lines } = logger();
    const secrets = Object.fromEntries(SECRET_CREDENTIAL_FIELDS.map((field) => [field, `s3cret-${field}`]));
    log.warn(
      {
        auth: { authType: 'query_param', queryParamName: 'api_key', ...secrets },
        snake: { query_param_value: 'qp-1', 'Query-Param-Value': 'qp-2' },
        upstream: { credentials: 'user:pw-1', credential: 'pw-2', tool: { credentials: { authType: 'basic', username: 'bob', password: 'pw-3' } } },
      },
      'tool call failed',
    );
    for (const secret of [...Object.values(secrets), 'qp-1', 'qp-2', 'pw-1', 'pw-2', 'pw-3']) expect([secret, lines[0].includes(secret)]).toEqual([secret, false]);
    const line = JSON.parse(lines[0]);
    expect(line.auth).toEqual({ authType: 'query_param', queryParamName: 'api_key', ...Object.fromEntries(SECRET_CREDENTIAL_FIELDS.map((f) => [f, '[redacted]'])) });
    expect(line.snake).toEqual({ query_param_value: '[redacted]', 'Query-Param-Value': '[redacted]' });
    // An object under a credential name keeps its structure: its fields are judged one by one.
    expect(line.upstream).toEqual({ credentials: '[redacted]', credential: '[redacted]', tool: { credentials: { authType: 'basic', username: 'bob', password: '[redacted]' } } });
  });

  it('leaves a line without credentials byte for byte, and keeps escaped quotes inside strings intact', () => {
    const plain = '{"level":30,"msg":"a \\"token\\":\\"x\\" in text","req":{"url":"/tools?limit=5"},"tokens":7}';
    expect(redactSecrets(plain)).toBe(plain);
    expect(redactSecrets('{"a":{"b":{"c":{"d":{"e":{"password":"p\\"w"}}}}}}')).toBe('{"a":{"b":{"c":{"d":{"e":{"password":"[redacted]"}}}}}}');
  });
});
