// Per-endpoint load numbers in one Float64Array, four numbers per slot (in-flight, latency
// estimate, its timestamp, sample count): the 32 bytes P2C reads for a candidate share one cache
// line, instead of an object plus boxed doubles scattered over the heap. At 10,000 endpoints the
// picks touch random endpoints, so this is most of the cost.

export const STRIDE = 4;
export const INFLIGHT = 0;
/** Latency estimate in ms; negative until the first sample. */
export const EWMA = 1;
export const STAMP = 2;
export const SAMPLES = 3;

export class LoadTable {
  /** Replaced when the table grows: read it from the table on every use. */
  data: Float64Array;
  #next = 0;
  readonly #free: number[] = [];

  constructor(capacity = 16) {
    this.data = new Float64Array(Math.max(1, capacity) * STRIDE);
  }

  /** A fresh slot: nothing in flight, no latency sample yet. */
  alloc(): number {
    const slot = this.#free.pop() ?? this.#next++;
    if ((slot + 1) * STRIDE > this.data.length) {
      const grown = new Float64Array(Math.max(16 * STRIDE, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    const base = slot * STRIDE;
    this.data[base + INFLIGHT] = 0;
    this.data[base + EWMA] = -1;
    this.data[base + STAMP] = 0;
    this.data[base + SAMPLES] = 0;
    return slot;
  }

  release(slot: number): void {
    this.#free.push(slot);
  }
}
