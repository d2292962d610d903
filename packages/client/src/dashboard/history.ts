// A fixed-size ring of numbers (one sparkline): a Float64Array, oldest first when read.

export class History {
  readonly #values: Float64Array;
  #next = 0;
  #size = 0;

  constructor(points: number) {
    this.#values = new Float64Array(points);
  }

  push(v: number): void {
    this.#values[this.#next] = v;
    this.#next = (this.#next + 1) % this.#values.length;
    if (this.#size < this.#values.length) this.#size++;
  }

  /** The values, oldest first, each rounded to `digits` decimals (keeps the JSON small). */
  toArray(digits: number): number[] {
    const n = this.#size;
    const cap = this.#values.length;
    const out = new Array<number>(n);
    const start = (this.#next - n + cap) % cap;
    for (let k = 0; k < n; k++) out[k] = round(this.#values[(start + k) % cap]!, digits);
    return out;
  }
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
