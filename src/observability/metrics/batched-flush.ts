/**
 * The write-behind machinery of figures buffered in memory and written in batches: `flush` runs the owner's write
 * once the work queued before it is done (writes never overlap), `start` runs it every interval, `stop` ends the timer
 * and writes a last batch. `queue` puts other work in the same line (e.g. a reset that must not interleave with a
 * write). What is buffered, and what a failed write does with it, stays with the owner.
 */
export class BatchedFlush {
  private line: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(private readonly write: () => Promise<void>) {}

  /** Writes every `intervalMs` from now on (a failed write waits for the next round); the timer keeps no process alive. */
  start(intervalMs: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  /** Writes now, after the work queued before; rejects when the write fails (the work queued after still runs). */
  flush(): Promise<void> {
    return this.queue(this.write);
  }

  /** Runs `work` once the work queued before it is done. */
  queue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.line.then(work);
    this.line = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and writes what is left (at shutdown, while the store is still open). */
  stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    return this.flush();
  }
}
