import request from 'supertest';
import { startGateway, type TestGateway } from '../support/gateway';

const AUTH = { AUTH_REQUIRED: 'true', BASIC_AUTH_USER: 'ops', BASIC_AUTH_PASSWORD: 'hardening-password' };

/** Security headers (helmet) and CORS as configured, checked on real responses. */
describe('HTTP hardening: security headers and CORS', () => {
  const gateways: TestGateway[] = [];
  const start = async (env: Record<string, string>) => {
    const gw = await startGateway({ ...AUTH, ...env });
    gateways.push(gw);
    return gw;
  };
  afterAll(() => Promise.all(gateways.map((g) => g.close())));

  it('sends helmet security headers on API responses (also on errors), and none with SECURITY_HEADERS_ENABLED=false', async () => {
    const gw = await start({ CORS_ALLOWED_ORIGINS: '' });
    for (const res of [await request(gw.url).get('/tools').auth('ops', 'hardening-password').expect(200), await request(gw.url).get('/tools').expect(401)]) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringMatching(/^max-age=\d+; includeSubDomains$/),
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'x-dns-prefetch-control': 'off',
        'x-download-options': 'noopen',
        'x-permitted-cross-domain-policies': 'none',
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
      // CORS is off: no Access-Control-* headers, even for a browser origin.
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const preflight = await request(gw.url).options('/tools').set('origin', 'https://ui.example').set('access-control-request-method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();

    const plain = await start({ SECURITY_HEADERS_ENABLED: 'false' });
    const res = await request(plain.url).get('/health').expect(200);
    expect(res.headers['x-content-type-options']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('CORS for a list of origins: preflight without credentials, credentialed responses for listed origins only', async () => {
    const gw = await start({ CORS_ALLOWED_ORIGINS: 'https://ui.example,https://ops.example' });
    const preflight = await request(gw.url)
      .options('/tools')
      .set('origin', 'https://ui.example')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'authorization,content-type')
      .expect(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'https://ui.example',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': expect.stringContaining('POST'),
      'access-control-allow-headers': 'authorization,content-type',
    });
    expect(preflight.headers.vary).toMatch(/Origin/);

    const res = await request(gw.url).get('/tools').set('origin', 'https://ops.example').auth('ops', 'hardening-password').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://ops.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-expose-headers']).toBe('Mcp-Session-Id,Retry-After,WWW-Authenticate');

    for (const origin of ['https://evil.example', 'https://ui.example.evil.example', 'null']) {
      const other = await request(gw.url).options('/tools').set('origin', origin).set('access-control-request-method', 'POST');
      expect([origin, other.headers['access-control-allow-origin']]).toEqual([origin, undefined]);
      const get = await request(gw.url).get('/tools').set('origin', origin).auth('ops', 'hardening-password').expect(200);
      expect([origin, get.headers['access-control-allow-origin']]).toEqual([origin, undefined]);
    }
  });

  it('CORS `*`: any origin may read responses, but never with credentials', async () => {
    const gw = await start({ CORS_ALLOWED_ORIGINS: '*' });
    const preflight = await request(gw.url).options('/tools').set('origin', 'https://anywhere.example').set('access-control-request-method', 'GET').expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const res = await request(gw.url).get('/health').set('origin', 'https://anywhere.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
