// A fake clock and timer queue: tests move time explicitly, nothing waits for real time.
import type { Clock, Timers } from '@breakwater/retry';

interface Entry {
  at: number;
  id: number;
  callback: () => void;
}

/** Lets every pending promise reaction run (one macrotask turn), without waiting on time. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeTime implements Clock, Timers {
  private t: number;
  private nextId = 0;
  private queue: Entry[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  readonly setTimeout = (callback: () => void, ms: number): unknown => {
    const id = ++this.nextId;
    this.queue.push({ at: this.t + Math.max(0, ms), id, callback });
    return id;
  };

  readonly clearTimeout = (handle: unknown): void => {
    this.queue = this.queue.filter((e) => e.id !== handle);
  };

  /** Timers still pending. */
  pending(): number {
    return this.queue.length;
  }

  /** The time of the earliest pending timer. */
  nextAt(): number | undefined {
    let min: number | undefined;
    for (const e of this.queue) if (min === undefined || e.at < min) min = e.at;
    return min;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await flush();
      let best: Entry | undefined;
      for (const e of this.queue) {
        if (
          e.at <= target &&
          (best === undefined || e.at < best.at || (e.at === best.at && e.id < best.id))
        ) {
          best = e;
        }
      }
      if (best === undefined) break;
      const fired = best;
      this.queue = this.queue.filter((e) => e !== fired);
      this.t = Math.max(this.t, fired.at);
      fired.callback();
    }
    this.t = target;
    await flush();
  }

  /** Runs timers until none remain or `limit` ms have passed. */
  async runAll(limit = 1e9): Promise<void> {
    const end = this.t + limit;
    for (;;) {
      await flush();
      const at = this.nextAt();
      if (at === undefined || at > end) break;
      await this.advance(at - this.t);
    }
  }
}

/** A small seeded PRNG (mulberry32) so distributions are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
