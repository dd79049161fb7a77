import { BatchedFlush } from './batched-flush';

/** A write that records when it runs and can be held open or made to fail. */
function writer() {
  const log: string[] = [];
  let running = 0;
  let failNext = false;
  let gate: Promise<void> | undefined;
  const write = jest.fn(async () => {
    running++;
    log.push(`start(${running})`);
    await gate;
    running--;
    log.push('end');
    if (failNext) {
      failNext = false;
      throw new Error('store down');
    }
  });
  return {
    write,
    log,
    failNext: () => (failNext = true),
    hold: () => {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

describe('BatchedFlush', () => {
  it('never runs two writes (or queued work) at once, and keeps their order', async () => {
    const w = writer();
    const batches = new BatchedFlush(w.write);
    const release = w.hold();
    const first = batches.flush();
    const between = batches.queue(async () => void w.log.push('reset'));
    const second = batches.flush();
    await new Promise((r) => setImmediate(r));
    expect(w.log).toEqual(['start(1)']);
    release();
    await Promise.all([first, between, second]);
    expect(w.log).toEqual(['start(1)', 'end', 'reset', 'start(1)', 'end']);
  });

  it('rejects the flush whose write failed, and runs the next one anyway', async () => {
    const w = writer();
    const batches = new BatchedFlush(w.write);
    w.failNext();
    await expect(batches.flush()).rejects.toThrow('store down');
    await expect(batches.flush()).resolves.toBeUndefined();
    expect(w.write).toHaveBeenCalledTimes(2);
  });

  it('writes every interval once started, and once more when stopped, then no longer', async () => {
    const w = writer();
    const batches = new BatchedFlush(w.write);
    batches.start(10);
    await new Promise((r) => setTimeout(r, 65));
    const periodic = w.write.mock.calls.length;
    expect(periodic).toBeGreaterThanOrEqual(2);
    // A failing periodic write is no unhandled rejection: the timer goes on.
    w.failNext();
    await new Promise((r) => setTimeout(r, 25));
    await batches.stop();
    const afterStop = w.write.mock.calls.length;
    expect(afterStop).toBeGreaterThan(periodic);
    await new Promise((r) => setTimeout(r, 40));
    expect(w.write).toHaveBeenCalledTimes(afterStop);
  });
});
