import { AsyncLocalStorage } from 'node:async_hooks';
import { ClsService } from 'nestjs-cls';
import { clip, CONTEXT_LIMITS, RequestContext, requestValues } from './request-context';

describe('request context', () => {
  it('clips by characters (code points), never splitting a surrogate pair', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('abcdef', 3)).toBe('abc');
    expect(clip('😀😀😀', 2)).toBe('😀😀');
    expect(clip(undefined, 3)).toBeUndefined();
  });

  it('fits the User-Agent and client address of a request to their columns', () => {
    const values = requestValues({ headers: { 'user-agent': 'u'.repeat(2000) }, ip: '1'.repeat(300) });
    expect(values.userAgent).toHaveLength(CONTEXT_LIMITS.userAgent);
    expect(values.ip).toHaveLength(CONTEXT_LIMITS.ip);
    expect(values.via).toBe('api');
    expect(requestValues({ headers: {}, ip: '127.0.0.1' })).toEqual({ ip: '127.0.0.1', userAgent: undefined, via: 'api' });
  });

  it('fits values set by setup(), setActor() and run()', async () => {
    const cls = new ClsService(new AsyncLocalStorage());
    const context = new RequestContext(cls);
    await cls.run(async () => {
      RequestContext.setup(cls, { headers: { 'user-agent': 'a'.repeat(600) }, ip: '::1' });
      context.setActor('x'.repeat(1000));
      expect(context.actor()).toMatchObject({ name: 'x'.repeat(CONTEXT_LIMITS.actor), ip: '::1', userAgent: 'a'.repeat(512), via: 'api' });
      await context.run({ via: 'import', userAgent: 'b'.repeat(513) }, async () => {
        expect(context.actor()).toMatchObject({ via: 'import', userAgent: 'b'.repeat(512), ip: '::1' });
      });
    });
    expect(context.actor()).toEqual({ name: 'system', via: 'system' });
  });
});
