// The adaptive hedge delay of a service: a latency percentile of its recent attempts. Two log-bucket
// histograms (≤ 12.5 % relative error, the buckets the dashboard uses too) take turns: the current one fills,
// the previous one still counts, so the percentile covers the last `window` to 2 × `window` attempts
// and forgets older ones. Recording is a bucket increment; the percentile is rescanned only every
// `window / 16` samples, so the hot path neither sorts nor allocates.
import { bucketOf, bucketUpper } from './latency-histogram.js';

const BUCKETS = bucketOf(Number.MAX_VALUE) + 1;

export class HedgeDelay {
  #current = new Uint32Array(BUCKETS);
  #previous = new Uint32Array(BUCKETS);
  #currentCount = 0;
  #previousCount = 0;
  #stale = 0;
  #cachedQ = Number.NaN;
  #cached = Number.POSITIVE_INFINITY;
  readonly #window: number;
  readonly #minSamples: number;
  readonly #refreshEvery: number;

  constructor(window = 1_000, minSamples = 100) {
    this.#window = window;
    this.#minSamples = minSamples;
    this.#refreshEvery = Math.max(1, Math.floor(window / 16));
  }

  /** One attempt's latency to its response headers (or to its cancellation: a lower bound). */
  record(ms: number): void {
    if (!(ms >= 0)) return;
    this.#current[bucketOf(ms)]!++;
    this.#stale++;
    if (++this.#currentCount >= this.#window) {
      const old = this.#previous;
      old.fill(0);
      this.#previous = this.#current;
      this.#current = old;
      this.#previousCount = this.#currentCount;
      this.#currentCount = 0;
    }
  }

  /** The q-quantile of the recent attempts, ms (a bucket's upper bound); Infinity until `minSamples`. */
  delay(q: number): number {
    if (q === this.#cachedQ && this.#stale < this.#refreshEvery) return this.#cached;
    const n = this.#currentCount + this.#previousCount;
    if (n < this.#minSamples) return Number.POSITIVE_INFINITY; // not cached: ready at the 100th sample
    this.#cachedQ = q;
    this.#stale = 0;
    const rank = Math.max(1, Math.ceil(q * n));
    let seen = 0;
    const a = this.#current;
    const b = this.#previous;
    for (let i = 0; i < BUCKETS; i++) {
      seen += a[i]! + b[i]!;
      if (seen >= rank) {
        this.#cached = bucketUpper(i);
        return this.#cached;
      }
    }
    this.#cached = bucketUpper(BUCKETS - 1);
    return this.#cached;
  }
}
