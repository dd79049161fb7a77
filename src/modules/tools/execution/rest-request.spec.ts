import { applyJsonPath, buildRestRequest, checkJsonPath, parseRetryAfter, planRetry, retryableStatus, retryDelayMs } from './rest-request';

const tool = (over: Partial<Parameters<typeof buildRestRequest>[0]> = {}) => ({ url: 'http://api.test/items/{id}', requestType: 'GET', headers: null, argumentMapping: null, ...over });

describe('buildRestRequest', () => {
  it('fills path placeholders (encoded) and sends the rest as query for GET, without a body', () => {
    const r = buildRestRequest(tool(), { id: 'a/b c', q: 'x', tags: ['t1', 't2'], skip: null }, null);
    expect(r.url).toBe('http://api.test/items/a%2Fb%20c?q=x&tags=t1&tags=t2');
    expect(r.body).toBeUndefined();
    expect(r.headers['content-type']).toBeUndefined();
  });

  it('sends the rest as a JSON body for POST (an empty object when nothing is left)', () => {
    expect(buildRestRequest(tool({ requestType: 'POST' }), { id: '1', name: 'n' }, null)).toMatchObject({ url: 'http://api.test/items/1', body: '{"name":"n"}' });
    expect(buildRestRequest(tool({ requestType: 'POST' }), { id: '1' }, null).body).toBe('{}');
  });

  it('follows an explicit argument mapping, including header and bodyRoot', () => {
    const r = buildRestRequest(
      tool({ requestType: 'PUT', headers: { 'X-Static': 's' }, argumentMapping: { id: 'path', page: 'query', 'X-Tenant': 'header', list: 'bodyRoot' } }),
      { id: '7', page: 2, 'X-Tenant': 'acme', list: [1, 2] },
      null,
    );
    expect(r).toEqual({ url: 'http://api.test/items/7?page=2', headers: expect.objectContaining({ 'X-Static': 's', 'X-Tenant': 'acme', 'content-type': 'application/json' }), body: '[1,2]' });
    expect(buildRestRequest(tool({ argumentMapping: { filter: 'body' } }), { id: '1', filter: { a: 1 } }, null).body).toBe('{"filter":{"a":1}}');
  });

  it('refuses header arguments with line breaks', () => {
    expect(() => buildRestRequest(tool({ argumentMapping: { h: 'header' } }), { id: '1', h: 'a\r\nInjected: 1' }, null)).toThrow(/arguments.h/);
  });

  it('adds credentials as headers or as a query parameter', () => {
    expect(buildRestRequest(tool(), { id: '1' }, { authType: 'bearer', token: 't' }).headers.Authorization).toBe('Bearer t');
    expect(buildRestRequest(tool(), { id: '1', q: 'x' }, { authType: 'query_param', queryParamName: 'key', queryParamValue: 'k&v' }).url).toBe('http://api.test/items/1?q=x&key=k%26v');
  });
});

describe('retry helpers', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });

  it('backs off exponentially with equal jitter, capped', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(retryDelayMs(0, { ...opts, random: () => 0 })).toBe(50);
    expect(retryDelayMs(0, { ...opts, random: () => 1 })).toBe(100);
    expect(retryDelayMs(2, { ...opts, random: () => 0.5 })).toBe(300);
    expect(retryDelayMs(10, { ...opts, random: () => 1 })).toBe(1000);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(1, opts);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });

  it('waits what Retry-After asks, and stops instead when that is longer than the cap or the time left', () => {
    const opts = { baseMs: 100, maxMs: 30_000, timeLeftMs: 10_000 };
    expect(planRetry(0, { ...opts, retryAfterMs: 700 })).toEqual({ waitMs: 700 });
    expect(planRetry(0, { ...opts, retryAfterMs: 0 })).toEqual({ waitMs: 0 });
    // Never shortened to the cap: an early retry would only be refused again.
    expect(planRetry(0, { ...opts, retryAfterMs: 60_000 })).toEqual({ note: 'Retry-After asks for 60 s, more than REST_TOOL_RETRY_MAX_DELAY (30 s): not retried' });
    expect(planRetry(0, { ...opts, retryAfterMs: 12_500 })).toEqual({ note: "Retry-After asks for 12.5 s, more than the 10 s left before the tool's timeout: not retried" });
    expect(planRetry(0, { ...opts, retryAfterMs: 10_000 })).toHaveProperty('note');
  });

  it('backs off without Retry-After while the wait fits in the time left, else stops without a note', () => {
    expect(planRetry(1, { baseMs: 100, maxMs: 1000, timeLeftMs: 5000, random: () => 1 })).toEqual({ waitMs: 200 });
    expect(planRetry(1, { baseMs: 100, maxMs: 1000, timeLeftMs: 150, random: () => 1 })).toEqual({});
  });

  it('retries 429 and 5xx only', () => {
    expect([200, 400, 404, 429, 500, 503, 599].map(retryableStatus)).toEqual([false, false, false, true, true, true, true]);
  });
});

describe('JSONPath filter', () => {
  const doc = { items: [{ name: 'a', n: 1 }, { name: 'b', n: 0 }], meta: { total: 2 } };

  it('unwraps a definite path and keeps arrays for wildcards and filters', () => {
    expect(applyJsonPath('$.meta.total', doc)).toBe(2);
    expect(applyJsonPath('$.meta', doc)).toEqual({ total: 2 });
    expect(applyJsonPath('$.items[*].name', doc)).toEqual(['a', 'b']);
    expect(applyJsonPath('$.items[?(@.n > 0)].name', doc)).toEqual(['a']);
    expect(applyJsonPath('$.nothing', doc)).toBeNull();
  });

  it('does not run arbitrary code in filters', () => {
    expect(() => applyJsonPath('$.items[?(process.exit(1))]', doc)).toThrow();
  });

  it('validates expressions', () => {
    expect(checkJsonPath('$.a[*].b')).toBeNull();
    expect(checkJsonPath('a.b')).toMatch(/\$/);
    expect(checkJsonPath('$.a[0')).toMatch(/unbalanced/);
  });
});
