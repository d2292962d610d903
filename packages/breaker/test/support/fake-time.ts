// A manual clock and timer queue: tests move time themselves, nothing sleeps.
export class FakeTime {
  now = 0;
  #nextId = 1;
  readonly pending = new Map<number, { at: number; callback: () => void }>();

  readonly clock = { now: (): number => this.now };

  readonly timers = {
    setTimeout: (callback: () => void, ms: number): unknown => {
      const id = this.#nextId++;
      this.pending.set(id, { at: this.now + ms, callback });
      return id;
    },
    clearTimeout: (handle: unknown): void => {
      this.pending.delete(handle as number);
    },
  };

  /** Moves the clock and runs, in time order, every timer that falls due. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.pending)
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].callback();
    }
    this.now = target;
  }
}

/** Lets settled promises run their callbacks (a macrotask turn, not a timed wait). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A seeded linear congruential generator in [0, 1), so model and breaker draw the same jitter. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
