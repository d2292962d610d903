import { type RateThresholdOptions, RateThresholds } from './rate-thresholds.js';
import { checkSnapshotType, type StrategySnapshot, type TripStrategy } from './trip-strategy.js';
import { positiveInteger } from './validate.js';

export interface CountWindowOptions extends RateThresholdOptions {
  /** Last calls the rates are computed over (default 100). minimumCalls defaults to this and may not exceed it. */
  size?: number;
}

const FAILED = 1;
const SLOW = 2;

/**
 * Failure and slow-call rates over the last `size` calls. The ring packs two bits per call into
 * 32-bit words (100 calls = 28 bytes, small enough for V8 to keep on the heap, no backing store).
 */
export class CountWindow implements TripStrategy {
  readonly type = 'count-window';
  readonly usesTime = false;
  readonly usesDuration: boolean;
  readonly size: number;
  readonly thresholds: RateThresholds;
  readonly #ring: Uint32Array;
  // The thresholds copied into own fields: record() is on the hot path.
  readonly #slowMs: number;
  readonly #minimumCalls: number;
  readonly #failureRate: number;
  readonly #slowRate: number;
  #next = 0;
  #calls = 0;
  #failures = 0;
  #slow = 0;

  constructor(options: CountWindowOptions = {}) {
    this.size = positiveInteger('size', options.size ?? 100);
    this.thresholds = new RateThresholds(options, this.size);
    if (this.thresholds.minimumCalls > this.size) {
      throw new RangeError(
        `minimumCalls must not exceed size (${this.size}), got ${this.thresholds.minimumCalls}`,
      );
    }
    this.#ring = new Uint32Array(Math.ceil(this.size / 16));
    this.usesDuration = Number.isFinite(this.thresholds.slowCallDurationMs);
    this.#slowMs = this.thresholds.slowCallDurationMs;
    this.#minimumCalls = this.thresholds.minimumCalls;
    this.#failureRate = this.thresholds.failureRateThreshold;
    this.#slowRate = this.thresholds.slowCallRateThreshold;
  }

  /** Calls, failures and slow calls currently in the window. */
  get counts(): { readonly calls: number; readonly failures: number; readonly slow: number } {
    return { calls: this.#calls, failures: this.#failures, slow: this.#slow };
  }

  record(failed: boolean, durationMs: number): boolean {
    this.#push((failed ? FAILED : 0) | (durationMs > this.#slowMs ? SLOW : 0));
    // Same rule as RateThresholds.trips, inlined.
    const calls = this.#calls;
    return (
      calls >= this.#minimumCalls &&
      (this.#failures >= this.#failureRate * calls || this.#slow >= this.#slowRate * calls)
    );
  }

  #code(i: number): number {
    return (this.#ring[i >>> 4]! >>> ((i & 15) << 1)) & 3;
  }

  #push(code: number): void {
    const i = this.#next;
    if (this.#calls === this.size) {
      const old = this.#code(i);
      this.#failures -= old & FAILED;
      this.#slow -= old >>> 1;
    } else {
      this.#calls++;
    }
    const shift = (i & 15) << 1;
    const w = i >>> 4;
    this.#ring[w] = (this.#ring[w]! & ~(3 << shift)) | (code << shift);
    this.#failures += code & FAILED;
    this.#slow += code >>> 1;
    this.#next = i + 1 === this.size ? 0 : i + 1;
  }

  reset(): void {
    this.#ring.fill(0);
    this.#next = 0;
    this.#calls = 0;
    this.#failures = 0;
    this.#slow = 0;
  }

  snapshot(): StrategySnapshot {
    // Oldest first, one code per call: bit 1 = failed, bit 2 = slow.
    const outcomes: number[] = [];
    const start = this.#calls === this.size ? this.#next : 0;
    for (let k = 0; k < this.#calls; k++) outcomes.push(this.#code((start + k) % this.size));
    return { type: this.type, size: this.size, outcomes };
  }

  restore(snapshot: StrategySnapshot): void {
    checkSnapshotType(snapshot, this.type);
    const outcomes = snapshot.outcomes;
    if (!Array.isArray(outcomes) || outcomes.some((o) => o !== 0 && o !== 1 && o !== 2 && o !== 3)) {
      throw new TypeError('snapshot.outcomes must be an array of outcome codes 0..3');
    }
    this.reset();
    // A smaller window keeps the newest calls.
    for (const code of outcomes.slice(Math.max(0, outcomes.length - this.size))) this.#push(code as number);
  }
}
