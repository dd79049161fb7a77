import type { Response } from 'express';
import { strictMock } from '../../../../test/support/unit';
import { loadConfig } from '../../../config/app-config';
import type { GatewayMetrics } from '../../../observability/metrics/gateway-metrics.service';
import type { AuthenticatedRequest } from '../../auth/auth.guard';
import { MemoryThrottlerStorage } from '../../rate-limit/counter-peek';
import { ToolCallLimiter } from '../../rate-limit/tool-call-limiter.service';
import { RATE_LIMITED, ToolCallGate } from './tool-call-gate';

const call = (id: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 't' } });

describe('ToolCallGate', () => {
  let storage: MemoryThrottlerStorage;
  let gate: ToolCallGate;

  beforeEach(() => {
    storage = new MemoryThrottlerStorage();
    const metrics = strictMock<GatewayMetrics>('GatewayMetrics', { rateLimited: () => undefined });
    gate = new ToolCallGate(new ToolCallLimiter(storage, loadConfig({ MAX_TOOL_CALLS_PER_MINUTE: '2' }), metrics));
  });
  afterEach(() => storage.onApplicationShutdown());

  it('charges the token subject, else the address, and answers a -32029 error naming the limit once over it', async () => {
    expect(await gate.refusal('alice', '10.0.0.1', call(1))).toBeNull();
    expect(await gate.refusal('alice', '10.0.0.2', call(2))).toBeNull();
    const over = await gate.refusal('alice', '10.0.0.3', call('three'));
    expect(over).toEqual({
      jsonrpc: '2.0',
      id: 'three',
      error: { code: RATE_LIMITED, message: expect.stringMatching(/^Rate limit exceeded: 2 tool calls per minute; retry after \d+ s$/), data: { retryAfter: expect.any(Number), limit: 2 } },
    });
    // Anonymous clients are told apart by address; messages that call no tool are free.
    expect(await gate.refusal('anonymous', '10.0.0.1', call(4))).toBeNull();
    expect(await gate.refusal('alice', '10.0.0.1', { jsonrpc: '2.0', id: 5, method: 'tools/list' })).toBeNull();
  });

  it('answers an HTTP request over the limit with 429, Retry-After and the error carrying the first id of a batch', async () => {
    const headers: Record<string, string> = {};
    let status = 0;
    let body: unknown;
    const res = {
      headersSent: false,
      setHeader: (name: string, value: string) => void (headers[name] = value),
      status(code: number) {
        status = code;
        return this;
      },
      json: (b: unknown) => void (body = b),
    } as unknown as Response;
    const req = { user: { subject: 'bob', method: 'jwt' }, ip: '10.0.0.9' } as unknown as AuthenticatedRequest;
    expect(await gate.admit(req, res, [call(1), call(2)])).toBe(true);
    expect(await gate.admit(req, res, [call(7), call(8)])).toBe(false);
    expect(status).toBe(429);
    expect(Number(headers['Retry-After'])).toBeGreaterThan(0);
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: RATE_LIMITED, data: { limit: 2, retryAfter: Number(headers['Retry-After']) } } });
  });
});
