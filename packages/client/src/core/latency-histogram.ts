// Per-interval latency quantiles without per-call allocation: fixed buckets, 8 linear sub-buckets per
// doubling (as HdrHistogram lays them out; ≤ 12.5 % relative error) from 0.05 ms to ≈ 210 s. The
// bucket comes from the float's exponent and top mantissa bits: no Math.log2 on the hot path.
// Quantiles are the bucket's upper bound clamped to the observed min/max (exact at the extremes).

const MIN_MS = 0.05;
const SCALE = 1 / MIN_MS;
const SUB = 8; // sub-buckets per doubling: the top 3 mantissa bits
const OCTAVES = 22; // up to 0.05 · 2²² ms ≈ 210 s; larger values land in the last bucket
const BUCKETS = 1 + SUB * OCTAVES;

// One shared scratch word to read a double's bits (single-threaded, never re-entered). The high word
// (sign, exponent, mantissa top) is the second one on little-endian machines, the first on big-endian.
const f64 = new Float64Array(1);
const bigEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;
const hi = new Uint32Array(f64.buffer, bigEndian ? 0 : 4, 1);

/** Bucket of a value ≥ 0 in ms: 0 for ≤ 0.05 ms, then 1 + 8·octave + the top 3 mantissa bits. */
export function bucketOf(ms: number): number {
  const v = ms * SCALE;
  if (v <= 1) return 0;
  f64[0] = v;
  const h = hi[0]!;
  const i = 1 + SUB * ((h >>> 20) - 1023) + ((h >>> 17) & 7);
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** Upper bound of bucket i, ms. */
export function bucketUpper(i: number): number {
  if (i === 0) return MIN_MS;
  const octave = Math.floor((i - 1) / SUB);
  const sub = (i - 1) % SUB;
  return MIN_MS * 2 ** octave * (1 + (sub + 1) / SUB);
}

export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  record(ms: number): void {
    if (!(ms >= 0)) return; // NaN or negative: a clock glitch, not a latency
    this.#counts[bucketOf(ms)]!++;
    this.count++;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** The q-quantile (0..1) of the values recorded since the last reset; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    // The extremes are known exactly.
    if (rank === 1) return this.#min;
    if (rank >= this.count) return this.#max;
    let seen = 0;
    const counts = this.#counts;
    for (let i = 0; i < BUCKETS; i++) {
      seen += counts[i]!;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, bucketUpper(i)));
    }
    return this.#max;
  }

  reset(): void {
    if (this.count === 0) return;
    this.#counts.fill(0);
    this.count = 0;
    this.#min = Number.POSITIVE_INFINITY;
    this.#max = 0;
  }
}
