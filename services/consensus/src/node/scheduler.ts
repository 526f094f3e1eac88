/** The clock and timers a node runs on: the real ones, or a simulation's virtual ones. */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Timers that all stop at once (node shutdown). */
export class Timers {
  private readonly pending = new Set<unknown>();
  private stopped = false;

  constructor(readonly scheduler: Scheduler) {}

  later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const h = this.scheduler.setTimeout(() => {
      this.pending.delete(h);
      if (!this.stopped) fn();
    }, ms);
    this.pending.add(h);
  }

  every(ms: number, fn: () => void): void {
    const tick = () => {
      fn();
      this.later(ms, tick);
    };
    this.later(ms, tick);
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.pending) this.scheduler.clearTimeout(h);
    this.pending.clear();
  }
}
