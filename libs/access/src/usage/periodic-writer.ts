/**
 * Counts kept in memory off the request path and written in batches: every interval while
 * started, on demand, and once more at stop. One write at a time; a subclass that fails
 * keeps what it could not write for the next one.
 */
export abstract class PeriodicWriter {
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  protected abstract writePending(): Promise<void>;

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Writes what is pending, after any write already under way. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }
}
