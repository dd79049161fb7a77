import { getEventListeners } from 'node:events';
import { untilAborted } from './async';

describe('untilAborted', () => {
  it('settles like the promise while the signal stays quiet, and leaves no listener behind', async () => {
    const controller = new AbortController();
    await expect(untilAborted(Promise.resolve(7), controller.signal)).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('failed')), controller.signal)).rejects.toThrow('failed');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(untilAborted(Promise.resolve('no signal'))).resolves.toBe('no signal');
  });

  it("rejects with the signal's reason as soon as it aborts, or at once when it already has", async () => {
    const controller = new AbortController();
    const never = new Promise<never>(() => undefined);
    const waiting = untilAborted(never, controller.signal);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(untilAborted(never, controller.signal)).rejects.toBe(reason);
    await expect(untilAborted(never, AbortSignal.timeout(5))).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
