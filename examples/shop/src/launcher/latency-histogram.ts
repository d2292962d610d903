// A log-bucketed latency histogram: fixed memory, O(1) record, percentiles within ~1 % of the true value.
// Enough for a terminal panel; no HdrHistogram dependency.

const MIN_MS = 0.01;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets up to 0.01 ms · 1.01^1700 ≈ 220 s; slower samples land in the last one. */
const BUCKETS = 1700;

export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #max = 0;

  get count(): number {
    return this.#count;
  }

  get maxMs(): number {
    return this.#max;
  }

  record(ms: number): void {
    if (!(ms >= 0)) return; // NaN or negative: a clock bug, not a latency
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  /** The upper bound of the bucket holding the p-quantile (0 < p ≤ 1), capped at the largest sample; 0 when empty. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.#max, MIN_MS * GROWTH ** i);
    }
    return this.#max;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#max = 0;
  }
}
