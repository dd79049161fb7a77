import { loadConfig } from '../../../config/app-config';
import { callDeadline } from './tool-executor';

const config = loadConfig({ TOOL_TIMEOUT: '30' });
const aborted = (signal: AbortSignal) => new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));

describe('callDeadline', () => {
  it("takes the tool's timeout, else TOOL_TIMEOUT, and ends the call then", async () => {
    expect(callDeadline({ timeoutMs: null }, {}, config).timeoutMs).toBe(30_000);
    const before = Date.now();
    const { timeoutMs, endsAt, deadline, signal } = callDeadline({ timeoutMs: 20 }, {}, config);
    expect(timeoutMs).toBe(20);
    expect(endsAt - before).toBeGreaterThanOrEqual(20);
    expect(endsAt - before).toBeLessThan(1000);
    expect(await aborted(signal)).toMatchObject({ name: 'TimeoutError' });
    expect(deadline.aborted).toBe(true);
  });

  it("follows the caller's cancellation, which the deadline signal does not report", async () => {
    const caller = new AbortController();
    const { deadline, signal } = callDeadline({ timeoutMs: 60_000 }, { signal: caller.signal }, config);
    expect(signal.aborted).toBe(false);
    caller.abort(new Error('client went away'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('client went away');
    expect(deadline.aborted).toBe(false);
  });
});
