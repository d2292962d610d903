/** A clock that moves only when told; for TTL expiry and backoff in tests. */
export class ManualClock {
  #now: number;
  constructor(start = 0) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`ms must be a number >= 0, got ${ms}`);
    this.#now += ms;
  }
}
