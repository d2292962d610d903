import { type RateThresholdOptions, RateThresholds } from './rate-thresholds.js';
import { checkSnapshotType, type StrategySnapshot, type TripStrategy } from './trip-strategy.js';
import { positiveDuration, positiveInteger } from './validate.js';

export interface TimeWindowOptions extends RateThresholdOptions {
  /** Length of the window in ms (default 60,000). */
  windowMs?: number;
  /** Buckets the window is cut into; the window slides one bucket at a time (default 10, at most 1,000). */
  buckets?: number;
}

/**
 * Failure and slow-call rates over the calls of the last `windowMs`, kept as `buckets` counters
 * that slide with the clock (resilience4j's time-based window). Memory does not grow with traffic.
 */
export class TimeWindow implements TripStrategy {
  readonly type = 'time-window';
  readonly usesTime = true;
  readonly usesDuration: boolean;
  readonly windowMs: number;
  readonly buckets: number;
  readonly bucketMs: number;
  readonly thresholds: RateThresholds;
  // Per bucket: calls, failures, slow at [3b], [3b+1], [3b+2]; the bucket's index in #ids.
  readonly #counts: Uint32Array;
  readonly #ids: Float64Array;
  #current = Number.NEGATIVE_INFINITY;
  #calls = 0;
  #failures = 0;
  #slow = 0;

  constructor(options: TimeWindowOptions = {}) {
    this.windowMs = positiveDuration('windowMs', options.windowMs ?? 60_000);
    this.buckets = positiveInteger('buckets', options.buckets ?? 10);
    if (this.buckets > 1000) throw new RangeError(`buckets must be at most 1000, got ${this.buckets}`);
    this.bucketMs = this.windowMs / this.buckets;
    this.thresholds = new RateThresholds(options, 20);
    this.#counts = new Uint32Array(this.buckets * 3);
    this.#ids = new Float64Array(this.buckets).fill(Number.NEGATIVE_INFINITY);
    this.usesDuration = Number.isFinite(this.thresholds.slowCallDurationMs);
  }

  /** Calls, failures and slow calls in the window as of `now`. */
  counts(now: number): { readonly calls: number; readonly failures: number; readonly slow: number } {
    this.#advance(now);
    return { calls: this.#calls, failures: this.#failures, slow: this.#slow };
  }

  record(failed: boolean, durationMs: number, now: number): boolean {
    this.#advance(now);
    const b = this.#slot(this.#current) * 3;
    const slow = this.thresholds.isSlow(durationMs) ? 1 : 0;
    const fail = failed ? 1 : 0;
    this.#counts[b]!++;
    this.#counts[b + 1]! += fail;
    this.#counts[b + 2]! += slow;
    this.#calls++;
    this.#failures += fail;
    this.#slow += slow;
    return this.thresholds.trips(this.#calls, this.#failures, this.#slow);
  }

  // Moves the window to the bucket holding `now`, dropping buckets that slid out of it.
  #advance(now: number): void {
    const id = Math.floor(now / this.bucketMs);
    if (id <= this.#current) return; // a clock that steps back keeps the current bucket
    const steps =
      this.#current === Number.NEGATIVE_INFINITY ? this.buckets : Math.min(id - this.#current, this.buckets);
    for (let k = 0; k < steps; k++) this.#clear(id - k);
    this.#current = id;
  }

  #clear(id: number): void {
    const slot = this.#slot(id);
    const b = slot * 3;
    this.#calls -= this.#counts[b]!;
    this.#failures -= this.#counts[b + 1]!;
    this.#slow -= this.#counts[b + 2]!;
    this.#counts[b] = 0;
    this.#counts[b + 1] = 0;
    this.#counts[b + 2] = 0;
    this.#ids[slot] = id;
  }

  #slot(id: number): number {
    return ((id % this.buckets) + this.buckets) % this.buckets;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#ids.fill(Number.NEGATIVE_INFINITY);
    this.#current = Number.NEGATIVE_INFINITY;
    this.#calls = 0;
    this.#failures = 0;
    this.#slow = 0;
  }

  snapshot(now: number): StrategySnapshot {
    this.#advance(now);
    // Bucket ages (0 = the bucket holding `now`) instead of clock times, so a snapshot can be
    // imported by a process whose clock has another origin.
    const entries: [age: number, calls: number, failures: number, slow: number][] = [];
    for (let age = 0; age < this.buckets; age++) {
      const id = this.#current - age;
      const slot = this.#slot(id);
      const b = slot * 3;
      if (this.#ids[slot] === id && this.#counts[b]! > 0) {
        entries.push([age, this.#counts[b]!, this.#counts[b + 1]!, this.#counts[b + 2]!]);
      }
    }
    return { type: this.type, bucketMs: this.bucketMs, entries };
  }

  restore(snapshot: StrategySnapshot, now: number): void {
    checkSnapshotType(snapshot, this.type);
    const entries = snapshot.entries;
    const valid = (e: unknown): e is [number, number, number, number] =>
      Array.isArray(e) &&
      e.length === 4 &&
      e.every((x) => Number.isInteger(x) && x >= 0) &&
      (e[2] as number) <= (e[1] as number) &&
      (e[3] as number) <= (e[1] as number);
    if (!Array.isArray(entries) || !entries.every(valid)) {
      throw new TypeError('snapshot.entries must be an array of [age, calls, failures, slow] integer tuples');
    }
    this.reset();
    this.#advance(now);
    for (const [age, calls, failures, slow] of entries) {
      if (age >= this.buckets) continue;
      const id = this.#current - age;
      const slot = this.#slot(id);
      const b = slot * 3;
      this.#counts[b]! += calls;
      this.#counts[b + 1]! += failures;
      this.#counts[b + 2]! += slow;
      this.#ids[slot] = id;
      this.#calls += calls;
      this.#failures += failures;
      this.#slow += slow;
    }
  }
}
