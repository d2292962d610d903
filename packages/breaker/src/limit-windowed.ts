import type { LimitAlgorithm } from './limit-algorithm.js';
import * as check from './validate.js';

export interface WindowedLimitOptions {
  /** Shortest window, ms (default 1,000). */
  minWindowMs?: number;
  /** Longest window, ms (default 1,000). */
  maxWindowMs?: number;
  /** Samples a window needs before it is passed on (default 10). */
  windowSize?: number;
  /** Samples faster than this are skipped, ms: too fast to say anything (default 0.1). */
  minRttThresholdMs?: number;
}

/**
 * Feeds the algorithm it wraps one aggregate sample per window instead of every call (Netflix
 * `WindowedLimit` with an average sample window): the window's mean RTT, its largest in-flight
 * count, and whether any call in it dropped. Use it around `Gradient2Limit`, whose long-term
 * average counts samples (600 by default): per window that is ~10 minutes, per call it is a
 * fraction of a second at high rates and tracks the overload it should detect. The window
 * closes on sample times (`startTime + rtt`), so it needs no clock or timer of its own.
 */
export class WindowedLimit implements LimitAlgorithm {
  readonly #delegate: LimitAlgorithm;
  readonly #minWindow: number;
  readonly #maxWindow: number;
  readonly #windowSize: number;
  readonly #minRtt: number;
  #nextUpdate = Number.NEGATIVE_INFINITY;
  #count = 0;
  #sum = 0;
  #minSeen = Number.POSITIVE_INFINITY;
  #maxInFlight = 0;
  #dropped = false;

  constructor(delegate: LimitAlgorithm, options: WindowedLimitOptions = {}) {
    if (typeof delegate !== 'object' || delegate === null || typeof delegate.onSample !== 'function') {
      throw new TypeError(
        'delegate must be a LimitAlgorithm (an object with a numeric limit and onSample())',
      );
    }
    check.object('options', options);
    const o = { minWindowMs: 1_000, maxWindowMs: 1_000, windowSize: 10, minRttThresholdMs: 0.1, ...options };
    this.#delegate = delegate;
    this.#minWindow = check.positiveDuration('minWindowMs', o.minWindowMs);
    this.#maxWindow = check.positiveDuration('maxWindowMs', o.maxWindowMs);
    if (this.#maxWindow < this.#minWindow) {
      throw new RangeError(`maxWindowMs must be >= minWindowMs (${this.#minWindow}), got ${this.#maxWindow}`);
    }
    this.#windowSize = check.positiveInteger('windowSize', o.windowSize);
    this.#minRtt = check.nonNegativeDuration('minRttThresholdMs', o.minRttThresholdMs);
  }

  get type(): string {
    return `windowed-${this.#delegate.type}`;
  }

  get limit(): number {
    return this.#delegate.limit;
  }

  onSample(startTime: number, rtt: number, inflight: number, didDrop: boolean): void {
    if (!(rtt >= this.#minRtt) || rtt === Number.POSITIVE_INFINITY) return;
    this.#count++;
    this.#sum += rtt;
    if (rtt < this.#minSeen) this.#minSeen = rtt;
    if (inflight > this.#maxInFlight) this.#maxInFlight = inflight;
    if (didDrop) this.#dropped = true;
    const endTime = startTime + rtt;
    if (endTime <= this.#nextUpdate || this.#count < this.#windowSize) return;
    this.#delegate.onSample(startTime, this.#sum / this.#count, this.#maxInFlight, this.#dropped);
    // The next window lasts twice the fastest call seen, within [minWindowMs, maxWindowMs].
    this.#nextUpdate = endTime + Math.min(this.#maxWindow, Math.max(this.#minWindow, 2 * this.#minSeen));
    this.#count = 0;
    this.#sum = 0;
    this.#minSeen = Number.POSITIVE_INFINITY;
    this.#maxInFlight = 0;
    this.#dropped = false;
  }
}
