// Tracks a latency percentile over the last `window` samples, for adaptive hedging delays. Samples go
// into a ring buffer (O(1)); the percentile is recomputed by sorting a copy only every window/16
// samples, so its amortised cost is small and the hot path allocates nothing.
import { integerInRange } from './validate.js';

export class LatencyTracker {
  private readonly samples: Float64Array;
  private readonly scratch: Float64Array;
  private count = 0;
  private next = 0;
  private stale = 0;
  private cached: number | undefined;
  private readonly refreshEvery: number;

  constructor(
    readonly percentile: number,
    readonly window = 256,
    readonly minSamples = 20,
  ) {
    if (typeof percentile !== 'number' || !(percentile > 0 && percentile <= 1)) {
      throw new RangeError(`percentile must be in (0, 1], got ${String(percentile)}`);
    }
    integerInRange('window', window, 1, 1_000_000);
    integerInRange('minSamples', minSamples, 1, window);
    this.samples = new Float64Array(window);
    this.scratch = new Float64Array(window);
    this.refreshEvery = Math.max(1, Math.floor(window / 16));
  }

  record(ms: number): void {
    if (!(ms >= 0) || ms === Number.POSITIVE_INFINITY) return;
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.window;
    if (this.count < this.window) this.count++;
    this.stale++;
  }

  /** The percentile (nearest rank) of the recent samples; undefined until `minSamples` were recorded. */
  value(): number | undefined {
    if (this.count < this.minSamples) return undefined;
    if (this.cached === undefined || this.stale >= this.refreshEvery) {
      const n = this.count;
      const view = this.scratch.subarray(0, n);
      view.set(this.samples.subarray(0, n));
      view.sort();
      this.cached = view[Math.max(0, Math.ceil(this.percentile * n) - 1)]!;
      this.stale = 0;
    }
    return this.cached;
  }
}
